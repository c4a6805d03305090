// The words the traced pipeline writes and everything that reads its traces and ledger must agree on — span names,
// attribute keys, job statuses, service names, HTTP headers — each defined once, here. The pipeline writes them;
// the sink's decoders, the analysis and the benchmarks read them. No dependencies, so every module can.

/// Names of the spans the pipeline starts (the HTTP server span is named by Hummingbird's tracing middleware).
public enum SpanName {
    /// The API's client span around HSET + ZADD; its context is what the job carries to the worker.
    public static let submitJob = "redis-submit-job"
    /// The worker's consumer span when it claims a job.
    public static let jobClaimed = "job-claimed"
    /// The worker's span around the whole job; its steps are its children.
    public static let processJob = "process-job"
}

/// Span attribute keys the pipeline sets.
public enum SpanAttribute {
    /// The job's id, on the API's and the worker's spans: how received spans are matched to the ledger.
    public static let jobID = "job.id"
    public static let jobService = "job.service"
    public static let jobPriority = "job.priority"
    public static let jobAttempt = "job.attempt"
    public static let jobWaitTimeMs = "job.wait_time_ms"
    public static let jobProcessingTimeMs = "job.processing_time_ms"
    public static let workerID = "worker.id"
    /// Why a step failed (`injected`, `timeout`), on the error spans.
    public static let errorType = "error.type"
    public static let dbSystem = "db.system"
    public static let dbOperation = "db.operation"
}

/// Resource attribute keys every pipeline process sets.
public enum ResourceAttribute {
    /// The tracing arm (`off`, `sdk`, `otlp`) a span was made under.
    public static let arm = "tracebench.arm"
    public static let runID = "tracebench.run_id"
    /// Also set on the worker's `process-job` span, as the design document's traces have it.
    public static let machineID = "machine.id"
    public static let serviceInstanceID = "service.instance.id"
}

/// `service.name` of the pipeline's processes (the design document's names).
public enum ServiceName {
    public static let api = "emp-job-queue-api"
    public static let worker = "emp-worker"
}

/// Values of a job's `status` field in its Redis hash, and in the ledger read back from it.
public enum JobStatus {
    public static let pending = "pending"
    public static let completed = "completed"
    public static let failed = "failed"

    /// Whether a worker finished the job (successfully or not).
    public static func isFinished(_ status: String) -> Bool { status == completed || status == failed }
}

/// HTTP headers the load generator and the API share.
public enum ArmHeaders {
    /// Which tracing arm the API runs a request under (overhead runs).
    public static let arm = "x-tracebench-arm"
    /// The API's own time on the request, in ns.
    public static let serverNanos = "x-tracebench-server-ns"
}
