import Foundation
import TracebenchMeasure
import TracebenchResults

/// The change of a latency phase's quantiles between two runs, with a block bootstrap over their per-interval
/// histograms (`series.latency`): each replicate draws as many intervals as a run has, with replacement, from each
/// run, and takes the quantiles of their sum. Resampling whole intervals keeps what happens within a second together
/// (bursts, a GC pause, a batch export), which resampling single recordings would pretend is independent. Every
/// quantile of a phase comes from the same replicates.
struct BlockBootstrap {
    /// Quantile → candidate − base per replicate, sorted.
    let deltas: [Double: [Double]]
    let blocks: Int

    init?(phase: String, quantiles: [Double], base: RunResults, candidate: RunResults, options: Comparator.Options) {
        guard let baseBlocks = Self.blocks(base, phase), let candidateBlocks = Self.blocks(candidate, phase),
              baseBlocks.count >= 5, candidateBlocks.count >= 5 else { return nil }
        // One value grid for both runs: every bucket value either recorded, ascending.
        let grid = Array(Set((baseBlocks + candidateBlocks).flatMap { $0.map(\.value) })).sorted()
        var position: [UInt64: Int] = [:]
        for (index, value) in grid.enumerated() { position[value] = index }
        let sparse = { (blocks: [[(value: UInt64, count: UInt64)]]) in blocks.map { $0.map { (position[$0.value]!, $0.count) } } }
        let b = sparse(baseBlocks), c = sparse(candidateBlocks)
        var generator = SeededGenerator(seed: options.seed)
        var accumulator = [UInt64](repeating: 0, count: grid.count)
        func replicate(_ blocks: [[(Int, UInt64)]]) -> [Double]? {
            for index in accumulator.indices { accumulator[index] = 0 }
            var total: UInt64 = 0
            for _ in blocks.indices {
                for (index, count) in blocks[Int(generator.next(upperBound: UInt64(blocks.count)))] {
                    accumulator[index] += count
                    total += count
                }
            }
            guard total > 0 else { return nil }
            let ranks = quantiles.map { max(1, UInt64(($0 * Double(total)).rounded(.up))) }
            var values = [Double](repeating: Double(grid.last ?? 0), count: quantiles.count)
            var seen: UInt64 = 0, next = 0
            for (index, count) in accumulator.enumerated() where count > 0 {
                seen += count
                while next < ranks.count, seen >= ranks[next] {
                    values[next] = Double(grid[index])
                    next += 1
                }
                if next == ranks.count { break }
            }
            return values
        }
        var deltas = [[Double]](repeating: [], count: quantiles.count)
        for _ in 0..<options.resamples {
            guard let candidateValues = replicate(c), let baseValues = replicate(b) else { continue }
            for index in quantiles.indices { deltas[index].append(candidateValues[index] - baseValues[index]) }
        }
        guard (deltas.first?.count ?? 0) >= options.resamples / 2 else { return nil }
        self.deltas = Dictionary(uniqueKeysWithValues: zip(quantiles, deltas.map { $0.sorted() }))
        blocks = min(baseBlocks.count, candidateBlocks.count)
    }

    /// The non-empty intervals of a phase, as (bucket value, count) lists.
    static func blocks(_ r: RunResults, _ phase: String) -> [[(value: UInt64, count: UInt64)]]? {
        guard let encoded = r.series?.latency[phase] else { return nil }
        let blocks = encoded.compactMap { text -> [(value: UInt64, count: UInt64)]? in
            guard !text.isEmpty, let histogram = try? LatencyHistogram(encoded: text), histogram.count > 0 else { return nil }
            return histogram.buckets
        }
        return blocks.isEmpty ? nil : blocks
    }

    /// Percentile interval of the difference at `level` for quantile `q`.
    func interval(_ q: Double, level: Double) -> (low: Double, high: Double) {
        let sorted = deltas[q] ?? [0]
        let tail = (1 - level) / 2
        func at(_ p: Double) -> Double { sorted[min(sorted.count - 1, max(0, Int((p * Double(sorted.count - 1)).rounded())))] }
        return (at(tail), at(1 - tail))
    }

    /// Twice the smaller share of replicates on either side of 0 (at least 1 ÷ replicates).
    func pValue(_ q: Double) -> Double {
        let sorted = deltas[q] ?? []
        guard !sorted.isEmpty else { return 1 }
        let below = sorted.count { $0 <= 0 }, above = sorted.count { $0 >= 0 }
        return min(1, max(1 / Double(sorted.count), 2 * Double(min(below, above)) / Double(sorted.count)))
    }
}

/// Two-sample Kolmogorov–Smirnov on histograms: the largest gap between the empirical CDFs (compared at every bucket
/// value either holds) and its asymptotic p-value.
enum KolmogorovSmirnov {
    static func test(_ a: LatencyHistogram, _ b: LatencyHistogram) -> (statistic: Double, pValue: Double) {
        let na = Double(a.count), nb = Double(b.count)
        guard na > 0, nb > 0 else { return (0, 1) }
        let bucketsA = a.buckets, bucketsB = b.buckets
        var i = 0, j = 0
        var ca = 0.0, cb = 0.0, distance = 0.0
        while i < bucketsA.count || j < bucketsB.count {
            let va = i < bucketsA.count ? bucketsA[i].value : .max
            let vb = j < bucketsB.count ? bucketsB[j].value : .max
            let value = min(va, vb)
            if va == value { ca += Double(bucketsA[i].count); i += 1 }
            if vb == value { cb += Double(bucketsB[j].count); j += 1 }
            distance = max(distance, abs(ca / na - cb / nb))
        }
        let effective = (na * nb / (na + nb)).squareRoot()
        let lambda = (effective + 0.12 + 0.11 / effective) * distance
        // Q_KS(λ) = 2 Σ (−1)^(k−1) exp(−2k²λ²)
        var sum = 0.0
        for k in 1...100 {
            let term = 2 * (k % 2 == 1 ? 1.0 : -1.0) * exp(-2 * Double(k * k) * lambda * lambda)
            sum += term
            if abs(term) < 1e-12 { break }
        }
        return (distance, min(1, max(0, lambda < 0.3 ? 1 : sum)))
    }
}

/// Student's t distribution through the regularized incomplete beta.
enum StudentT {
    /// P(|T| ≥ t) with `degreesOfFreedom` (> 0).
    static func twoSidedPValue(_ t: Double, degreesOfFreedom v: Double) -> Double {
        guard v > 0, t.isFinite else { return t.isFinite ? 1 : 0 }
        return Distributions.regularizedIncompleteBeta(v / (v + t * t), a: v / 2, b: 0.5)
    }

    /// The `p` quantile (p > 0.5) with `degreesOfFreedom`.
    static func quantile(_ p: Double, degreesOfFreedom v: Double) -> Double {
        guard v > 0, p > 0.5, p < 1 else { return p >= 1 ? .infinity : 0 }
        // P(|T| ≥ t) = 2(1 − p) = I_x(v/2, 1/2) with x = v / (v + t²).
        let x = Distributions.betaQuantile(2 * (1 - p), a: v / 2, b: 0.5)
        return x > 0 ? (v * (1 - x) / x).squareRoot() : .infinity
    }
}
