import TracebenchMeasure

/// The job ledger: `submitted = completed + failed + pending` always holds.
public struct JobCounts: Codable, Sendable, Equatable {
    /// Jobs the API accepted (201).
    public var submitted = 0
    /// Jobs the ledger records as completed.
    public var completed = 0
    /// Jobs the ledger records as failed.
    public var failed = 0
    /// Accepted but not finished when the run ended (queued or in progress).
    public var pending = 0
    /// Arrivals not started because `max_in_flight` submissions were outstanding (k6's dropped_iterations).
    public var droppedArrivals = 0
    /// Arrivals started more than 1 ms after their intended time.
    public var lateStarts = 0
    /// Submissions that failed (HTTP error or transport error).
    public var submitErrors = 0
    /// Extra attempts the workers made (attempts beyond the first).
    public var retries = 0
    /// Attempt timeouts the workers recorded, summed over the ledger's jobs.
    public var timeouts = 0

    /// Empty counts; the run fills them in.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case submitted, completed, failed, pending, droppedArrivals = "dropped_arrivals", lateStarts = "late_starts"
        case submitErrors = "submit_errors", retries, timeouts
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        submitted = try c(.submitted, 0)
        completed = try c(.completed, 0)
        failed = try c(.failed, 0)
        pending = try c(.pending, 0)
        droppedArrivals = try c(.droppedArrivals, 0)
        lateStarts = try c(.lateStarts, 0)
        submitErrors = try c(.submitErrors, 0)
        retries = try c(.retries, 0)
        timeouts = try c(.timeouts, 0)
    }
}

/// How the received traces compare with the ledger.
public struct TraceFigures: Codable, Sendable {
    /// Figures with `completeness` not measured (null), for a run to fill in what it measured.
    public static var notMeasured: TraceFigures {
        var figures = TraceFigures()
        figures.completeness = nil
        return figures
    }

    /// Traces the SDKs sampled and, with `collector.sampling`, the collector's rule keeps: what should arrive whole.
    public var expected = 0
    /// Traces the SDKs sampled that the collector's declared sampler rejects (a tail sampler still forwards their
    /// error spans); not counted in `expected`.
    public var sampledOut = 0
    /// Traces with a span at the sink: jobs' API traces from the ledger (firehose: distinct trace ids).
    public var received = 0
    /// Received traces with every expected span and no orphan (firehose: exactly `spans_per_trace` spans).
    public var complete = 0
    /// complete ÷ expected; null when no trace could be measured (tracing off, nothing expected, the system never ran).
    /// Files before this version wrote 1.0 when nothing was expected.
    public var completeness: Double? = 1.0
    /// Received spans whose parent span did not arrive.
    public var orphanSpans = 0
    /// Jobs whose worker spans arrived in a different trace than their API spans.
    public var brokenContext = 0
    /// Share of jobs (whose API and worker spans both arrived) with a broken context, with its 95 % interval.
    public var brokenContextShare = ProportionEstimate.wilson(successes: 0, trials: 0)
    /// Max depth of each received trace → count (keys are depths as text).
    public var depth: [String: Int] = [:]
    /// Depth of the deepest received trace (a root is depth 1).
    public var maxDepth = 0
    /// Received spans with ERROR status.
    public var errorSpans = 0
    /// Received traces with at least one ERROR span.
    public var tracesWithErrors = 0
    /// Share of error spans (with a received parent) whose parent is also ERROR.
    public var errorAttribution = ProportionEstimate.wilson(successes: 0, trials: 0)

    /// Empty figures (`completeness` 1); the run fills them in.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case expected, received, complete, completeness, orphanSpans = "orphan_spans", brokenContext = "broken_context"
        case brokenContextShare = "broken_context_share", depth, maxDepth = "max_depth", errorSpans = "error_spans"
        case tracesWithErrors = "traces_with_errors", errorAttribution = "error_attribution", sampledOut = "sampled_out"
    }

    /// Reads any schema version; absent keys take their defaults (an absent `completeness` is 1, a null one nil).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let empty = ProportionEstimate.wilson(successes: 0, trials: 0)
        expected = try c(.expected, 0)
        sampledOut = try c(.sampledOut, 0)
        received = try c(.received, 0)
        complete = try c(.complete, 0)
        // An explicit null is "not measured"; an absent key (older files) is the old default.
        completeness = c.contains(.completeness) ? try c.decodeIfPresent(Double.self, forKey: .completeness) : 1
        orphanSpans = try c(.orphanSpans, 0)
        brokenContext = try c(.brokenContext, 0)
        brokenContextShare = try c(.brokenContextShare, empty)
        depth = try c(.depth, [:])
        maxDepth = try c(.maxDepth, 0)
        errorSpans = try c(.errorSpans, 0)
        tracesWithErrors = try c(.tracesWithErrors, 0)
        errorAttribution = try c(.errorAttribution, empty)
    }

    /// Writes every key; `completeness` as null when not measured, never left out.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(expected, forKey: .expected)
        try c.encode(sampledOut, forKey: .sampledOut)
        try c.encode(received, forKey: .received)
        try c.encode(complete, forKey: .complete)
        try c.encode(completeness, forKey: .completeness)  // null when not measured, never left out
        try c.encode(orphanSpans, forKey: .orphanSpans)
        try c.encode(brokenContext, forKey: .brokenContext)
        try c.encode(brokenContextShare, forKey: .brokenContextShare)
        try c.encode(depth, forKey: .depth)
        try c.encode(maxDepth, forKey: .maxDepth)
        try c.encode(errorSpans, forKey: .errorSpans)
        try c.encode(tracesWithErrors, forKey: .tracesWithErrors)
        try c.encode(errorAttribution, forKey: .errorAttribution)
    }
}

/// Configured vs observed head sampling of root (API) traces.
public struct SamplingFigures: Codable, Sendable {
    /// Figures with `observed_ratio` not measured (null), for a run to fill in what it measured.
    public static var notMeasured: SamplingFigures {
        var figures = SamplingFigures()
        figures.observedRatio = nil
        return figures
    }

    /// The head-sampling ratio the scenario configures for the API, a share 0…1.
    public var configuredRatio = 0.0
    /// Jobs whose API trace reached the sink ÷ `trials` (jobs of an exporting arm; black-box: the system's own
    /// decisions); null when not measured (tracing off, no sampled flag on the correlation channel).
    public var observedRatio: Double? = 0.0
    /// Lower bound of `observed_ratio`'s 95 % Wilson interval.
    public var ciLow = 0.0
    /// Upper bound of `observed_ratio`'s 95 % Wilson interval.
    public var ciHigh = 1.0
    /// Jobs the SDK decided to sample ÷ jobs submitted (from the ledger, before export).
    public var decidedRatio = 0.0
    /// Jobs of an exporting arm: the denominator of `observed_ratio`.
    public var trials = 0
    /// Error jobs (a failed attempt) whose trace reached the sink with its error span — exact 95 % interval.
    public var errorRetention: ProportionEstimate?
    /// …whose trace also arrived complete.
    public var completeErrorRetention: ProportionEstimate?
    /// Jobs that never failed whose trace reached the sink.
    public var normalRetention: ProportionEstimate?
    /// The slowest 1 % of jobs (end to end) whose trace reached the sink.
    public var slowRetention: ProportionEstimate?
    /// SDK sampler then the collector's sampler (when `collector.sampling` is declared).
    public var chain: SamplingChainFigures?
    /// Totals estimated from the sampled traces, weighted 1/p, against the ledger.
    public var adjusted: AdjustedCounts?
    /// The API's trace context and sampling decision as the workers received them.
    public var propagation: PropagationFigures?

    /// Empty figures; the run fills them in.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case configuredRatio = "configured_ratio", observedRatio = "observed_ratio", ciLow = "ci_low", ciHigh = "ci_high"
        case decidedRatio = "decided_ratio", trials, errorRetention = "error_retention", completeErrorRetention = "complete_error_retention"
        case normalRetention = "normal_retention", slowRetention = "slow_retention", chain, adjusted, propagation
    }

    /// Reads any schema version; absent keys take their defaults (an absent `observed_ratio` is 0, a null one nil).
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        configuredRatio = try c(.configuredRatio, 0)
        observedRatio = c.contains(.observedRatio) ? try c.decodeIfPresent(Double.self, forKey: .observedRatio) : 0
        ciLow = try c(.ciLow, 0)
        ciHigh = try c(.ciHigh, 1)
        decidedRatio = try c(.decidedRatio, 0)
        trials = try c(.trials, 0)
        errorRetention = try c.decodeIfPresent(ProportionEstimate.self, forKey: .errorRetention)
        completeErrorRetention = try c.decodeIfPresent(ProportionEstimate.self, forKey: .completeErrorRetention)
        normalRetention = try c.decodeIfPresent(ProportionEstimate.self, forKey: .normalRetention)
        slowRetention = try c.decodeIfPresent(ProportionEstimate.self, forKey: .slowRetention)
        chain = try c.decodeIfPresent(SamplingChainFigures.self, forKey: .chain)
        adjusted = try c.decodeIfPresent(AdjustedCounts.self, forKey: .adjusted)
        propagation = try c.decodeIfPresent(PropagationFigures.self, forKey: .propagation)
    }

    /// Writes every key but the absent optional figures; `observed_ratio` as null when not measured.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(configuredRatio, forKey: .configuredRatio)
        try c.encode(observedRatio, forKey: .observedRatio)  // null when not measured, never left out
        try c.encode(ciLow, forKey: .ciLow)
        try c.encode(ciHigh, forKey: .ciHigh)
        try c.encode(decidedRatio, forKey: .decidedRatio)
        try c.encode(trials, forKey: .trials)
        try c.encodeIfPresent(errorRetention, forKey: .errorRetention)
        try c.encodeIfPresent(completeErrorRetention, forKey: .completeErrorRetention)
        try c.encodeIfPresent(normalRetention, forKey: .normalRetention)
        try c.encodeIfPresent(slowRetention, forKey: .slowRetention)
        try c.encodeIfPresent(chain, forKey: .chain)
        try c.encodeIfPresent(adjusted, forKey: .adjusted)
        try c.encodeIfPresent(propagation, forKey: .propagation)
    }
}

/// Rates over the load window (`window_seconds`, the scenario's duration).
public struct Throughput: Codable, Sendable {
    /// The load window the rates are over, s: `duration_s`, shorter when the run stopped early.
    public var windowSeconds = 0.0
    /// Jobs the API accepted per second (`jobs.submitted` ÷ window).
    public var jobsSubmittedPerSecond = 0.0
    /// Jobs finished (completed or failed) per second.
    public var jobsCompletedPerSecond = 0.0
    /// Distinct traces received at the sink per minute.
    public var tracesPerMinute = 0.0
    /// Spans received at the sink per second.
    public var spansPerSecond = 0.0

    /// Zero rates; the run fills them in.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case windowSeconds = "window_seconds", jobsSubmittedPerSecond = "jobs_submitted_per_second"
        case jobsCompletedPerSecond = "jobs_completed_per_second", tracesPerMinute = "traces_per_minute"
        case spansPerSecond = "spans_per_second"
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        windowSeconds = try c(.windowSeconds, 0)
        jobsSubmittedPerSecond = try c(.jobsSubmittedPerSecond, 0)
        jobsCompletedPerSecond = try c(.jobsCompletedPerSecond, 0)
        tracesPerMinute = try c(.tracesPerMinute, 0)
        spansPerSecond = try c(.spansPerSecond, 0)
    }
}

/// Span accounting; `dropped = exported − received` (swift-otel reports no drop count of its own).
public struct SpanCounts: Codable, Sendable {
    /// Spans the instrumentation started (sampled or not).
    public var created = 0
    /// Sampled spans handed to the OTLP exporter (0 unless mode is otlp).
    public var exported = 0
    /// Spans the embedded sink received.
    public var received = 0
    /// Exported spans the collector's declared sampler (`collector.sampling`) discarded: expected, not lost.
    public var sampledOut = 0
    /// Lost: exported − sampled out − received.
    public var dropped = 0
    /// Received spans that arrived after their trace's deadline (`visibility_deadline_s` after its job finished), so
    /// not judged: target runs, and built-in runs that judge traces live (all but overhead runs); nil where no deadline
    /// applies.
    public var late: Int?
    /// Target and listen runs: extra copies of spans received twice or more (same trace and span id), counted once
    /// in every other figure; nil where not counted.
    public var duplicates: Int?
    /// Target runs: spans of traces no job owns (background traffic), in no other figure; nil where not counted.
    public var unowned: Int?

    /// Zero counts; the run fills them in.
    public init() {}

    enum CodingKeys: String, CodingKey { case created, exported, received, dropped, sampledOut = "sampled_out", late, duplicates, unowned }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        created = try c(.created, 0)
        exported = try c(.exported, 0)
        received = try c(.received, 0)
        sampledOut = try c(.sampledOut, 0)
        dropped = try c(.dropped, 0)
        late = try c.decodeIfPresent(Int.self, forKey: .late)
        duplicates = try c.decodeIfPresent(Int.self, forKey: .duplicates)
        unowned = try c.decodeIfPresent(Int.self, forKey: .unowned)
    }
}

/// What the embedded sink saw on the wire.
public struct SinkCounts: Codable, Sendable {
    /// Export requests accepted, over either transport…
    public var requests = 0
    /// …of which over OTLP/gRPC.
    public var grpcRequests = 0
    /// Body bytes as received: compressed over HTTP when the sender compressed; gRPC messages after inflation.
    public var bodyBytes = 0
    /// Requests refused, by reason (`malformed`, `too_large`, `unsupported_media_type`, `bad_encoding`, `timeout`).
    public var rejected: [String: Int] = [:]

    /// Zero counts; the run fills them in.
    public init() {}

    /// Spans accepted past the sink's `max_spans`: counted, not stored (the run then fails: its figures are partial).
    public var overflow = 0
    /// Runs that judge traces as they complete (built-in runs but overhead runs): the most spans the sink held at
    /// once — the traces in flight, not the run; nil where the sink keeps every span.
    public var peakOpenSpans: Int?

    /// The problem an overflowing sink makes (nil when nothing overflowed).
    public var overflowProblem: Problem? {
        overflow > 0 ? Problem(.sinkOverflow, "the sink kept its limit of spans (sink.max_spans) and counted \(overflow) more without keeping them: trace figures are partial") : nil
    }

    enum CodingKeys: String, CodingKey { case requests, grpcRequests = "grpc_requests", bodyBytes = "body_bytes", rejected, overflow, peakOpenSpans = "peak_open_spans" }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        requests = try c(.requests, 0)
        grpcRequests = try c(.grpcRequests, 0)
        bodyBytes = try c(.bodyBytes, 0)
        rejected = try c(.rejected, [:])
        overflow = try c(.overflow, 0)
        peakOpenSpans = try c.decodeIfPresent(Int.self, forKey: .peakOpenSpans)
    }
}

/// What a firehose sender did (spans received are in `spans`, drops in `spans.dropped`).
public struct FirehoseFigures: Codable, Sendable {
    /// Export requests sent, failed ones included.
    public var requestsSent = 0
    /// Requests that failed: a non-2xx HTTP answer, a gRPC error status or a transport error.
    public var requestsFailed = 0
    /// Batches not sent because `concurrency` requests were outstanding.
    public var batchesDropped = 0
    /// Spans in the requests that succeeded.
    public var spansSent = 0
    /// Encoded OTLP body bytes of the requests that succeeded, uncompressed.
    public var bytesSent = 0
    /// `spans_sent` ÷ the offered window (`throughput.window_seconds`), spans per second.
    public var sendRateSpansPerSecond = 0.0

    /// Figures from their parts (0 by default).
    public init(requestsSent: Int = 0, requestsFailed: Int = 0, batchesDropped: Int = 0, spansSent: Int = 0, bytesSent: Int = 0,
                sendRateSpansPerSecond: Double = 0) {
        self.requestsSent = requestsSent
        self.requestsFailed = requestsFailed
        self.batchesDropped = batchesDropped
        self.spansSent = spansSent
        self.bytesSent = bytesSent
        self.sendRateSpansPerSecond = sendRateSpansPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case requestsSent = "requests_sent", requestsFailed = "requests_failed", batchesDropped = "batches_dropped"
        case spansSent = "spans_sent", bytesSent = "bytes_sent", sendRateSpansPerSecond = "send_rate_spans_per_second"
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(requestsSent: try c(.requestsSent, 0), requestsFailed: try c(.requestsFailed, 0), batchesDropped: try c(.batchesDropped, 0),
                  spansSent: try c(.spansSent, 0), bytesSent: try c(.bytesSent, 0), sendRateSpansPerSecond: try c(.sendRateSpansPerSecond, 0))
    }
}
