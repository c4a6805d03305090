import Testing
import TracebenchMeasure

/// The streaming (Poisson) bootstrap behind the critical-path shares' intervals, on data whose answer is known.
@Suite("mean bootstrap", .computeOnly)
struct MeanBootstrapTests {
    /// n units of one column, each 1 with probability p (else absent, i.e. 0), from a seeded generator.
    static func bernoulli(_ n: Int, p: Double, seed: UInt64) -> [MeanBootstrap.Row] {
        var random = SeededGenerator(seed: seed)
        return (0 ..< n).map { _ in Double(random.next() % 1_000_000) / 1e6 < p ? [(column: 0, value: 1.0)] : [] }
    }

    @Test("95 % intervals cover the true mean in about 95 % of 120 independent samples, and are as wide as theory says")
    func coverageAndWidth() {
        let p = 0.3, n = 300
        var covered = 0
        var widthRatio = 0.0
        for replication in 0 ..< 120 {
            let rows = Self.bernoulli(n, p: p, seed: 1000 + UInt64(replication))
            let interval = MeanBootstrap.intervals(rows: rows, columns: 1, seed: UInt64(replication))[0]
            if interval.ciLow <= p, p <= interval.ciHigh { covered += 1 }
            let mean = interval.estimate
            widthRatio += (interval.ciHigh - interval.ciLow) / (2 * 1.96 * (mean * (1 - mean) / Double(n)).squareRoot())
        }
        // Binomial(120, 0.95): 114 expected; below 104 has probability < 0.1 % (and the percentile bootstrap is a little
        // narrow at n = 300, never this much).
        #expect(covered >= 104, "covered \(covered) of 120")
        #expect(abs(widthRatio / 120 - 1) < 0.1, "mean width / normal-theory width = \(widthRatio / 120)")
    }

    @Test("folding units in one at a time gives exactly the batch answer; the means are exact; columns never seen are 0")
    func streamingEqualsBatchAndMeansAreExact() {
        let rows: [MeanBootstrap.Row] = (0 ..< 500).map { unit in
            [(column: 0, value: Double(unit % 7) / 7), (column: 2, value: unit.isMultiple(of: 3) ? 0.5 : 0.25)]
        }
        var streaming = MeanBootstrap()
        for row in rows { streaming.add(row) }
        let batch = MeanBootstrap.intervals(rows: rows, columns: 4)
        #expect(streaming.intervals(columns: 4) == batch)
        let expected0 = rows.map { $0[0].value }.reduce(0, +) / 500
        #expect(abs(batch[0].estimate - expected0) < 1e-12 && batch[0].ciLow < expected0 && expected0 < batch[0].ciHigh)
        #expect(batch[1].estimate == 0 && batch[1].ciLow == 0 && batch[1].ciHigh == 0)
        #expect(batch[3] == DifferenceEstimate(estimate: 0, ciLow: 0, ciHigh: 0, samples: 500))
        #expect(streaming.units == 500 && streaming.columns == 3)
    }

    @Test("one unit is its own interval; no unit is no interval; a constant column has a zero-width interval")
    func degenerateCases() {
        #expect(MeanBootstrap.intervals(rows: [], columns: 2).isEmpty)
        let one = MeanBootstrap.intervals(rows: [[(column: 0, value: 0.4)]], columns: 1)[0]
        #expect(one.estimate == 0.4 && one.ciLow == 0.4 && one.ciHigh == 0.4 && one.samples == 1)
        let constant = MeanBootstrap.intervals(rows: Array(repeating: [(column: 0, value: 0.25)], count: 50), columns: 1)[0]
        #expect(abs(constant.ciLow - 0.25) < 1e-12 && abs(constant.ciHigh - 0.25) < 1e-12)
    }
}
