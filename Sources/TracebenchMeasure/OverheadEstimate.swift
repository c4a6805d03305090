/// A difference between two arms (treatment − baseline) with its 95 % interval, in microseconds.
public struct DifferenceEstimate: Codable, Sendable, Equatable {
    /// Point estimate.
    public var estimate: Double
    /// Lower bound of the 95 % interval.
    public var ciLow: Double
    /// Upper bound of the 95 % interval.
    public var ciHigh: Double
    /// The smaller of the two arms' sample counts (or the number of block pairs, for block-level estimates).
    public var samples: Int

    enum CodingKeys: String, CodingKey {
        case estimate, ciLow = "ci_low", ciHigh = "ci_high", samples
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(estimate: try c(.estimate, 0), ciLow: try c(.ciLow, 0), ciHigh: try c(.ciHigh, 0), samples: try c(.samples, 0))
    }

    /// An estimate with explicitly given values (no computation).
    public init(estimate: Double, ciLow: Double, ciHigh: Double, samples: Int) {
        self.estimate = estimate
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.samples = samples
    }
}

/// Confidence intervals for A/B overhead comparisons.
///
/// Intervals are always finite (so that results encode to JSON): where nothing can be estimated the interval
/// collapses onto the point estimate, as documented per method.
public enum OverheadStatistics {
    /// Bootstrap 95 % interval (percentile method) for `quantile(treatment) − quantile(baseline)`.
    ///
    /// - Parameters:
    ///   - baseline, treatment: the two arms, recorded in nanoseconds.
    ///   - quantile: 0 … 1 (0.5 → median, 0.99 → p99); quantiles use the nearest-rank rule over the histograms'
    ///     distinct values (bucket midpoints, 3 significant digits), see ``SampleHistogram/Resampler/quantile(_:)``.
    ///   - iterations: number of bootstrap resamples (e.g. 1,000).
    ///   - seed: seeds the generator, so that the same inputs give the same interval on every run.
    ///   - maxResample: the largest resample drawn per arm (default 20,000).
    /// - Returns: the difference in microseconds. `samples` is the smaller arm's count.
    ///
    /// Each resample draws, with replacement, as many values as the arm has recordings, so the bootstrap distribution
    /// reflects the arm's real sample size. An arm with n > `maxResample` recordings is bootstrapped m-out-of-n with
    /// m = `maxResample` (keeping the cost bounded), and each such quantile's deviation from the arm's point estimate
    /// is scaled by √(m/n) before the difference is taken: a quantile's spread shrinks as 1/√size, so this maps the
    /// spread of an m-sized resample onto that of the real n-sized arm (per arm, so arms of different sizes are each
    /// rescaled correctly). The interval is then the 2.5 % and 97.5 % points of the bootstrap differences (linear
    /// interpolation between order statistics).
    ///
    /// Degenerate cases: if either arm is empty, everything is 0 (with `samples` 0); with `iterations` ≤ 0 the
    /// interval collapses onto the point estimate.
    ///
    /// Cost: iterations × (m_baseline + m_treatment) draws, each O(1) on average and O(log k) at worst (see
    /// ``SampleHistogram/Resampler``), plus O(iterations × k) to tally them, with k distinct recorded values; each
    /// resample's quantile is read off the tallies (no sort), and nothing is allocated inside the loop. About 0.3–0.5 s
    /// in a release build for 1,000 iterations of 20,000 draws per arm.
    public static func bootstrapQuantileDifference(
        baseline: SampleHistogram,
        treatment: SampleHistogram,
        quantile: Double,
        iterations: Int,
        seed: UInt64,
        maxResample: Int = 20_000
    ) -> DifferenceEstimate {
        let baseArm = BootstrapArm(baseline.resampler(), quantile: quantile, maxResample: maxResample)
        let treatArm = BootstrapArm(treatment.resampler(), quantile: quantile, maxResample: maxResample)
        let samples = Int(Swift.min(baseline.count, treatment.count))
        guard let baseArm, let treatArm else {
            return DifferenceEstimate(estimate: 0, ciLow: 0, ciHigh: 0, samples: samples)
        }
        let estimateNs = treatArm.point - baseArm.point
        guard iterations > 0 else {
            let estimate = estimateNs / 1000
            return DifferenceEstimate(estimate: estimate, ciLow: estimate, ciHigh: estimate, samples: samples)
        }

        var generator = SeededGenerator(seed: seed)
        var baseTally = [UInt32](repeating: 0, count: baseArm.resampler.values.count)
        var treatTally = [UInt32](repeating: 0, count: treatArm.resampler.values.count)
        var differences = [Double](repeating: 0, count: iterations)
        for i in 0..<iterations {
            let b = baseArm.resampledQuantile(tally: &baseTally, using: &generator)
            let t = treatArm.resampledQuantile(tally: &treatTally, using: &generator)
            differences[i] = t - b
        }
        differences.sort()
        return DifferenceEstimate(
            estimate: estimateNs / 1000,
            ciLow: interpolatedQuantile(differences, 0.025) / 1000,
            ciHigh: interpolatedQuantile(differences, 0.975) / 1000,
            samples: samples
        )
    }

    /// Mean of paired differences (e.g. one treatment − baseline difference per block pair) with a Student-t 95 %
    /// interval, `mean ± t(0.975, n − 1) · sd / √n` (sample standard deviation). Values and result share a unit
    /// (microseconds by convention); `samples` is the number of differences.
    ///
    /// Degenerate cases: no differences → all zeros; one difference → that value, with the interval collapsed onto it
    /// (the spread is unknown; check `samples` before reading the interval).
    public static func pairedMeanDifference(_ differences: [Double]) -> DifferenceEstimate {
        let n = differences.count
        guard n > 0 else { return DifferenceEstimate(estimate: 0, ciLow: 0, ciHigh: 0, samples: 0) }
        let mean = differences.reduce(0, +) / Double(n)
        guard n > 1 else { return DifferenceEstimate(estimate: mean, ciLow: mean, ciHigh: mean, samples: 1) }
        let sumOfSquares = differences.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        let standardError = (sumOfSquares / Double(n - 1)).squareRoot() / Double(n).squareRoot()
        let halfWidth = t975(df: n - 1) * standardError
        return DifferenceEstimate(estimate: mean, ciLow: mean - halfWidth, ciHigh: mean + halfWidth, samples: n)
    }

    /// Two-sided 95 % Student t quantile, t(0.975, df): a table (4 decimals) for df 1 … 30; beyond that the
    /// Cornish–Fisher expansion around the normal quantile 1.959964 (within 2·10⁻⁴ of the exact value at df 31,
    /// tending to 1.96). `df` ≤ 0 has no finite quantile: returns `.infinity` (``pairedMeanDifference(_:)`` never
    /// asks for it; with one difference it returns a collapsed interval instead).
    static func t975(df: Int) -> Double {
        guard df > 0 else { return .infinity }
        if df <= tTable.count { return tTable[df - 1] }
        let z = 1.959963984540054
        let v = Double(df)
        let z3 = z * z * z, z5 = z3 * z * z
        return z + (z3 + z) / (4 * v) + (5 * z5 + 16 * z3 + 3 * z) / (96 * v * v)
    }

    /// t(0.975, df) for df = 1 … 30.
    private static let tTable: [Double] = [
        12.7062, 4.3027, 3.1824, 2.7764, 2.5706, 2.4469, 2.3646, 2.3060, 2.2622, 2.2281,
        2.2010, 2.1788, 2.1604, 2.1448, 2.1314, 2.1199, 2.1098, 2.1009, 2.0930, 2.0860,
        2.0796, 2.0739, 2.0687, 2.0639, 2.0595, 2.0555, 2.0518, 2.0484, 2.0452, 2.0423,
    ]

    /// The `p` quantile of ascending `sorted` (non-empty) by linear interpolation between order statistics.
    static func interpolatedQuantile(_ sorted: [Double], _ p: Double) -> Double {
        let h = Double(sorted.count - 1) * Swift.min(Swift.max(p, 0), 1)
        let lower = Int(h.rounded(.down))
        let upper = Swift.min(lower + 1, sorted.count - 1)
        return sorted[lower] + (h - Double(lower)) * (sorted[upper] - sorted[lower])
    }
}

/// One arm of a bootstrap: its distribution, point estimate and resampling plan.
private struct BootstrapArm {
    let resampler: SampleHistogram.Resampler
    /// The arm's quantile over all its recordings (ns).
    let point: Double
    /// Draws per resample: min(n, maxResample).
    let drawCount: Int
    /// The nearest rank of the quantile among `drawCount` draws.
    let rank: Int
    /// √(m/n): 1 unless the arm is bootstrapped m-out-of-n.
    let scale: Double

    /// Nil for an empty arm.
    init?(_ resampler: SampleHistogram.Resampler, quantile: Double, maxResample: Int) {
        guard resampler.count > 0 else { return nil }
        let n = Int(resampler.count)
        self.resampler = resampler
        point = resampler.quantile(quantile)
        drawCount = Swift.min(n, Swift.max(maxResample, 1))
        rank = nearestRank(quantile, of: drawCount)
        scale = drawCount < n ? (Double(drawCount) / Double(n)).squareRoot() : 1
    }

    /// The quantile of one resample, rescaled for m-out-of-n, in ns. `tally` (one slot per distinct value) is
    /// scratch space, reused across calls.
    @inline(__always)
    func resampledQuantile(tally: inout [UInt32], using generator: inout SeededGenerator) -> Double {
        tally.withUnsafeMutableBufferPointer { counts in
            counts.update(repeating: 0)
            resampler.tallyDraws(drawCount, into: counts, using: &generator)
            // Walk the tallies up to the rank: the order statistic of the resample.
            var seen = 0
            var index = 0
            while true {
                seen += Int(counts[index])
                if seen >= rank { break }
                index += 1
            }
            return point + scale * (resampler.values[index] - point)
        }
    }
}
