import TracebenchAnalysis
import TracebenchPipeline
import TracebenchRedis
import TracebenchSink
import TracebenchVocabulary

/// Reads the ground truth back from Redis: every accepted job's `job:{id}` hash, pipelined in batches.
enum LedgerReader {
    static func read(jobIDs: [String], connection: RedisConnection, batchSize: Int = 1000) throws(RedisError) -> [LedgerEntry] {
        var entries: [LedgerEntry] = []
        entries.reserveCapacity(jobIDs.count)
        var start = 0
        while start < jobIDs.count {
            let batch = jobIDs[start..<min(start + batchSize, jobIDs.count)]
            let replies = try connection.pipeline(batch.map { ["HGETALL", JobKeys.job($0)] })
            for (id, reply) in zip(batch, replies) {
                entries.append(entry(id: id, fields: try reply.orThrow().hash ?? [:]))
            }
            start += batchSize
        }
        return entries
    }

    /// Deletes what run `runID` left in Redis once its ledger has been read: its queue (jobs still pending after a
    /// drain that timed out, or a stop), its finished counter and stream, and the hashes of `jobIDs` (the jobs read
    /// last). Only the run's own keys; best effort — a Redis that fails now changes no figure.
    static func removeRun(_ runID: String, jobIDs: [String], connection: RedisConnection, batchSize: Int = 1000) {
        _ = try? connection.command(["DEL", JobKeys.pending(runID: runID), JobKeys.finishedCounter(runID: runID), JobKeys.finishedStream(runID: runID)])
        for start in stride(from: 0, to: jobIDs.count, by: batchSize) {
            _ = try? connection.command(["DEL"] + jobIDs[start..<min(start + batchSize, jobIDs.count)].map(JobKeys.job))
        }
    }

    static func entry(id: String, fields: [String: String]) -> LedgerEntry {
        typealias F = JobKeys.Field
        func int(_ key: String) -> Int { Int(fields[key] ?? "") ?? 0 }
        func micros(_ key: String) -> Int64 { Int64(fields[key] ?? "") ?? 0 }
        let status = fields[F.status] ?? JobStatus.pending
        var entry = LedgerEntry(
            jobID: id,
            status: JobStatus.isFinished(status) ? status : JobStatus.pending,
            traceID: fields[F.traceID] ?? "",
            traceSampled: fields[F.traceSampled] == "1",
            contextDropped: fields[F.contextDropped] == "1",
            apiSpans: int(F.apiSpans),
            workerSpans: int(F.workerSpans),
            workerTraceID: fields[F.workerTraceID] ?? "",
            workerSampled: fields[F.workerSampled] == "1",
            attempts: int(F.attempts),
            timeouts: int(F.timeouts),
            intendedStartMicros: micros(F.intendedStart),
            submittedAtMicros: micros(F.submittedAt),
            claimedAtMicros: micros(F.claimedAt),
            completedAtMicros: micros(F.completedAt)
        )
        entry.arm = int(F.arm)
        entry.processNanos = micros(F.processNanos)
        entry.contextPropagated = fields[F.contextReceived] == "1"
        return entry
    }
}
