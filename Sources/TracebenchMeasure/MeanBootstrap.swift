/// Percentile-bootstrap 95 % intervals for the means of several quantities measured on the same units (the share of
/// each critical-path segment, per trace), folded in one unit at a time.
///
/// It is the Poisson bootstrap (Hanley & MacGibbon 2006; Chamandy et al. 2012): each of the `resamples` resamples
/// takes every unit `w ~ Poisson(1)` times, drawn when the unit arrives, and a resample's mean is `Σ w·x / Σ w`. That is
/// the classic bootstrap's multinomial counts with their dependence dropped, which changes nothing as the number of
/// units grows, and it needs no unit kept: memory is `resamples × columns`, whatever the number of units, and each unit's
/// values are read once, in order (the classic bootstrap's random access to every unit, 400 × n times, was most of the
/// analysis of a 1 M-span run). One draw serves every column, so the columns' intervals are as correlated as the shares.
/// Rows are sparse: a unit gives only its non-zero values, the rest count as 0. Seeded, so a run's results reproduce.
public struct MeanBootstrap: Sendable {
    /// One unit's non-zero values: (column, value).
    public typealias Row = [(column: Int, value: Double)]

    /// How many resamples the intervals are read from.
    public let resamples: Int
    /// Units folded in so far.
    public private(set) var units = 0
    private var random: SeededGenerator
    /// Σ w per resample.
    private var weights: [Double]
    /// Σ w·x per column and resample, column-major (`column * resamples + resample`).
    private var sums: [Double] = []
    /// Σ x per column: the means themselves.
    private var totals: [Double] = []

    public init(resamples: Int = 400, seed: UInt64 = 0x5EED) {
        self.resamples = max(resamples, 2)
        random = SeededGenerator(seed: seed)
        weights = [Double](repeating: 0, count: self.resamples)
    }

    /// Columns seen so far (one past the highest column of any row).
    public var columns: Int { totals.count }

    /// Folds in one unit, its weights drawn from the bootstrap's own stream (the result depends on the units' order).
    public mutating func add(_ row: Row) {
        var stream = random
        add(row, drawingFrom: &stream)
        random = stream
    }

    /// Folds in one unit whose weights are drawn from a stream of its own, derived from `unit` (e.g. a trace id): the
    /// intervals then do not depend on the order units arrive in, so a streaming fold and a batch one agree.
    public mutating func add(_ row: Row, unit: UInt64) {
        var stream = random.derived(unit)
        add(row, drawingFrom: &stream)
    }

    private mutating func add(_ row: Row, drawingFrom random: inout SeededGenerator) {
        units += 1
        for entry in row where entry.column >= totals.count { grow(to: entry.column + 1) }
        for entry in row { totals[entry.column] += entry.value }
        let count = resamples
        weights.withUnsafeMutableBufferPointer { weights in
            sums.withUnsafeMutableBufferPointer { sums in
                var resample = 0
                while resample < count {
                    let bits = random.next()
                    for half in 0 ..< 2 where resample + half < count {
                        let w = Self.poisson(UInt32(truncatingIfNeeded: bits >> (32 * UInt64(half))))
                        guard w > 0 else { continue }
                        weights[resample + half] += w
                        for entry in row { sums[entry.column * count + resample + half] += w * entry.value }
                    }
                    resample += 2
                }
            }
        }
    }

    /// The mean and the 2.5 %/97.5 % bootstrap points of each of `columns` columns (columns never given a value are 0).
    public func intervals(columns wanted: Int) -> [DifferenceEstimate] {
        guard units > 0, wanted > 0 else { return [] }
        let n = Double(units)
        return (0 ..< wanted).map { column in
            let mean = column < totals.count ? totals[column] / n : 0
            guard units > 1, column < totals.count else { return DifferenceEstimate(estimate: mean, ciLow: mean, ciHigh: mean, samples: units) }
            // A resample that drew no unit at all (probability e^-n) has no mean: it is left out.
            let draws = (0 ..< resamples).compactMap { r in weights[r] > 0 ? sums[column * resamples + r] / weights[r] : nil }.sorted()
            return DifferenceEstimate(estimate: mean, ciLow: OverheadStatistics.interpolatedQuantile(draws, 0.025),
                                      ciHigh: OverheadStatistics.interpolatedQuantile(draws, 0.975), samples: units)
        }
    }

    /// The means and intervals of `rows` in one call (the batch form of ``add(_:)`` and ``intervals(columns:)``).
    public static func intervals(rows: [Row], columns: Int, resamples: Int = 400, seed: UInt64 = 0x5EED) -> [DifferenceEstimate] {
        var bootstrap = MeanBootstrap(resamples: resamples, seed: seed)
        for row in rows { bootstrap.add(row) }
        return bootstrap.intervals(columns: columns)
    }

    private mutating func grow(to columns: Int) {
        sums.append(contentsOf: repeatElement(0, count: (columns - totals.count) * resamples))
        totals.append(contentsOf: repeatElement(0, count: columns - totals.count))
    }

    /// P(K ≤ k) for K ~ Poisson(1), k = 0 … 11, scaled to 2³²; past the table (probability < 1e-9) the draw is 12.
    private static let cumulative: [UInt64] = {
        var table: [UInt64] = []
        var p = 0.36787944117144233, sum = 0.0  // e^-1
        for k in 0 ..< 12 {
            sum += p
            table.append(UInt64(min(sum, 1) * 4_294_967_296))
            p /= Double(k + 1)
        }
        return table
    }()

    /// A Poisson(1) draw from 32 uniform bits, by the inverse of the cumulative distribution.
    @inline(__always)
    private static func poisson(_ bits: UInt32) -> Double {
        let u = UInt64(bits)
        var k = 0
        while k < cumulative.count, u >= cumulative[k] { k += 1 }
        return Double(k)
    }
}
