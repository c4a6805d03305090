import AsyncHTTPClient
import CSystemShims
import Foundation
import NIOCore
import TracebenchProcess

#if canImport(Glibc)
import Glibc
#endif

/// When a system tracebench launched (a collector, a black-box target) is up: its `ready` value is a port (a TCP
/// connection to 127.0.0.1 is accepted) or an `http://` URL (answered 2xx).
///
/// Each probe is bounded (2 s for an HTTP answer) and none blocks a thread of Swift's cooperative pool, so a wait
/// polls for its whole time however busy the process is; a wait that runs out says what the last probe saw.
enum Readiness {
    /// What one probe saw.
    enum Probe: Equatable, CustomStringConvertible {
        case up
        case down(String)

        var description: String {
            switch self {
            case .up: "ready"
            case .down(let why): why
            }
        }
    }

    /// How a wait ended.
    enum Outcome: Equatable {
        case ready
        /// The process ended first, with this status.
        case exited(Int32)
        /// Time ran out; what the last probe saw.
        case timedOut(lastProbe: String)
    }

    /// How long one HTTP probe may take.
    static let probeTimeout: TimeAmount = .seconds(2)

    /// Probes `ready` every `interval` until it is up, `child` has exited, or `timeout` has passed.
    static func wait(for ready: String, child: ChildProcess, timeout: Duration, interval: Duration = .milliseconds(100)) async -> Outcome {
        let deadline = ContinuousClock.now + timeout
        while true {
            let last = await probe(ready)
            if last == .up { return .ready }
            if !child.isRunning { return .exited(child.exitStatus) }
            if ContinuousClock.now >= deadline { return .timedOut(lastProbe: last.description) }
            try? await Task.sleep(for: interval)
        }
    }

    /// One look at `ready`.
    static func probe(_ ready: String) async -> Probe {
        if let port = Int(ready) {
            return canConnect(port: port) ? .up : .down("nothing accepts connections on 127.0.0.1:\(port)")
        }
        guard let url = URL(string: ready), url.scheme == "http" || url.scheme == "https", url.host != nil else {
            return .down("'\(ready)' is neither a port nor an http:// URL")
        }
        do {
            let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: ready), timeout: probeTimeout)
            _ = try? await response.body.collect(upTo: 64 << 10)
            return (200..<300).contains(Int(response.status.code)) ? .up : .down("it answered \(response.status.code)")
        } catch {
            return .down("no answer: \(error)")
        }
    }

    /// Whether `host`:`port` (an IPv4 literal, or localhost) accepts a TCP connection within `timeoutMillis` (loopback
    /// accepts or refuses at once; an address that drops the handshake is given up on, not waited for minutes).
    static func canConnect(port: Int, host: String = "127.0.0.1", timeoutMillis: Int32 = 1000) -> Bool {
        guard (1...65535).contains(port) else { return false }
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
        guard fd >= 0 else { return false }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr(host == "localhost" ? "127.0.0.1" : host)
        let started = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        if started == 0 { return true }
        guard errno == EINPROGRESS else { return false }
        var poller = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        guard poll(&poller, 1, timeoutMillis) == 1 else { return false }
        var failure: Int32 = 0
        var length = socklen_t(MemoryLayout<Int32>.size)
        return getsockopt(fd, SOL_SOCKET, SO_ERROR, &failure, &length) == 0 && failure == 0
    }
}
