import Foundation
import TracebenchProcess

#if canImport(Glibc)
import Glibc
#endif

/// A private `redis-server` on a free 127.0.0.1 port, with persistence off, stopped by pid.
///
/// Used when neither `--redis` nor `REDIS_URL` names a server, and by the integration tests.
public final class RedisServer: Sendable {
    public let url: RedisURL
    public let pid: Int32
    private let process: Process

    /// Starts redis-server and waits (up to `readyTimeout`) until it answers PING. `launcher` (e.g. `tracebench
    /// spawn --`) is put before the redis-server command: a launcher that execs keeps the pid, and can make the
    /// server die with its parent.
    public init(readyTimeout: Double = 10, launcher: [String] = []) throws(RedisError) {
        guard let binary = Self.findBinary() else {
            throw .launch("redis-server is not installed; install it with: apt-get install -y redis-server")
        }
        var lastFailure = "no attempt made"
        for _ in 0..<5 {
            let port = FreePort.loopback()
            let process = Process()
            let arguments = [
                "--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                "--daemonize", "no", "--loglevel", "warning", "--logfile", "",
            ]
            process.executableURL = URL(fileURLWithPath: launcher.first ?? binary)
            process.arguments = launcher.isEmpty ? arguments : Array(launcher.dropFirst()) + [binary] + arguments
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            process.standardInput = FileHandle.nullDevice
            do { try ProcessLauncher.run(process) } catch { throw .launch("\(binary): \(error)") }
            let url = RedisURL(host: "127.0.0.1", port: port)
            let deadline = Date().addingTimeInterval(readyTimeout)
            while Date() < deadline, process.isRunning {
                if let connection = try? RedisConnection(url: url, timeoutSeconds: 0.5),
                   (try? connection.command(["PING"])) == .status("PONG") {
                    self.url = url
                    self.pid = process.processIdentifier
                    self.process = process
                    return
                }
                usleep(20_000)
            }
            lastFailure = process.isRunning ? "no PONG within \(readyTimeout) s" : "exited with status \(process.terminationStatus) (port \(port) taken?)"
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
        }
        throw .launch(lastFailure)
    }

    /// Stops the server (SHUTDOWN NOSAVE, then SIGKILL after 5 s) and waits for it to exit.
    ///
    /// SHUTDOWN rather than SIGTERM: a child started by Foundation's Process from a Dispatch thread inherits a
    /// signal mask that blocks SIGTERM (swift-corelibs-foundation#4772).
    public func stop() {
        guard process.isRunning else { return }
        if let connection = try? RedisConnection(url: url, timeoutSeconds: 1) {
            _ = try? connection.command(["SHUTDOWN", "NOSAVE"])
        }
        let deadline = Date().addingTimeInterval(5)
        while process.isRunning, Date() < deadline { usleep(10_000) }
        if process.isRunning { kill(pid, SIGKILL) }
        process.waitUntilExit()
    }

    /// Whether the server process is still alive.
    public var isRunning: Bool { process.isRunning }

    deinit { stop() }

    /// The first `redis-server` on PATH (or the Debian location).
    public static func findBinary() -> String? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin"
        let candidates = path.split(separator: ":").map { "\($0)/redis-server" } + ["/usr/bin/redis-server", "/usr/sbin/redis-server"]
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0) }
    }
}

/// Free TCP ports on the loopback interface.
public enum FreePort {
    /// A port the kernel just handed out for 127.0.0.1 (bind to 0, read the port, close).
    public static func loopback() -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { return Int.random(in: 20000...60000) }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0 else { return Int.random(in: 20000...60000) }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}
