import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// A child process the coordinator supervises: a pipeline process (`tracebench api` / `tracebench worker`), a
/// collector under test (through `tracebench spawn`, which gives it a parent-death signal).
///
/// Its stdout is read for the one `READY …` line; its stderr goes to a log file whose tail is quoted when the
/// process fails. It is stopped with SIGTERM (graceful: spans flushed), SIGKILL only after a timeout.
public final class ChildProcess: Sendable {
    public let name: String
    public let logPath: String
    private let process: Process
    private let readyLine: AsyncStream<String>

    public init(name: String, executable: String, arguments: [String], logPath: String, environment: [String: String]? = nil) throws {
        self.name = name
        self.logPath = logPath
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        if let environment { process.environment = environment }
        _ = FileManager.default.createFile(atPath: logPath, contents: nil)  // the open below reports failure
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: logPath))
        process.standardInput = FileHandle.nullDevice
        let stdout = Pipe()
        process.standardOutput = stdout
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        readyLine = stream
        // A plain thread blocking in read(2) until EOF: no Dispatch sources on the pipe (readabilityHandler
        // plus fd teardown has crashed libdispatch's manager thread under many concurrent children).
        let reader = stdout.fileHandleForReading
        let readerThread = Thread {
            var pending: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 4096)
            while true {
                let count = chunk.withUnsafeMutableBytes { read(reader.fileDescriptor, $0.baseAddress, 4096) }
                if count <= 0 { break }
                pending.append(contentsOf: chunk[0..<count])
                while let newline = pending.firstIndex(of: 0x0A) {
                    continuation.yield(String(decoding: pending[..<newline], as: UTF8.self))
                    pending.removeSubrange(...newline)
                }
            }
            continuation.finish()
        }
        self.process = process
        try ProcessLauncher.run(process)
        // The child holds the write end; drop ours so the reader sees EOF when the child exits.
        try? stdout.fileHandleForWriting.close()
        readerThread.start()
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }
    public var exitStatus: Int32 { process.terminationStatus }

    /// Waits for the `READY <detail>` line; returns `<detail>`. Throws if the process exits first or times out.
    public func waitUntilReady(timeout: Duration) async throws(ChildProcessError) -> String {
        let lines = readyLine
        let name = name
        let detail = try? await withThrowingTaskGroup(of: String?.self) { group in
            group.addTask {
                for await line in lines where line.hasPrefix("READY") {
                    return String(line.dropFirst("READY".count)).trimmingCharacters(in: .whitespaces)
                }
                return nil
            }
            group.addTask {
                try await Task.sleep(for: timeout)
                return nil
            }
            defer { group.cancelAll() }
            return try await group.next() ?? nil
        }
        if let detail { return detail }
        throw ChildProcessError(message: "\(name) did not become ready: \(isRunning ? "no READY line within \(timeout)" : "exited with status \(exitStatus)")\(logTail())")
    }

    /// Sends SIGTERM and waits up to `timeout` for a graceful exit, then SIGKILLs. Returns true if it exited
    /// by itself with status 0.
    public func stop(timeout: Duration) async -> Bool {
        if process.isRunning { kill(pid, SIGTERM) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        if process.isRunning {
            kill(pid, SIGKILL)
            process.waitUntilExit()
            return false
        }
        process.waitUntilExit()
        return process.terminationReason == .exit && process.terminationStatus == 0
    }

    /// Stops a child that leads its own process group (started through `tracebench spawn --group`): SIGTERM to the
    /// group, up to `timeout` for the leader to exit, then SIGKILL to whatever of the group is left. Returns true if
    /// the leader exited by itself with status 0.
    public func stopGroup(timeout: Duration) async -> Bool {
        if process.isRunning { kill(-pid, SIGTERM) }
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
        let clean = !process.isRunning && process.terminationReason == .exit && process.terminationStatus == 0
        kill(-pid, SIGKILL)
        process.waitUntilExit()
        return clean
    }

    /// The last lines of the process's stderr, for error messages (empty when it wrote nothing).
    public func logTail(lines: Int = 8) -> String {
        guard let text = try? String(contentsOfFile: logPath, encoding: .utf8), !text.isEmpty else { return "" }
        return Self.explain(log: text, lines: lines)
    }

    /// What a child's log says about why it ended: the Swift runtime's own failure line (`Fatal error: …`,
    /// `Swift runtime failure: …`) when there is one — a crash's last lines are registers and the image list — else
    /// the log's last `lines` lines.
    public static func explain(log text: String, lines: Int = 8) -> String {
        let all = text.split(separator: "\n")
        let markers = ["Fatal error:", "Swift runtime failure:", "Precondition failed", "Assertion failed", "Illegal instruction", "Segmentation fault"]
        if let failure = all.first(where: { line in markers.contains { line.contains($0) } }) {
            return "\n    " + failure.trimmingCharacters(in: .whitespaces)
        }
        return "\n    " + all.suffix(lines).joined(separator: "\n    ")
    }
}

/// A child that did not come up: why, with the tail of its log.
public struct ChildProcessError: Error, CustomStringConvertible, Sendable {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
