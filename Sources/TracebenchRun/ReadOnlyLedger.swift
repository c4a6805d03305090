import Foundation
import TracebenchRedis
import TracebenchScenario

/// The user's Redis, read and never written: every command goes through ``readAll(_:batch:)``, which refuses any
/// command that is not a read (`HGET`, `HGETALL`, `PING`) — tracebench must never change the system it measures.
/// Its calls block (hiredis): callers on Swift's cooperative pool run them on a thread of their own (``OwnThread``).
struct ReadOnlyLedger: Sendable {
    /// The commands tracebench may send to a user's Redis.
    static let allowedCommands: Set<String> = ["HGET", "HGETALL", "PING"]

    /// What the ledger says about one job.
    struct Entry: Sendable, Equatable {
        var status: String?
        var fields: [String: String]
        /// When tracebench first saw the job done (ns since the epoch): during the drain, to within its poll; a job
        /// already done at the drain's first poll gets that poll's time (the end of the load). Nil: never seen done.
        var seenDoneNanos: UInt64?
    }

    let connection: RedisConnection
    let ledger: TargetSpec.Ledger

    init(url: RedisURL, ledger: TargetSpec.Ledger) throws(RedisError) {
        connection = try RedisConnection(url: url)
        self.ledger = ledger
        _ = try read(["PING"])
    }

    /// Sends a read command; a write is refused before it leaves the process.
    func read(_ command: [String]) throws(RedisError) -> RedisReply {
        try readAll([command])[0]
    }

    /// Sends read commands pipelined, `batch` to a round trip, and returns their replies in order; a write is refused
    /// before anything leaves the process.
    func readAll(_ commands: [[String]], batch: Int = 512) throws(RedisError) -> [RedisReply] {
        for command in commands {
            guard let name = command.first?.uppercased(), Self.allowedCommands.contains(name) else {
                preconditionFailure("tracebench never writes to a user's Redis; refused \(command.first ?? "")")
            }
        }
        var replies: [RedisReply] = []
        replies.reserveCapacity(commands.count)
        for start in stride(from: 0, to: commands.count, by: max(1, batch)) {
            for reply in try connection.pipeline(Array(commands[start..<min(commands.count, start + max(1, batch))])) {
                replies.append(try reply.orThrow())
            }
        }
        return replies
    }

    func key(_ jobID: String) -> String { ledger.key.replacingOccurrences(of: "{job_id}", with: jobID) }

    /// Each job's status field, in order (pipelined; nil: no hash or no status yet).
    func statuses(_ jobIDs: [String]) throws(RedisError) -> [String?] {
        try readAll(jobIDs.map { ["HGET", key($0), ledger.statusField] }).map(\.string)
    }

    /// Each job's whole hash, in order (pipelined).
    func entries(_ jobIDs: [String]) throws(RedisError) -> [Entry] {
        try readAll(jobIDs.map { ["HGETALL", key($0)] }).map { reply in
            var fields: [String: String] = [:]
            if case let .array(items) = reply {
                var index = 0
                while index + 1 < items.count {
                    if let name = items[index].string { fields[name] = items[index + 1].string ?? "" }
                    index += 2
                }
            }
            return Entry(status: fields[ledger.statusField], fields: fields)
        }
    }
}
