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

extension TraceCheck {
    /// Retention by outcome; `exports` says whether a job's arm exports.
    public static func retention(ledger: [LedgerEntry], spans: [ReceivedSpan], exports: (LedgerEntry) -> Bool) -> RetentionCounts {
        var spansPerTrace: [TraceID: Int] = [:]
        var tracesWithErrors = Set<TraceID>()
        for span in spans {
            spansPerTrace[span.traceID, default: 0] += 1
            if span.isError { tracesWithErrors.insert(span.traceID) }
        }
        let exporting = ledger.filter(exports)
        var counts = RetentionCounts()
        for entry in exporting {
            let trace = TraceID(hex: entry.traceID)
            let arrived = trace.map { spansPerTrace[$0] != nil } ?? false
            if entry.isErrorJob {
                counts.errorJobs += 1
                let workerTrace = TraceID(hex: entry.workerTraceID)
                if let trace, tracesWithErrors.contains(trace) || workerTrace.map(tracesWithErrors.contains) == true {
                    counts.errorJobsKept += 1
                    if spansPerTrace[trace] == entry.expectedSpansInAPITrace { counts.errorJobsKeptComplete += 1 }
                }
            } else {
                counts.normalJobs += 1
                if arrived { counts.normalJobsKept += 1 }
            }
        }
        let finished = exporting.filter(\.isFinished).map { ($0, $0.completedAtMicros - $0.intendedStartMicros) }
        if !finished.isEmpty {
            let sorted = finished.map(\.1).sorted()
            let cut = sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.99).rounded(.down)))]
            for (entry, latency) in finished where latency >= cut {
                counts.slowJobs += 1
                if let trace = TraceID(hex: entry.traceID), spansPerTrace[trace] != nil { counts.slowJobsKept += 1 }
            }
        }
        return counts
    }
}
