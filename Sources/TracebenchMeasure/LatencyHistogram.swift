import Histogram

/// Latencies in microseconds, in an HdrHistogram (3 significant digits, 1 µs … 1 hour, values above clamp to the max
/// and are counted in `clamped`).
///
/// Negative latencies (clock steps, or an intended start in the future) are recorded as 0 and counted in `negative`,
/// so that every `record` call is reflected in `count` and nothing is silently lost.
public struct LatencyHistogram: Sendable {
    /// Largest latency the histogram tracks exactly (to 3 significant digits): one hour, in microseconds.
    public static let highestTrackableMicroseconds: UInt64 = 3_600_000_000

    private var histogram: Histogram<UInt64>
    /// Recordings above ``highestTrackableMicroseconds``, recorded as that value.
    public private(set) var clamped: UInt64 = 0
    /// Negative recordings, recorded as 0.
    public private(set) var negative: UInt64 = 0

    /// An empty histogram.
    public init() {
        histogram = Histogram<UInt64>(
            lowestDiscernibleValue: 1,
            highestTrackableValue: Self.highestTrackableMicroseconds,
            numberOfSignificantValueDigits: .three
        )
    }

    /// Records one latency, in microseconds.
    public mutating func record(microseconds: Int64) {
        let value: UInt64
        if microseconds < 0 {
            negative += 1
            value = 0
        } else if UInt64(microseconds) > Self.highestTrackableMicroseconds {
            clamped += 1
            value = Self.highestTrackableMicroseconds
        } else {
            value = UInt64(microseconds)
        }
        histogram.record(value)
    }

    /// Adds every recording of `other` (and its `clamped` and `negative` counters) to this histogram.
    public mutating func merge(_ other: LatencyHistogram) {
        // Both histograms share one layout and range, so `add` never needs to resize or trap.
        histogram.add(other.histogram)
        clamped += other.clamped
        negative += other.negative
    }

    /// Number of recordings, clamped and negative ones included.
    public var count: UInt64 { histogram.totalCount }

    /// p50, p90, p99, max and mean of the recordings; all zeros when nothing was recorded.
    public func summary() -> LatencySummary {
        guard histogram.totalCount > 0 else { return LatencySummary() }
        return LatencySummary(
            count: histogram.totalCount,
            p50: histogram.valueAtPercentile(50),
            p90: histogram.valueAtPercentile(90),
            p99: histogram.valueAtPercentile(99),
            max: histogram.maxRecorded,
            mean: histogram.mean
        )
    }
}

/// Percentiles of a latency histogram, in microseconds.
///
/// Percentiles carry the histogram's precision (3 significant digits); `max` is the exact largest recording (after
/// clamping) and `mean` is computed from the histogram's buckets.
public struct LatencySummary: Codable, Sendable, Equatable {
    /// Number of recordings.
    public var count: UInt64
    public var p50: UInt64
    public var p90: UInt64
    public var p99: UInt64
    public var max: UInt64
    public var mean: Double

    /// A summary; the defaults describe an empty histogram.
    public init(count: UInt64 = 0, p50: UInt64 = 0, p90: UInt64 = 0, p99: UInt64 = 0, max: UInt64 = 0, mean: Double = 0) {
        self.count = count
        self.p50 = p50
        self.p90 = p90
        self.p99 = p99
        self.max = max
        self.mean = mean
    }
}
