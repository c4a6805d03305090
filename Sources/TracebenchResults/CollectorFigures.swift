import TracebenchMeasure

/// The collector under test, as tracebench saw it: spans in (exported by the SDKs, from the ledger) and out
/// (received by the sink), CPU and memory sampled every second from /proc, visibility through it, and the
/// compressed bytes it sent per trace (with storage per day at the measured rate).
public struct CollectorFigures: Codable, Sendable {
    /// Spans offered to the collector: exported by the SDKs (from the ledger) or sent by the firehose.
    public var spansIn = 0
    /// Spans the sink received from the collector (attached, with `reported`: the collector's own `sent_spans`).
    public var spansOut = 0
    /// Spans lost on the way: `spans_in` − spans its declared sampler discarded − `spans_out`, never below 0 (the
    /// collector's own refusals are in it: tracebench counts, it doesn't ask).
    public var dropped = 0
    /// Traces in (sampled traces the SDKs exported, or the firehose sent) and out (distinct traces at the sink).
    public var tracesIn = 0
    /// Traces received at the sink (`traces.received`).
    public var tracesOut = 0
    /// The offered-load window the rates are over.
    public var windowSeconds = 0.0
    /// `spans_in` ÷ `window_seconds`, spans per second (0 when the window is 0).
    public var spansPerSecondIn = 0.0
    /// `spans_out` ÷ `window_seconds`, spans per second.
    public var spansPerSecondOut = 0.0
    /// `traces_in` ÷ `window_seconds` × 60, traces per minute.
    public var tracesPerMinuteIn = 0.0
    /// `traces_out` ÷ `window_seconds` × 60, traces per minute.
    public var tracesPerMinuteOut = 0.0
    /// The collector process's mean CPU load over the run, percent of one core (0 when its process was not watched).
    public var cpuPercentAvg = 0.0
    /// Its largest CPU load between two samples, percent of one core.
    public var cpuPercentMax = 0.0
    /// Its mean sampled RSS (`VmRSS`), bytes.
    public var rssBytesAvg = 0.0
    /// Its largest sampled RSS (`VmRSS`), bytes.
    public var rssBytesMax: UInt64 = 0
    /// p99 of visibility through the collector (span end → received by the sink), ms; 0 when not measured.
    public var visibilityP99Ms = 0.0
    /// Sink body bytes ÷ traces out, bytes: what the collector sent per trace (compressed over HTTP; gRPC inflated).
    public var bytesPerTrace = 0.0
    /// `bytes_per_trace` × traces out per minute × 1,440: what storing the collector's output costs per day.
    public var storageBytesPerDay = 0.0
    /// False when the collector exports somewhere else (attach): only its resources were measured.
    public var measured = true
    /// What the collector itself counted during the run, from its Prometheus endpoint (`metrics_url`).
    public var reported: CollectorCounters?

    /// Empty figures: every count 0, `measured` true.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case spansIn = "spans_in", spansOut = "spans_out", dropped, tracesIn = "traces_in", tracesOut = "traces_out"
        case windowSeconds = "window_seconds", spansPerSecondIn = "spans_per_second_in", spansPerSecondOut = "spans_per_second_out"
        case tracesPerMinuteIn = "traces_per_minute_in", tracesPerMinuteOut = "traces_per_minute_out"
        case cpuPercentAvg = "cpu_percent_avg", cpuPercentMax = "cpu_percent_max", rssBytesAvg = "rss_bytes_avg"
        case rssBytesMax = "rss_bytes_max", visibilityP99Ms = "visibility_p99_ms", bytesPerTrace = "bytes_per_trace"
        case storageBytesPerDay = "storage_bytes_per_day", measured, reported
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        spansIn = try c(.spansIn, 0)
        spansOut = try c(.spansOut, 0)
        dropped = try c(.dropped, 0)
        tracesIn = try c(.tracesIn, 0)
        tracesOut = try c(.tracesOut, 0)
        windowSeconds = try c(.windowSeconds, 0)
        spansPerSecondIn = try c(.spansPerSecondIn, 0)
        spansPerSecondOut = try c(.spansPerSecondOut, 0)
        tracesPerMinuteIn = try c(.tracesPerMinuteIn, 0)
        tracesPerMinuteOut = try c(.tracesPerMinuteOut, 0)
        cpuPercentAvg = try c(.cpuPercentAvg, 0)
        cpuPercentMax = try c(.cpuPercentMax, 0)
        rssBytesAvg = try c(.rssBytesAvg, 0)
        rssBytesMax = try c(.rssBytesMax, 0)
        visibilityP99Ms = try c(.visibilityP99Ms, 0)
        bytesPerTrace = try c(.bytesPerTrace, 0)
        storageBytesPerDay = try c(.storageBytesPerDay, 0)
        measured = try c(.measured, true)
        reported = try c.decodeIfPresent(CollectorCounters.self, forKey: .reported)
    }

    /// The figures from a run's span and trace counts, the collector's usage, visibility and the sink's body bytes.
    public init(spans: SpanCounts, traces: TraceFigures, windowSeconds: Double, usage: ProcessUsage?, visibility: LatencySummary?,
                bodyBytes: Int, measured: Bool) {
        spansIn = spans.exported
        spansOut = spans.received
        // What a sampling collector discards by design is not lost.
        dropped = max(0, spans.exported - spans.sampledOut - spans.received)
        tracesIn = traces.expected + traces.sampledOut
        tracesOut = traces.received
        self.windowSeconds = windowSeconds
        cpuPercentAvg = usage?.cpuPercentAvg ?? 0
        cpuPercentMax = usage?.cpuPercentMax ?? 0
        rssBytesAvg = usage?.rssBytesAvg ?? 0
        rssBytesMax = usage?.rssBytesMax ?? 0
        visibilityP99Ms = Double(visibility?.p99 ?? 0) / 1000
        bytesPerTrace = traces.received > 0 ? Double(bodyBytes) / Double(traces.received) : 0
        self.measured = measured
        computeRates()
    }

    /// Adds the collector's own counters. When the sink saw nothing (an attached collector exporting elsewhere),
    /// `spans_out` is what the collector says it sent, and `dropped` is `spans_in − spans_out`.
    public mutating func add(reported counters: CollectorCounters) {
        reported = counters
        if !measured {
            spansOut = Int(counters.sentSpans)
            dropped = max(0, spansIn - spansOut)
            computeRates()
        }
    }

    private mutating func computeRates() {
        guard windowSeconds > 0 else { return }
        spansPerSecondIn = Double(spansIn) / windowSeconds
        spansPerSecondOut = Double(spansOut) / windowSeconds
        tracesPerMinuteIn = Double(tracesIn) / windowSeconds * 60
        tracesPerMinuteOut = Double(tracesOut) / windowSeconds * 60
        storageBytesPerDay = bytesPerTrace * tracesPerMinuteOut * 1440
    }
}

/// An OTel Collector's span counters over the run (the difference of two scrapes), summed over receivers,
/// exporters and labels: `otelcol_receiver_accepted_spans`, `…_refused_spans`, `otelcol_exporter_sent_spans`,
/// `…_send_failed_spans` (with or without the `_total` suffix newer collectors add).
public struct CollectorCounters: Codable, Sendable, Equatable {
    /// Spans the receivers accepted (`otelcol_receiver_accepted_spans`), a count over the run.
    public var acceptedSpans = 0.0
    /// Spans the receivers refused (`otelcol_receiver_refused_spans`).
    public var refusedSpans = 0.0
    /// Spans the exporters sent (`otelcol_exporter_sent_spans`).
    public var sentSpans = 0.0
    /// Spans the exporters failed to send (`otelcol_exporter_send_failed_spans`).
    public var sendFailedSpans = 0.0

    /// Counters from their parts (0 by default).
    public init(acceptedSpans: Double = 0, refusedSpans: Double = 0, sentSpans: Double = 0, sendFailedSpans: Double = 0) {
        self.acceptedSpans = acceptedSpans
        self.refusedSpans = refusedSpans
        self.sentSpans = sentSpans
        self.sendFailedSpans = sendFailedSpans
    }

    enum CodingKeys: String, CodingKey {
        case acceptedSpans = "accepted_spans", refusedSpans = "refused_spans", sentSpans = "sent_spans", sendFailedSpans = "send_failed_spans"
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(acceptedSpans: try c(.acceptedSpans, 0), refusedSpans: try c(.refusedSpans, 0), sentSpans: try c(.sentSpans, 0),
                  sendFailedSpans: try c(.sendFailedSpans, 0))
    }

    /// `self − earlier`, counter by counter (a collector restarted in between gives its new total).
    public func since(_ earlier: CollectorCounters) -> CollectorCounters {
        func delta(_ now: Double, _ then: Double) -> Double { now >= then ? now - then : now }
        return CollectorCounters(acceptedSpans: delta(acceptedSpans, earlier.acceptedSpans), refusedSpans: delta(refusedSpans, earlier.refusedSpans),
                                 sentSpans: delta(sentSpans, earlier.sentSpans), sendFailedSpans: delta(sendFailedSpans, earlier.sendFailedSpans))
    }
}
