import Foundation

/// Whether an OTLP endpoint tracebench does not run itself accepts connections: an SDK exporting into a dead port
/// reports nothing (swift-otel has no failure count), so the run says so instead of ending `ok` with empty figures.
enum EndpointProbe {
    /// True when `endpoint`'s host and port accept a TCP connection; hosts that are not IPv4 literals or
    /// `localhost` are not probed (true), as resolving them may leave the machine.
    static func accepts(_ endpoint: String) async -> Bool {
        guard let url = URL(string: endpoint), let host = url.host else { return false }
        let port = url.port ?? (url.scheme == "https" ? 443 : 80)
        guard host == "localhost" || host.split(separator: ".").count == 4 && host.allSatisfy({ $0.isNumber || $0 == "." }) else {
            return true
        }
        for _ in 0..<3 {
            if Readiness.canConnect(port: port, host: host) { return true }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }
}
