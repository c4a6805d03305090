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

/// Builds an ``IntervalSeries`` from timestamped events. A builder made without a length grows with its events (up
/// to 100,000 intervals) and can ``seal(idleSince:)`` the intervals a long run has left behind, keeping their
/// histograms encoded (a few hundred bytes) instead of live (an HdrHistogram each: 188 KB of counts).
public struct IntervalSeriesBuilder: Sendable {
    /// The series so far: counters as counted; latency histograms are only encoded by ``build(counters:)``.
    public private(set) var series: IntervalSeries
    /// Intervals the series has (fixed, or grown to the latest event).
    private var intervals: Int
    private let limit: Int
    private var histograms: [String: [Slot]] = [:]

    /// One interval's histogram of one phase.
    private enum Slot: Sendable {
        case empty
        /// A histogram being recorded into, and when it last was (µs since the epoch, wall clock).
        case live(LatencyHistogram, touchedMicros: Int64)
        case sealed(String)

        var histogram: LatencyHistogram {
            switch self {
            case .empty: LatencyHistogram()
            case .live(let histogram, _): histogram
            case .sealed(let text): (try? LatencyHistogram(encoded: text)) ?? LatencyHistogram()
            }
        }

        var encoded: String {
            switch self {
            case .empty: ""
            case .live(let histogram, _): histogram.count > 0 ? histogram.encoded() : ""
            case .sealed(let text): text
            }
        }
    }

    /// `seconds` of run (load and drain) cut into intervals of `intervalSeconds` from `originMicros`.
    public init(originMicros: Int64, seconds: Double, intervalSeconds: Double) {
        series = IntervalSeries(intervalSeconds: intervalSeconds, originUnixMicros: originMicros)
        let wanted = intervalSeconds > 0 && seconds.isFinite ? (seconds / intervalSeconds).rounded(.up) : 1
        intervals = Int(Swift.min(Swift.max(wanted, 1), 100_000))
        limit = intervals
    }

    /// Intervals of `intervalSeconds` from `originMicros`, as many as the events reach (at most 100,000).
    public init(originMicros: Int64, intervalSeconds: Double) {
        series = IntervalSeries(intervalSeconds: intervalSeconds, originUnixMicros: originMicros)
        intervals = 0
        limit = 100_000
    }

    private mutating func index(ofMicros micros: Int64) -> Int? {
        guard let index = series.interval(ofMicros: micros, limit: limit) else { return nil }
        intervals = Swift.max(intervals, index + 1)
        return index
    }

    /// Counts one event of `counter` at `micros` (events outside the run's intervals are left out).
    public mutating func count(_ counter: String, atMicros micros: Int64, by amount: Int = 1) {
        guard let index = index(ofMicros: micros) else { return }
        var list = series.counters.removeValue(forKey: counter) ?? []
        if list.count <= index { list.append(contentsOf: repeatElement(0, count: index + 1 - list.count)) }
        list[index] += amount
        series.counters[counter] = list
    }

    /// Records a latency of `phase` that ended at `micros`.
    public mutating func record(_ phase: String, microseconds: Int64, endedAtMicros micros: Int64) {
        guard let index = index(ofMicros: micros) else { return }
        var list = histograms.removeValue(forKey: phase) ?? []
        if list.count <= index { list.append(contentsOf: repeatElement(.empty, count: index + 1 - list.count)) }
        var histogram = list[index].histogram
        list[index] = .empty  // one owner of the histogram's storage while it records
        histogram.record(microseconds: microseconds)
        list[index] = .live(histogram, touchedMicros: WallClock.nowMicros())
        histograms[phase] = list
    }

    /// Encodes the histograms nothing was recorded into since `micros` (wall clock, µs since the epoch): a long run
    /// keeps live only the intervals still being written. A later recording into a sealed one decodes it again:
    /// slower, never lost.
    public mutating func seal(idleSince micros: Int64) {
        for phase in Array(histograms.keys) {
            var list = histograms.removeValue(forKey: phase)!
            for index in list.indices {
                if case let .live(_, touched) = list[index], touched < micros { list[index] = .sealed(list[index].encoded) }
            }
            histograms[phase] = list
        }
    }

    /// Adds every counter and histogram of `other` (same origin and interval length) to this builder.
    public mutating func merge(_ other: IntervalSeriesBuilder) {
        for (name, list) in other.series.counters {
            for (index, amount) in list.enumerated() where amount != 0 {
                count(name, atMicros: series.originUnixMicros + Int64(Double(index) * series.intervalSeconds * 1e6) + 1, by: amount)
            }
            if series.counters[name] == nil { series.counters[name] = [] }
        }
        for (phase, list) in other.histograms {
            var mine = histograms.removeValue(forKey: phase) ?? []
            if mine.count < list.count { mine.append(contentsOf: repeatElement(.empty, count: list.count - mine.count)) }
            for (index, slot) in list.enumerated() {
                if case .empty = slot { continue }
                var histogram = mine[index].histogram
                histogram.merge(slot.histogram)
                mine[index] = .live(histogram, touchedMicros: WallClock.nowMicros())
            }
            histograms[phase] = mine
            intervals = Swift.max(intervals, list.count)
        }
        intervals = Swift.max(intervals, other.intervals)
    }

    /// The series with every counter present (zeros where nothing happened) and each histogram encoded.
    public func build(counters names: [String]) -> IntervalSeries {
        var result = series
        let length = Swift.max(intervals, 1)
        for name in Set(names).union(result.counters.keys) {
            var list = result.counters[name] ?? []
            if list.count < length { list.append(contentsOf: repeatElement(0, count: length - list.count)) }
            result.counters[name] = list
        }
        for (phase, list) in histograms {
            result.latency[phase] = (list + repeatElement(.empty, count: Swift.max(0, length - list.count))).map(\.encoded)
        }
        return result
    }
}
