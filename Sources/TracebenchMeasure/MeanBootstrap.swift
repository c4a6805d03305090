/// Percentile-bootstrap 95 % intervals for the means of several quantities measured on the same units (the share of
/// each critical-path segment, per trace): one resample of the units serves every quantity, so the intervals cost
/// `resamples × (values stored)` whatever the number of quantities. Rows are sparse: a unit holds only its non-zero
/// values, the rest count as 0.
public enum MeanBootstrap {
    /// One unit's non-zero values: (column, value).
    public typealias Row = [(column: Int, value: Double)]

    /// The mean and the 2.5 %/97.5 % bootstrap points of each of `columns` columns over `rows`; seeded, so a run's
    /// results are reproducible.
    public static func intervals(rows: [Row], columns: Int, resamples: Int = 400, seed: UInt64 = 0x5EED) -> [DifferenceEstimate] {
        let n = rows.count
        guard n > 0, columns > 0 else { return [] }
        var sums = [Double](repeating: 0, count: columns)
        for row in rows { for entry in row { sums[entry.column] += entry.value } }
        let means = sums.map { $0 / Double(n) }
        guard n > 1 else { return means.map { DifferenceEstimate(estimate: $0, ciLow: $0, ciHigh: $0, samples: n) } }

        var random = SeededGenerator(seed: seed)
        var draws = [[Double]](repeating: [Double](repeating: 0, count: resamples), count: columns)
        var resampleSums = [Double](repeating: 0, count: columns)
        for resample in 0 ..< resamples {
            for column in 0 ..< columns { resampleSums[column] = 0 }
            for _ in 0 ..< n {
                for entry in rows[Int(random.next() % UInt64(n))] { resampleSums[entry.column] += entry.value }
            }
            for column in 0 ..< columns { draws[column][resample] = resampleSums[column] / Double(n) }
        }
        return (0 ..< columns).map { column in
            let sorted = draws[column].sorted()
            return DifferenceEstimate(estimate: means[column], ciLow: OverheadStatistics.interpolatedQuantile(sorted, 0.025),
                                      ciHigh: OverheadStatistics.interpolatedQuantile(sorted, 0.975), samples: n)
        }
    }
}
