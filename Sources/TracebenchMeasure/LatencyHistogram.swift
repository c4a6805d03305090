import Histogram

/// Latencies in microseconds, in an HdrHistogram (3 significant digits, 1 µs … 1 hour, values above clamp to the max
/// and are counted in `clamped`).
///
/// Negative latencies (clock steps, or an intended start in the future) are recorded as 0 and counted in `negative`,
/// so that every `record` call is reflected in `count` and nothing is silently lost.
///
/// Recording is a non-generic counts-array increment in HdrHistogram's own layout (``layout``): hdrhistogram-swift's
/// `Histogram<UInt64>.record`, called across modules, runs unspecialised and looks up its generic metadata several times
/// per value (≈ 3,000 instructions a recording, measured under callgrind; the load generator records two per request).
/// Queries — percentiles, mean, buckets — build that `Histogram` from the counts (each bucket at its lowest equivalent
/// value, the exact maximum at its own), so every figure is computed by the library exactly as before.
public struct LatencyHistogram: Sendable {
    /// Largest latency the histogram tracks exactly (to 3 significant digits): one hour, in microseconds.
    public static let highestTrackableMicroseconds: UInt64 = 3_600_000_000

    /// The bucket layout every latency histogram shares (1 µs … 1 hour, 3 significant digits).
    public static let layout = try! HdrLayout(lowestDiscernibleValue: 1, highestTrackableValue: highestTrackableMicroseconds, significantDigits: 3)

    /// Recordings per bucket of ``layout``; empty until the first recording (an unused histogram costs no memory).
    private var counts: [UInt64] = []
    private var total: UInt64 = 0
    /// The largest recording (after clamping), exactly.
    private var largest: UInt64 = 0
    /// Recordings above ``highestTrackableMicroseconds``, recorded as that value.
    public private(set) var clamped: UInt64 = 0
    /// Negative recordings, recorded as 0.
    public private(set) var negative: UInt64 = 0

    /// An empty histogram.
    public init() {}

    /// Records one latency, in microseconds.
    public mutating func record(microseconds: Int64) {
        record(microseconds: microseconds, count: 1)
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
        if counts.isEmpty { counts = [UInt64](repeating: 0, count: Self.layout.countsLength) }
        counts[Swift.min(Self.layout.countsIndex(for: value), counts.count - 1)] &+= count
        total &+= count
        largest = Swift.max(largest, value)
    }

    /// Adds every recording of `other` (and its `clamped` and `negative` counters) to this histogram.
    public mutating func merge(_ other: LatencyHistogram) {
        clamped += other.clamped
        negative += other.negative
        guard other.total > 0 else { return }
        if counts.isEmpty {
            counts = other.counts
        } else {
            counts.withUnsafeMutableBufferPointer { mine in
                other.counts.withUnsafeBufferPointer { theirs in
                    for index in theirs.indices where theirs[index] != 0 { mine[index] &+= theirs[index] }
                }
            }
        }
        total &+= other.total
        largest = Swift.max(largest, other.largest)
    }

    /// Number of recordings, clamped and negative ones included.
    public var count: UInt64 { total }

    /// The recordings as hdrhistogram-swift's `Histogram`, for its percentile and mean arithmetic.
    private var histogram: Histogram<UInt64> {
        var histogram = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: Self.highestTrackableMicroseconds,
                                          numberOfSignificantValueDigits: .three)
        let largestIndex = Self.layout.countsIndex(for: largest)
        for (index, count) in counts.enumerated() where count > 0 {
            if index == largestIndex {
                histogram.record(largest, count: 1)
                if count > 1 { histogram.record(Self.layout.lowestEquivalentValue(atIndex: index), count: count - 1) }
            } else {
                histogram.record(Self.layout.lowestEquivalentValue(atIndex: index), count: count)
            }
        }
        return histogram
    }

    /// p50, p90, p99, max and mean of the recordings, and the whole distribution in HdrHistogram's V2 encoding;
    /// all zeros (and no histogram) when nothing was recorded.
    public func summary() -> LatencySummary {
        guard total > 0 else { return LatencySummary() }
        let histogram = histogram
        var summary = LatencySummary(
            count: total,
            p50: histogram.valueAtPercentile(50),
            p90: histogram.valueAtPercentile(90),
            p99: histogram.valueAtPercentile(99),
            max: largest,
            mean: histogram.mean
        )
        summary.histogram = encoded()
        return summary
    }

    /// The recordings in HdrHistogram's compressed V2 encoding, base64 (`HISTF…`), readable by every HdrHistogram
    /// implementation.
    public func encoded() -> String {
        HdrV2Codec.encodeBase64(layout: Self.layout, counts: counts.isEmpty ? [UInt64](repeating: 0, count: Self.layout.countsLength) : counts)
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

    /// Each recorded bucket's value (highest equivalent, as HdrHistogram reports percentiles) and count, ascending.
    public var buckets: [(value: UInt64, count: UInt64)] {
        counts.indices.filter { counts[$0] > 0 }.map { (Self.layout.highestEquivalentValue(atIndex: $0), counts[$0]) }
    }

    /// The largest recording (after clamping), exactly; 0 when empty.
    public var maxRecorded: UInt64 { largest }

    /// The value at percentile `p` (0…100), as HdrHistogram reports it; 0 when empty.
    public func value(atPercentile p: Double) -> UInt64 {
        total == 0 ? 0 : histogram.valueAtPercentile(Swift.min(Swift.max(p, 0), 100))
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
