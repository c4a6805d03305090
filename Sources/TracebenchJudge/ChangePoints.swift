import Foundation
import TracebenchMeasure
import TracebenchResults

/// Change points in a series of nightly figures, by binary segmentation with a Welch t statistic and a permutation
/// test — the approach of MongoDB's signal-processing work and Apache Otava (formerly Hunter), which replaced
/// E-divisive's energy statistic with a t-test for speed: find the split that best separates the means, keep it if
/// a permutation test says such a split is unlikely by chance, recurse on both halves.
public enum ChangePoints {
    /// One change point: the index of the first value after the shift, the means on either side, its p-value.
    public struct Change: Codable, Sendable, Equatable {
        public var index: Int
        public var before: Double
        public var after: Double
        public var pValue: Double

        enum CodingKeys: String, CodingKey { case index, before, after, pValue = "p_value" }

        /// The shift in percent of the mean before it.
        public var percent: Double { before != 0 ? (after - before) / abs(before) * 100 : 0 }
    }

    /// Change points of `values`, each segment at least `minimumSegment` long, significant at `alpha` by
    /// `permutations` shuffles (seeded: the same series gives the same answer).
    public static func detect(_ values: [Double], alpha: Double = 0.01, minimumSegment: Int = 3, permutations: Int = 400,
                              seed: UInt64 = 2026) -> [Change] {
        var generator = SeededGenerator(seed: seed)
        var found: [Change] = []
        func search(_ range: Range<Int>) {
            let segment = Array(values[range])
            guard segment.count >= 2 * minimumSegment, let best = bestSplit(segment, minimumSegment: minimumSegment) else { return }
            var exceed = 0
            var shuffled = segment
            for _ in 0..<permutations {
                shuffled.shuffle(using: &generator)
                if (bestSplit(shuffled, minimumSegment: minimumSegment)?.t ?? 0) >= best.t { exceed += 1 }
            }
            let p = Double(exceed + 1) / Double(permutations + 1)
            guard p <= alpha else { return }
            let split = range.lowerBound + best.index
            found.append(Change(index: split, before: mean(values[range.lowerBound..<split]), after: mean(values[split..<range.upperBound]), pValue: p))
            search(range.lowerBound..<split)
            search(split..<range.upperBound)
        }
        search(0..<values.count)
        return found.sorted { $0.index < $1.index }
    }

    /// The split maximizing |Welch t| between the two sides.
    static func bestSplit(_ values: [Double], minimumSegment: Int) -> (index: Int, t: Double)? {
        var best: (index: Int, t: Double)?
        for split in minimumSegment...(values.count - minimumSegment) {
            let t = abs(welch(values[..<split], values[split...]))
            if t.isFinite, t > (best?.t ?? -1) { best = (split, t) }
        }
        return best
    }

    static func mean(_ values: ArraySlice<Double>) -> Double { values.reduce(0, +) / Double(max(values.count, 1)) }

    static func welch(_ a: ArraySlice<Double>, _ b: ArraySlice<Double>) -> Double {
        let ma = mean(a), mb = mean(b)
        let va = a.reduce(0) { $0 + ($1 - ma) * ($1 - ma) } / Double(max(a.count - 1, 1))
        let vb = b.reduce(0) { $0 + ($1 - mb) * ($1 - mb) } / Double(max(b.count - 1, 1))
        // A floor on the variance keeps a perfectly flat segment from making every split infinitely significant.
        let se = max((va / Double(a.count) + vb / Double(b.count)).squareRoot(), 1e-12 * max(abs(ma), abs(mb), 1))
        return (mb - ma) / se
    }
}
