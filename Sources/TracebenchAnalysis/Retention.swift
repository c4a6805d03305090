import TracebenchSink

/// Which jobs' traces the sampling kept, by what happened to the job — the ledger knows every job's outcome whether
/// or not its trace was sampled. "10 % for normal operations, 100 % for errors" is a promise about these shares.
public struct RetentionCounts: Sendable, Equatable {
    /// Jobs with a failed attempt (failed, retried or timed out), of an exporting arm.
    public var errorJobs = 0
    /// …whose trace reached the sink with an error span in it.
    public var errorJobsKept = 0
    /// …and complete (every span of the job in one trace).
    public var errorJobsKeptComplete = 0
    /// Jobs that never failed an attempt, of an exporting arm, and how many of their traces arrived.
    public var normalJobs = 0
    public var normalJobsKept = 0
    /// The slowest 1 % of finished jobs by end-to-end latency, and how many of their traces arrived.
    public var slowJobs = 0
    public var slowJobsKept = 0

    public init() {}
}

