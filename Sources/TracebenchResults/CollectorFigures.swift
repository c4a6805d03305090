import TracebenchMeasure

/// The collector under test, as tracebench saw it: spans in (exported by the SDKs, from the ledger) and out
/// (received by the sink), CPU and memory sampled every second from /proc, visibility through it, and the
/// compressed bytes it sent per trace (with storage per day at the measured rate).
public struct CollectorFigures: Codable, Sendable {
    public var spansIn = 0
    public var spansOut = 0
    /// `spans_in − spans_out` (the collector's own refusals are in it: tracebench counts, it doesn't ask).
    public var dropped = 0
    /// Traces in (sampled traces the SDKs exported, or the firehose sent) and out (distinct traces at the sink).
    public var tracesIn = 0
    public var tracesOut = 0
    /// The offered-load window the rates are over.
    public var windowSeconds = 0.0
    public var spansPerSecondIn = 0.0
    public var spansPerSecondOut = 0.0
    public var tracesPerMinuteIn = 0.0
    public var tracesPerMinuteOut = 0.0
    public var cpuPercentAvg = 0.0
    public var cpuPercentMax = 0.0
    public var rssBytesAvg = 0.0
    public var rssBytesMax: UInt64 = 0
    public var visibilityP99Ms = 0.0
    public var bytesPerTrace = 0.0
    /// `bytes_per_trace` × traces out per minute × 1,440: what storing the collector's output costs per day.
    public var storageBytesPerDay = 0.0
    /// False when the collector exports somewhere else (attach): only its resources were measured.
    public var measured = true
    /// What the collector itself counted during the run, from its Prometheus endpoint (`metrics_url`).
    public var reported: CollectorCounters?

    public init(spans: SpanCounts, traces: TraceFigures, windowSeconds: Double, usage: ProcessUsage?, visibility: LatencySummary?,
                bodyBytes: Int, measured: Bool) {
        spansIn = spans.exported
        spansOut = spans.received
        dropped = max(0, spans.exported - spans.received)
        tracesIn = traces.expected
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
    public var acceptedSpans = 0.0
    public var refusedSpans = 0.0
    public var sentSpans = 0.0
    public var sendFailedSpans = 0.0

    public init(acceptedSpans: Double = 0, refusedSpans: Double = 0, sentSpans: Double = 0, sendFailedSpans: Double = 0) {
        self.acceptedSpans = acceptedSpans
        self.refusedSpans = refusedSpans
        self.sentSpans = sentSpans
        self.sendFailedSpans = sendFailedSpans
    }

    /// `self − earlier`, counter by counter (a collector restarted in between gives its new total).
    public func since(_ earlier: CollectorCounters) -> CollectorCounters {
        func delta(_ now: Double, _ then: Double) -> Double { now >= then ? now - then : now }
        return CollectorCounters(acceptedSpans: delta(acceptedSpans, earlier.acceptedSpans), refusedSpans: delta(refusedSpans, earlier.refusedSpans),
                                 sentSpans: delta(sentSpans, earlier.sentSpans), sendFailedSpans: delta(sendFailedSpans, earlier.sendFailedSpans))
    }
}


