import Histogram

/// Durations in nanoseconds, in an HdrHistogram (3 significant digits, 1 ns … 1 hour), for overhead measurement at
/// sub-microsecond resolution. Values above one hour clamp to the maximum and are counted in `clamped`.
///
/// Unlike ``LatencyHistogram`` (microseconds, summary only), this one also offers a ``Resampler``: a compact view of
/// the recorded distribution for bootstrapping (see ``OverheadStatistics``).
public struct SampleHistogram: Sendable {
    /// Largest duration the histogram tracks exactly (to 3 significant digits): one hour, in nanoseconds.
    public static let highestTrackableNanoseconds: UInt64 = 3_600_000_000_000

    private var histogram: Histogram<UInt64>
    /// Recordings above ``highestTrackableNanoseconds``, recorded as that value.
    public private(set) var clamped: UInt64 = 0

    /// An empty histogram.
    public init() {
        histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: Self.highestTrackableNanoseconds,
            numberOfSignificantValueDigits: .three
        )
    }

    /// Records one duration, in nanoseconds.
    public mutating func record(nanoseconds: UInt64) {
        record(nanoseconds: nanoseconds, count: 1)
    }

    /// Records `count` occurrences of one duration, in nanoseconds.
    public mutating func record(nanoseconds: UInt64, count: UInt64) {
        guard count > 0 else { return }
        var value = nanoseconds
        if value > Self.highestTrackableNanoseconds {
            clamped += count
            value = Self.highestTrackableNanoseconds
        }
        histogram.record(value, count: count)
    }

    /// Adds every recording of `other` (and its `clamped` counter) to this histogram.
    public mutating func merge(_ other: SampleHistogram) {
        // Both histograms share one layout and range, so `add` never needs to resize or trap.
        histogram.add(other.histogram)
        clamped += other.clamped
    }

    /// Number of recordings, clamped ones included.
    public var count: UInt64 { histogram.totalCount }

    /// The value at percentile `p` (0 … 100, as in HdrHistogram: 50 is the median), in nanoseconds; 0 when empty.
    ///
    /// Follows HdrHistogram's convention: the highest value equivalent (to 3 significant digits) to the smallest
    /// recording with at least `p` % of the recordings at or below it, capped at the largest recording.
    public func percentile(_ p: Double) -> Double {
        guard histogram.totalCount > 0 else { return 0 }
        return Double(histogram.valueAtPercentile(Swift.min(Swift.max(p, 0), 100)))
    }

    /// A view of the recorded distribution for resampling: distinct recorded values (each bucket represented by the
    /// middle of its 3-significant-digit range) with cumulative counts. Building it walks the histogram once.
    public func resampler() -> Resampler {
        var values: [Double] = []
        var cumulative: [UInt64] = []
        var total: UInt64 = 0
        for item in histogram.recordedValues() where item.count > 0 {
            total += item.count
            values.append(Double(histogram.medianEquivalentForValue(item.value)))
            cumulative.append(total)
        }
        return Resampler(values: values, cumulative: cumulative)
    }

    /// The empirical distribution of a ``SampleHistogram`` in a form that draws one value in O(log k) (k distinct
    /// recorded values) by binary search over cumulative counts.
    ///
    /// A guide table narrows each search: the rank range 0 ..< ``count`` is cut into about k equal slots (a power of
    /// two, so a rank's slot is a shift away), and for each slot the table holds the first value the slot can land on.
    /// The binary search then runs only between two neighbouring guide entries, which is O(1) on average (the slots
    /// carry equal probability mass) and still O(log k) at worst. This keeps the bootstrap's tens of millions of draws
    /// cheap: a plain binary search costs a branch misprediction per step.
    public struct Resampler: Sendable {
        /// Distinct recorded values in ascending order, in nanoseconds (bucket midpoints).
        public let values: [Double]
        /// `cumulative[i]` is the number of recordings at or below `values[i]`; the last element is ``count``.
        public let cumulative: [UInt64]
        /// `guide[j]` is the index drawn for rank `j << guideShift`; one extra entry, `k − 1`, closes the last slot.
        private let guide: [Int32]
        private let guideShift: UInt64

        init(values: [Double], cumulative: [UInt64]) {
            self.values = values
            self.cumulative = cumulative
            let total = cumulative.last ?? 0
            guard total > 0 else {
                guide = []
                guideShift = 0
                return
            }
            // Slot width 2^shift: the smallest power of two giving at most ~k slots (at least one rank per slot).
            let slotBits = UInt64(Swift.max(0, Int.bitWidth - (values.count - 1).leadingZeroBitCount)) + 2  // ⌈log2 k⌉ + 2
            let totalBits = UInt64(UInt64.bitWidth - (total - 1).leadingZeroBitCount)  // ⌈log2 total⌉
            guideShift = totalBits > slotBits ? totalBits - slotBits : 0
            let slots = Int((total - 1) >> guideShift) + 1
            var guide = [Int32]()
            guide.reserveCapacity(slots + 1)
            var index = 0
            for slot in 0..<slots {
                let rank = UInt64(slot) << guideShift
                while cumulative[index] <= rank { index += 1 }
                guide.append(Int32(index))
            }
            guide.append(Int32(values.count - 1))
            self.guide = guide
        }

        /// Number of recordings the distribution was built from.
        public var count: UInt64 { cumulative.last ?? 0 }

        /// One value drawn from the empirical distribution (with replacement), in nanoseconds; 0 when empty.
        public func draw(using generator: inout some RandomNumberGenerator) -> Double {
            guard !values.isEmpty else { return 0 }
            return values[drawIndex(using: &generator)]
        }

        /// Index into ``values`` of one draw; requires a non-empty distribution.
        @inline(__always)
        func drawIndex(using generator: inout some RandomNumberGenerator) -> Int {
            let rank = generator.next(upperBound: count)  // uniform in 0 ..< count
            return firstIndex(withCumulativeAbove: rank)
        }

        /// The first index whose cumulative count exceeds `rank` (binary search between guide entries); `rank` must
        /// be below ``count``.
        @inline(__always)
        func firstIndex(withCumulativeAbove rank: UInt64) -> Int {
            let slot = Int(rank >> guideShift)
            return guide.withUnsafeBufferPointer { guide in
                cumulative.withUnsafeBufferPointer { cumulative in
                    var low = Int(guide[slot])
                    var high = Int(guide[slot + 1])
                    while low < high {
                        let mid = (low + high) >> 1
                        if cumulative[mid] > rank { high = mid } else { low = mid + 1 }
                    }
                    return low
                }
            }
        }

        /// Draws `drawCount` values and adds one to `tally[i]` for each draw of `values[i]`: the hot loop of the
        /// bootstrap, written against concrete types and raw buffers so that it stays fast in debug builds too (same
        /// draws as ``drawIndex(using:)`` with the same generator). Requires a non-empty distribution and
        /// `tally.count == values.count`.
        func tallyDraws(_ drawCount: Int, into tally: UnsafeMutableBufferPointer<UInt32>, using generator: inout SeededGenerator) {
            let total = count
            let shift = guideShift
            guide.withUnsafeBufferPointer { guide in
                cumulative.withUnsafeBufferPointer { cumulative in
                    for _ in 0..<drawCount {
                        // Lemire's unbiased bounded random, as `RandomNumberGenerator.next(upperBound:)` does it.
                        var product = generator.next().multipliedFullWidth(by: total)
                        if product.low < total {
                            let threshold = (0 &- total) % total
                            while product.low < threshold { product = generator.next().multipliedFullWidth(by: total) }
                        }
                        let rank = product.high
                        let slot = Int(rank >> shift)
                        var low = Int(guide[slot])
                        var high = Int(guide[slot + 1])
                        while low < high {
                            let mid = (low + high) >> 1
                            if cumulative[mid] > rank { high = mid } else { low = mid + 1 }
                        }
                        tally[low] &+= 1
                    }
                }
            }
        }

        /// The `q` quantile (0 … 1, clamped) of the distribution, in nanoseconds, by the nearest-rank rule: the smallest value
        /// with at least `ceil(q · count)` recordings (and at least one) at or below it. 0 when empty.
        public func quantile(_ q: Double) -> Double {
            guard count > 0 else { return 0 }
            let rank = nearestRank(q, of: Int(count))
            return values[firstIndex(withCumulativeAbove: UInt64(rank - 1))]
        }
    }
}

/// The 1-based nearest rank of quantile `q` (clamped to 0 … 1; NaN counts as 0) among `n` > 0 ordered values:
/// `ceil(q · n)`, at least 1. A relative tolerance keeps products like 0.99 × 500 from rounding up one rank too far.
@inline(__always)
func nearestRank(_ q: Double, of n: Int) -> Int {
    let x = (q.isNaN ? 0 : Swift.min(Swift.max(q, 0), 1)) * Double(n)
    let rank = Int((x - x * 1e-12).rounded(.up))
    return Swift.min(Swift.max(rank, 1), n)
}
