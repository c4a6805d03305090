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
