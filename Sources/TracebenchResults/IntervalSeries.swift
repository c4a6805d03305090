import TracebenchMeasure

/// A run over time, one entry per interval of `interval_seconds` from the load's start: counters and, per latency
/// phase, the interval's HdrHistogram (V2, base64; "" when the interval had no recording). What `compare` (block
/// bootstrap), `report` (percentiles over time) and `over:` windows of thresholds read.
public struct IntervalSeries: Codable, Sendable, Equatable {
    /// The counter names, defined once.
    public enum Counter {
        /// Jobs the API accepted, at their submission time.
        public static let submitted = "submitted"
        /// Jobs completed, at their completion time.
        public static let completed = "completed"
        /// Jobs failed, at their completion time.
        public static let failed = "failed"
        /// Spans received at the sink, at their arrival time.
        public static let spansAtSink = "spans_at_sink"
        /// Distinct traces, counted when their first span reached the sink.
        public static let tracesAtSink = "traces_at_sink"
        /// Arrivals dropped (`max_in_flight` submissions outstanding), at their intended start.
        public static let droppedArrivals = "dropped_arrivals"
    }

    /// Length of one interval, s (`report_interval_s`).
    public var intervalSeconds = 1.0
    /// Time zero: the load's start, microseconds since the Unix epoch.
    public var originUnixMicros: Int64 = 0
    /// Counter name → count per interval.
    public var counters: [String: [Int]] = [:]
    /// Phase → histogram per interval (by when the measured event ended).
    public var latency: [String: [String]] = [:]

    /// An empty series of `intervalSeconds` intervals from `originUnixMicros`.
    public init(intervalSeconds: Double = 1, originUnixMicros: Int64 = 0) {
        self.intervalSeconds = intervalSeconds
        self.originUnixMicros = originUnixMicros
    }

    enum CodingKeys: String, CodingKey {
        case intervalSeconds = "interval_seconds", originUnixMicros = "origin_unix_micros", counters, latency
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        intervalSeconds = try c(.intervalSeconds, 1)
        originUnixMicros = try c(.originUnixMicros, 0)
        counters = try c(.counters, [:])
        latency = try c(.latency, [:])
    }

    /// Number of intervals.
    public var count: Int { (counters.values.map(\.count) + latency.values.map(\.count)).max() ?? 0 }

    /// The interval a timestamp falls in (nil before the origin or past `limit` intervals).
    public func interval(ofMicros micros: Int64, limit: Int) -> Int? {
        guard micros >= originUnixMicros, intervalSeconds > 0 else { return nil }
        let index = Int(Double(micros - originUnixMicros) / (intervalSeconds * 1e6))
        return index < limit ? index : nil
    }
}

/// Builds an ``IntervalSeries`` from timestamped events.
public struct IntervalSeriesBuilder: Sendable {
    /// The series so far: counters as counted; latency histograms are only encoded by ``build(counters:)``.
    public private(set) var series: IntervalSeries
    private let intervals: Int
    private var histograms: [String: [LatencyHistogram]] = [:]

    /// `seconds` of run (load and drain) cut into intervals of `intervalSeconds` from `originMicros`.
    public init(originMicros: Int64, seconds: Double, intervalSeconds: Double) {
        series = IntervalSeries(intervalSeconds: intervalSeconds, originUnixMicros: originMicros)
        let wanted = intervalSeconds > 0 && seconds.isFinite ? (seconds / intervalSeconds).rounded(.up) : 1
        intervals = Int(Swift.min(Swift.max(wanted, 1), 100_000))
    }

    /// Counts one event of `counter` at `micros` (events outside the run's intervals are left out).
    public mutating func count(_ counter: String, atMicros micros: Int64, by amount: Int = 1) {
        guard let index = series.interval(ofMicros: micros, limit: intervals) else { return }
        if series.counters[counter] == nil { series.counters[counter] = Array(repeating: 0, count: intervals) }
        series.counters[counter]![index] += amount
    }

    /// Records a latency of `phase` that ended at `micros`.
    public mutating func record(_ phase: String, microseconds: Int64, endedAtMicros micros: Int64) {
        guard let index = series.interval(ofMicros: micros, limit: intervals) else { return }
        if histograms[phase] == nil { histograms[phase] = Array(repeating: LatencyHistogram(), count: intervals) }
        histograms[phase]![index].record(microseconds: microseconds)
    }

    /// The series with every counter present (zeros where nothing happened) and each histogram encoded.
    public func build(counters names: [String]) -> IntervalSeries {
        var result = series
        for name in names where result.counters[name] == nil {
            result.counters[name] = Array(repeating: 0, count: intervals)
        }
        for (phase, list) in histograms {
            result.latency[phase] = list.map { $0.count > 0 ? $0.encoded() : "" }
        }
        return result
    }
}
