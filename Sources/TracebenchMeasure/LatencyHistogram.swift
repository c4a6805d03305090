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

    /// p50, p90, p99, max and mean of the recordings, and the whole distribution in HdrHistogram's V2 encoding;
    /// all zeros (and no histogram) when nothing was recorded.
    public func summary() -> LatencySummary {
        guard histogram.totalCount > 0 else { return LatencySummary() }
        var summary = LatencySummary(
            count: histogram.totalCount,
            p50: histogram.valueAtPercentile(50),
            p90: histogram.valueAtPercentile(90),
            p99: histogram.valueAtPercentile(99),
            max: histogram.maxRecorded,
            mean: histogram.mean
        )
        summary.histogram = encoded()
        return summary
    }

    /// The bucket layout every latency histogram shares (1 µs … 1 hour, 3 significant digits).
    public static let layout = try! HdrLayout(lowestDiscernibleValue: 1, highestTrackableValue: highestTrackableMicroseconds, significantDigits: 3)

    /// The recordings in HdrHistogram's compressed V2 encoding, base64 (`HISTF…`), readable by every HdrHistogram
    /// implementation.
    public func encoded() -> String {
        let layout = Self.layout
        var counts = [UInt64](repeating: 0, count: layout.countsLength)
        for item in histogram.recordedValues() where item.count > 0 {
            let index = Swift.min(layout.countsIndex(for: item.value), counts.count - 1)
            counts[index] += item.count
        }
        return HdrV2Codec.encodeBase64(layout: layout, counts: counts)
    }

    /// A histogram from its V2 encoding (any HdrHistogram's, with any layout: each bucket is recorded at its lowest
    /// equivalent value, so percentiles agree to the coarser of the two precisions).
    public init(encoded text: String) throws(HdrCodecError) {
        self.init()
        let (layout, counts) = try HdrV2Codec.decode(base64: text)
        for (index, count) in counts.enumerated() where count > 0 {
            record(microseconds: Int64(clamping: layout.lowestEquivalentValue(atIndex: index)), count: count)
        }
    }

    /// Records `count` occurrences of one latency, in microseconds (clamped as ``record(microseconds:)`` does).
    public mutating func record(microseconds: Int64, count: UInt64) {
        guard count > 0 else { return }
        let value: UInt64
        if microseconds < 0 {
            negative += count
            value = 0
        } else if UInt64(microseconds) > Self.highestTrackableMicroseconds {
            clamped += count
            value = Self.highestTrackableMicroseconds
        } else {
            value = UInt64(microseconds)
        }
        histogram.record(value, count: count)
    }

    /// Each recorded bucket's value (highest equivalent, as HdrHistogram reports percentiles) and count, ascending.
    public var buckets: [(value: UInt64, count: UInt64)] {
        histogram.recordedValues().filter { $0.count > 0 }.map { (histogram.highestEquivalentForValue($0.value), $0.count) }
    }

    /// The largest recording (after clamping), exactly; 0 when empty.
    public var maxRecorded: UInt64 { histogram.totalCount == 0 ? 0 : histogram.maxRecorded }

    /// The value at percentile `p` (0…100), as HdrHistogram reports it; 0 when empty.
    public func value(atPercentile p: Double) -> UInt64 {
        histogram.totalCount == 0 ? 0 : histogram.valueAtPercentile(Swift.min(Swift.max(p, 0), 100))
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
    /// The whole distribution: HdrHistogram V2, compressed, base64 (`HISTF…`); nil in schema 1 files.
    public var histogram: String?

    enum CodingKeys: String, CodingKey {
        case count, p50, p90, p99, max, mean, histogram
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(count: try c(.count, 0), p50: try c(.p50, 0), p90: try c(.p90, 0), p99: try c(.p99, 0),
                  max: try c(.max, 0), mean: try c(.mean, 0))
        histogram = try c.decodeIfPresent(String.self, forKey: .histogram)
    }

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
