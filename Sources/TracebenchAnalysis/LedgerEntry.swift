import TracebenchMeasure
import TracebenchSink
import TracebenchVocabulary

/// What the pipeline says happened to one job (read back from its `job:{id}` hash): the ground truth that
/// received spans are checked against.
public struct LedgerEntry: Sendable, Equatable {
    public var jobID: String
    /// `completed`, `failed` or `pending`.
    public var status: String
    /// The API's trace id (empty when tracing produced none, e.g. always_off).
    public var traceID: String
    public var traceSampled: Bool
    public var contextDropped: Bool
    public var apiSpans: Int
    /// Spans the worker started (0 until the job finished).
    public var workerSpans: Int
    public var workerTraceID: String
    public var workerSampled: Bool
    public var attempts: Int
    public var timeouts: Int
    /// Timestamps in µs since the epoch (0 when not reached).
    public var intendedStartMicros: Int64
    public var submittedAtMicros: Int64
    public var claimedAtMicros: Int64
    public var completedAtMicros: Int64
    /// Overhead runs: the job's arm (index into `overhead.arms`).
    public var arm: Int = 0
    /// Worker time on the job (claim → result), monotonic ns.
    public var processNanos: Int64 = 0
    /// Whether the worker extracted a parent span context from the job's `trace_context` (none after `always_off` at
    /// the API, whose span has an empty context, or when a fault dropped it).
    public var contextPropagated = false

    public init(
        jobID: String, status: String, traceID: String = "", traceSampled: Bool = false, contextDropped: Bool = false,
        apiSpans: Int = 0, workerSpans: Int = 0, workerTraceID: String = "", workerSampled: Bool = false,
        attempts: Int = 0, timeouts: Int = 0, intendedStartMicros: Int64 = 0, submittedAtMicros: Int64 = 0,
        claimedAtMicros: Int64 = 0, completedAtMicros: Int64 = 0
    ) {
        self.jobID = jobID
        self.status = status
        self.traceID = traceID
        self.traceSampled = traceSampled
        self.contextDropped = contextDropped
        self.apiSpans = apiSpans
        self.workerSpans = workerSpans
        self.workerTraceID = workerTraceID
        self.workerSampled = workerSampled
        self.attempts = attempts
        self.timeouts = timeouts
        self.intendedStartMicros = intendedStartMicros
        self.submittedAtMicros = submittedAtMicros
        self.claimedAtMicros = claimedAtMicros
        self.completedAtMicros = completedAtMicros
    }

    /// Whether a worker finished the job (successfully or not).
    public var isFinished: Bool { JobStatus.isFinished(status) }

    /// Whether the job had an error: it failed, or an attempt failed or timed out before a retry succeeded. Its
    /// trace holds an error span; "100 % of errors" is a promise about these jobs.
    public var isErrorJob: Bool { status == JobStatus.failed || attempts > 1 || timeouts > 0 }

    /// Spans the SDKs sampled and so handed to their exporters: the API's if it sampled, the worker's if it did.
    public var sampledSpans: Int { (traceSampled ? apiSpans : 0) + (workerSampled ? workerSpans : 0) }

    /// Whether a collector sampling with `rule` keeps this job's trace (true without a rule or a trace id).
    public func collectorKeeps(_ rule: ConsistentThreshold?) -> Bool {
        guard let rule, let trace = TraceID(hex: traceID) else { return true }
        return rule.keeps(traceIDLow: trace.low)
    }

    /// Spans the job's trace should hold: the API's own plus the worker's. When the context was dropped the
    /// worker's spans land in another trace, so the API's trace is incomplete — as it should be counted.
    public var expectedSpansInAPITrace: Int { apiSpans + workerSpans }
}
