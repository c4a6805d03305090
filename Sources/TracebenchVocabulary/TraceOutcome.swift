/// What happened to one job's trace in a black-box run, in the order a job is classified (the first that applies).
public enum TraceOutcome: String, Codable, Sendable, CaseIterable {
    /// Spans carrying the job's id (the second channel) arrived in a trace other than the job's own.
    case brokenContext = "broken_context"
    /// The system's own sampler decided not to record the trace (the sampled flag of its traceparent), and nothing
    /// arrived: not a loss.
    case unsampled
    /// The job's trace was sampled (or its decision is unknown) but none of its spans arrived.
    case neverArrived = "never_arrived"
    /// Its trace was incomplete (orphaned or partial) while its spans were still arriving when the run stopped
    /// waiting: not judged, never counted lost.
    case censored
    /// Its trace arrived with a span whose parent is not in the trace.
    case orphaned
    /// Its trace arrived without a span the scenario's `target.expect` requires (the results say which).
    case partial
    /// Its trace arrived with every expected span and no orphan.
    case complete
}

