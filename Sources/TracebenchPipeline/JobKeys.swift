/// The Redis data model of the traced job queue, as in the design document: a `job:{id}` hash per job and the
/// `jobs:pending` sorted set scored by priority (workers take the highest first with ZPOPMAX/BZPOPMAX).
public enum JobKeys {
    /// One run's pending queue (ZSET: member = job id, score = priority): the design's `jobs:pending`, suffixed with the
    /// run id, so that jobs a run left queued (a drain that timed out, an interrupted run on a shared Redis) are never
    /// claimed by the next run.
    public static func pending(runID: String) -> String { runID.isEmpty ? "jobs:pending" : "jobs:pending:\(runID)" }
    /// Pub/sub channel of job progress events (`<id> <status>`).
    public static let progressChannel = "jobs:progress"
    /// Counter of one run's finished jobs (completed or failed), so the coordinator can wait for the drain.
    public static func finishedCounter(runID: String) -> String { "tracebench:\(runID):finished" }
    /// Stream of one run's finished job ids (field `id`), XADDed with the result: the coordinator reads each finished
    /// job's hash once, shortly after, and deletes it, so Redis holds only the jobs still in flight.
    public static func finishedStream(runID: String) -> String { "tracebench:\(runID):done" }

    /// The hash holding one job.
    public static func job(_ id: String) -> String { "job:\(id)" }

    /// Field names of the `job:{id}` hash.
    public enum Field {
        public static let id = "id"
        public static let service = "service_required"
        public static let priority = "priority"
        public static let seed = "seed"
        public static let status = "status"
        /// W3C trace context as JSON (`{"traceparent": …, "tracestate": …}`), absent when the context was dropped.
        public static let traceContext = "trace_context"
        public static let traceID = "trace_id"
        public static let traceSampled = "trace_sampled"
        public static let contextDropped = "context_dropped"
        public static let apiSpans = "api_spans"
        public static let intendedStart = "intended_start_us"
        public static let submittedAt = "submitted_at_us"
        public static let claimedAt = "claimed_at_us"
        public static let completedAt = "completed_at_us"
        public static let attempts = "attempts"
        public static let timeouts = "timeouts"
        public static let workerID = "worker_id"
        public static let workerSpans = "worker_spans"
        public static let workerTraceID = "worker_trace_id"
        public static let workerSampled = "worker_sampled"
        /// "1" when the worker extracted a valid trace context (a `traceparent`) from `trace_context`.
        public static let contextReceived = "context_received"
        public static let error = "error"
        /// Overhead runs: index of the job's arm in `overhead.arms`.
        public static let arm = "arm"
        /// Worker time spent on the job from claim to result, in ns (monotonic clock).
        public static let processNanos = "process_ns"
    }

}
