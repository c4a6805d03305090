import Foundation
import TracebenchRedis
import TracebenchScenario

/// The user's Redis, read and never written: every command goes through ``read(_:)``, which refuses any command that
/// is not a read (`HGET`, `HGETALL`, `PING`) — tracebench must never change the system it measures.
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
        guard let name = command.first?.uppercased(), Self.allowedCommands.contains(name) else {
            preconditionFailure("tracebench never writes to a user's Redis; refused \(command.first ?? "")")
        }
        return try connection.command(command).orThrow()
    }

    func key(_ jobID: String) -> String { ledger.key.replacingOccurrences(of: "{job_id}", with: jobID) }

    /// The job's status field (nil: no hash or no status yet).
    func status(_ jobID: String) throws(RedisError) -> String? {
        try read(["HGET", key(jobID), ledger.statusField]).string
    }

    /// The job's whole hash.
    func entry(_ jobID: String) throws(RedisError) -> Entry {
        var fields: [String: String] = [:]
        if case let .array(items) = try read(["HGETALL", key(jobID)]) {
            var index = 0
            while index + 1 < items.count {
                if let name = items[index].string { fields[name] = items[index + 1].string ?? "" }
                index += 2
            }
        }
        return Entry(status: fields[ledger.statusField], fields: fields)
    }
}
