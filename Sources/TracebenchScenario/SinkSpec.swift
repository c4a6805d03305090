/// Where tracebench's embedded sink listens and who may post to it (`sink:`): for systems started by hand, which
/// need a fixed address. Binds 127.0.0.1 on free ports unless told otherwise; a non-loopback address needs a token
/// (or an explicit `allow_unauthenticated: true`).
public struct SinkSpec: Codable, Sendable, Equatable {
    /// The OTLP/HTTP listener's host and port (0: a free port).
    public var host = "127.0.0.1"
    public var port = 0
    /// The OTLP/gRPC listener's host and port (0: a free port).
    public var grpcHost = "127.0.0.1"
    public var grpcPort = 0
    /// When set, every post must carry `Authorization: Bearer <token>` (compared in constant time, never printed);
    /// refused posts are counted (`sink.rejected.unauthorized`), never stored.
    public var token = ""
    /// Lets a non-loopback listener run without a token.
    public var allowUnauthenticated = false
    /// The most spans the sink keeps; later ones are counted (`sink.overflow`) and the run fails (`sink_overflow`).
    public var maxSpans = SinkSpec.defaultMaxSpans
    /// 10 million spans: a few GB of the coordinator's memory, ~5 h of the design document's 500 traces/min × 60 spans.
    public static let defaultMaxSpans = 10_000_000

    public init() {}

    /// `host:port` with an IPv4 address (or `localhost`, read as 127.0.0.1) and a port 0…65535; nil otherwise.
    public static func hostPort(_ text: String) -> (host: String, port: Int)? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        let octets = parts.first.map { $0.split(separator: ".", omittingEmptySubsequences: false) } ?? []
        let isIPv4 = octets.count == 4 && octets.allSatisfy { Int($0).map { (0...255).contains($0) } ?? false }
        guard parts.count == 2, isIPv4 || parts[0] == "localhost", let port = Int(parts[1]), (0...65_535).contains(port) else { return nil }
        return (parts[0] == "localhost" ? "127.0.0.1" : String(parts[0]), port)
    }

    /// Whether `host` is a loopback address (only this machine can post).
    public static func isLoopback(_ host: String) -> Bool {
        host == "localhost" || host == "::1" || host.hasPrefix("127.")
    }
}
