import Glibc
import Synchronization
import TracebenchAnalysis
import TracebenchPipeline
import TracebenchProcess
import TracebenchRedis

/// The built-in pipeline's ledger, read while the run goes on: workers announce each finished job on the run's
/// stream (``JobKeys/finishedStream(runID:)``); this reads those announcements every `interval`, takes each job's
/// hash once (HGETALL, pipelined) and deletes it with the consumed stream entries, so the Redis of a long run holds
/// only the jobs still in flight instead of every job it ever saw; each batch taken goes to `deliver` (the trace
/// finaliser). Only tracebench's own keys are touched: a user's Redis (black-box mode) is never read this way.
final class LedgerStream: Sendable {
    private let url: RedisURL
    private let stream: String
    private let deliver: @Sendable ([LedgerEntry]) -> Void
    private let stopping = Atomic<Bool>(false)
    private let failure = Mutex<RedisError?>(nil)
    private let task = Mutex<Task<Void, Never>?>(nil)
    /// Most stream entries taken per read.
    static let batch = 500

    init(url: RedisURL, runID: String, deliver: @escaping @Sendable ([LedgerEntry]) -> Void) {
        self.url = url
        stream = JobKeys.finishedStream(runID: runID)
        self.deliver = deliver
    }

    /// Starts reading in the background, on a connection and a thread of its own (its reads block for a round trip,
    /// or for the connection's timeout when Redis stalls: never on the cooperative pool).
    func start(interval: Duration = .milliseconds(200)) {
        let pause = UInt32(clamping: Int64(interval / .microseconds(1)))
        let work = Task { [self] in
            await OwnThread.run { [self] in
                do {
                    let connection = try RedisConnection(url: url)
                    var last = "0-0"
                    while !stopping.load(ordering: .relaxed) {
                        if try drainOnce(connection, after: &last) < Self.batch { usleep(pause) }
                    }
                    // Whatever was announced before the stop (the workers have exited): read it all.
                    while try drainOnce(connection, after: &last) > 0 {}
                } catch {
                    failure.withLock { $0 = error as? RedisError ?? .io("\(error)") }
                }
            }
        }
        task.withLock { $0 = work }
    }

    /// Stops reading, after a last full read of the stream (every job taken has been delivered). Throws when Redis
    /// failed on the way: the caller then reads the rest of the ledger the old way, from whatever hashes are left.
    func finish() async throws(RedisError) {
        stopping.store(true, ordering: .relaxed)
        await task.withLock { $0 }?.value
        if let error = failure.withLock({ $0 }) { throw error }
    }

    /// Reads up to ``batch`` announcements after `last`; takes and deletes their hashes; trims the stream. Returns how
    /// many it read.
    private func drainOnce(_ connection: RedisConnection, after last: inout String) throws(RedisError) -> Int {
        let reply = try connection.command(["XREAD", "COUNT", String(Self.batch), "STREAMS", stream, last]).orThrow()
        var ids: [String] = []
        for streamReply in reply.array ?? [] {
            for entry in streamReply.array?.dropFirst().first?.array ?? [] {
                guard let parts = entry.array, parts.count == 2, let entryID = parts[0].string else { continue }
                last = entryID
                if let id = parts[1].hash?["id"] { ids.append(id) }
            }
        }
        guard !ids.isEmpty else { return 0 }
        let hashes = try connection.pipeline(ids.map { ["HGETALL", JobKeys.job($0)] })
        var taken: [LedgerEntry] = []
        for (id, reply) in zip(ids, hashes) {
            let fields = try reply.orThrow().hash ?? [:]
            if !fields.isEmpty { taken.append(LedgerReader.entry(id: id, fields: fields)) }
        }
        // The hashes read are deleted, and the stream trimmed to what is not yet read.
        let deletions = taken.map { ["DEL", JobKeys.job($0.jobID)] } + [["XTRIM", stream, "MINID", last]]
        for reply in try connection.pipeline(deletions) { try reply.orThrow() }
        deliver(taken)
        return ids.count
    }
}
