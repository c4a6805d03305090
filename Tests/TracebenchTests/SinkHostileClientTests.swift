#if canImport(Glibc)
import Glibc
import Testing
import TracebenchSink

/// The embedded sink facing clients that lie about their body or stall half-way. Every exchange is over a raw TCP
/// socket, so the client can do what no HTTP library would; every wait is bounded. The bounds are generous (the whole
/// suite runs at once on a 2-core machine): what each test proves comes from what the sink answers, not how fast.
@Suite("OTLP sink under hostile clients", .serialized, .timeLimit(.minutes(3)))
struct SinkHostileClientTests {
    @Test func declaredOversizedBodyIsAnswered413FromTheHeaderAlone() async throws {
        let sink = OTLPSink()
        let port = try await sink.start()
        let client = try RawHTTPConnection(port: port)
        try client.write(RawHTTPConnection.postHead(contentLength: "1000000000000"))
        // No body byte is ever sent: a sink that waited for the body would answer 408 after its 10 s read timeout,
        // so a 413 is the answer from the header alone.
        let reply = await client.readReply(within: .seconds(30))
        #expect(reply.statusCode == 413, "\(reply)")
        #expect(sink.store.snapshot().rejected[.tooLarge] == 1)
        client.disconnect()
        await sink.stop()
    }

    @Test func stalledBodyIsAnswered408AfterTheReadTimeout() async throws {
        let sink = OTLPSink(bodyReadTimeout: .seconds(1))
        let port = try await sink.start()
        let client = try RawHTTPConnection(port: port)
        // 10 of the 100 bytes declared, then nothing.
        try client.write(RawHTTPConnection.postHead(contentLength: "100") + [UInt8](repeating: 0, count: 10))
        let reply = await client.readReply(within: .seconds(30))
        #expect(reply.statusCode == 408 || (reply.statusCode == nil && reply.closedByServer), "\(reply)")
        // A 408 is counted before it is sent. (A machine too loaded to fire the 1 s deadline before the idle timeout
        // closes the connection instead: the request still ends, uncounted as a timeout.)
        if reply.statusCode == 408 { #expect(sink.store.snapshot().rejected[.timeout] == 1) }
        client.disconnect()
        await sink.stop()
    }

    @Test func stopReturnsPromptlyWhileAClientHoldsARequestOpen() async throws {
        // The default 10 s read timeout: only the shutdown bound can end the stalled request in time.
        let sink = OTLPSink()
        let port = try await sink.start()
        let client = try RawHTTPConnection(port: port)
        try client.write(RawHTTPConnection.postHead(contentLength: "100") + [UInt8](repeating: 0, count: 10))
        // Let the request reach its handler (a connection without a request in flight is closed at once on shutdown).
        try await Task.sleep(for: .milliseconds(300))
        let clock = ContinuousClock()
        let started = clock.now
        await sink.stop()
        let took = clock.now - started
        // Waiting for the stalled request would take its 10 s read timeout; the shutdown bound is 2 s.
        #expect(took < .seconds(8), "stop() took \(took)")
        client.disconnect()
    }

    @Test func wellFormedEmptyExportStillGets200WithAProtobufType() async throws {
        let sink = OTLPSink()
        let port = try await sink.start()
        let client = try RawHTTPConnection(port: port)
        try client.write(RawHTTPConnection.postHead(contentLength: "0"))
        let reply = await client.readReply(within: .seconds(30))
        #expect(reply.statusCode == 200, "\(reply)")
        #expect(reply.head.lowercased().contains("content-type: application/x-protobuf"), "\(reply)")
        #expect(sink.store.snapshot().requests == 1)
        client.disconnect()
        await sink.stop()
    }
}

/// One client TCP connection to 127.0.0.1, driven byte by byte. Reads poll without blocking, so a test never holds
/// a Swift concurrency thread the sink needs; SO_RCVTIMEO and SO_SNDTIMEO cap any call that would block anyway.
private final class RawHTTPConnection {
    /// What came back for a request.
    struct Reply: CustomStringConvertible {
        /// The response head (status line and headers), or whatever partial bytes arrived.
        var head = ""
        /// The status code, if a whole response head arrived.
        var statusCode: Int?
        /// The server closed or reset the connection before a whole head arrived.
        var closedByServer = false

        var description: String {
            "status \(statusCode.map { String($0) } ?? "none"), closed by server: \(closedByServer), head: \(head.debugDescription)"
        }
    }

    private var descriptor: Int32

    /// Connects to `127.0.0.1:port`.
    init(port: Int) throws {
        let socketDescriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socketDescriptor >= 0 else { throw RawSocketError(call: "socket", code: errno) }
        var limit = timeval(tv_sec: 2, tv_usec: 0)
        // glibc defines SO_RCVTIMEO / SO_SNDTIMEO through a sizeof() expression; the _OLD values are those on 64-bit.
        setsockopt(socketDescriptor, SOL_SOCKET, SO_RCVTIMEO_OLD, &limit, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(socketDescriptor, SOL_SOCKET, SO_SNDTIMEO_OLD, &limit, socklen_t(MemoryLayout<timeval>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(socketDescriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else {
            let code = errno
            close(socketDescriptor)
            throw RawSocketError(call: "connect", code: code)
        }
        descriptor = socketDescriptor
    }

    deinit { disconnect() }

    /// A `POST /v1/traces` head declaring a protobuf body of `contentLength` bytes.
    static func postHead(contentLength: String) -> [UInt8] {
        Array("POST /v1/traces HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-protobuf\r\nContent-Length: \(contentLength)\r\n\r\n".utf8)
    }

    /// Sends all of `bytes` (each pass sends at least one byte or throws).
    func write(_ bytes: [UInt8]) throws {
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { send(descriptor, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            guard sent > 0 else { throw RawSocketError(call: "send", code: errno) }
            offset += sent
        }
    }

    /// Reads until a whole response head has arrived, the server closes the connection, or `limit` passes.
    func readReply(within limit: Duration) async -> Reply {
        let clock = ContinuousClock()
        let deadline = clock.now + limit
        var received: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        var reply = Reply()
        while clock.now < deadline {
            let count = chunk.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT)) }
            let code = errno
            if count > 0 {
                received += chunk[0..<count]
                if let headEnd = Self.headEnd(in: received) {
                    reply.head = String(decoding: received[..<headEnd], as: UTF8.self)
                    reply.statusCode = Self.statusCode(of: reply.head)
                    return reply
                }
            } else if count == 0 || (code != EAGAIN && code != EWOULDBLOCK) {
                reply.closedByServer = true
                break
            } else {
                try? await Task.sleep(for: .milliseconds(10))
            }
        }
        reply.head = String(decoding: received, as: UTF8.self)
        return reply
    }

    /// Closes the connection (once).
    func disconnect() {
        guard descriptor >= 0 else { return }
        close(descriptor)
        descriptor = -1
    }

    /// Where the blank line ending a response head starts.
    private static func headEnd(in bytes: [UInt8]) -> Int? {
        let blankLine: [UInt8] = [13, 10, 13, 10]
        guard bytes.count >= blankLine.count else { return nil }
        return (0...(bytes.count - blankLine.count)).first { bytes[$0..<$0 + blankLine.count].elementsEqual(blankLine) }
    }

    /// The status code in a head's status line (`HTTP/1.1 413 Content Too Large`).
    private static func statusCode(of head: String) -> Int? {
        guard let statusLine = head.split(whereSeparator: \.isNewline).first else { return nil }
        let fields = statusLine.split(separator: " ")
        guard fields.count >= 2, fields[0].hasPrefix("HTTP/1.") else { return nil }
        return Int(fields[1])
    }
}

/// A socket call that failed, with its errno.
private struct RawSocketError: Error, CustomStringConvertible {
    let call: String
    let code: Int32

    var description: String { "\(call) failed: \(String(cString: strerror(code)))" }
}
#endif
