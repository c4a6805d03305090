import NIOCore
import TracebenchMeasure

/// Where a load request goes: host and port of an `http://` URL (the key of a keep-alive connection; the scenario
/// accepts only `http://` submit URLs).
struct LoadEndpoint: Hashable, Sendable, CustomStringConvertible {
    var host: String
    var port: Int

    var description: String { "http://\(hostHeader)" }

    /// The `Host` header's value.
    var hostHeader: String {
        let bracketed = host.contains(":") ? "[\(host)]" : host
        return port == 80 ? bracketed : "\(bracketed):\(port)"
    }

    /// Splits an absolute `http://` URL into its endpoint and its request target (path and query, `/` when empty); nil
    /// for anything else (another scheme, no host, a bad port, spaces or control characters).
    static func split(_ url: String) -> (endpoint: LoadEndpoint, target: String)? {
        guard url.hasPrefix("http://") else { return nil }
        var rest = url.dropFirst(7)
        guard !url.utf8.contains(where: { $0 <= 0x20 || $0 == 0x7F }) else { return nil }
        let authorityEnd = rest.firstIndex { $0 == "/" || $0 == "?" || $0 == "#" } ?? rest.endIndex
        var authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        if let fragment = rest.firstIndex(of: "#") { rest = rest[..<fragment] }
        if let at = authority.lastIndex(of: "@") { authority = authority[authority.index(after: at)...] }  // credentials are not sent
        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { return nil }
        } else if let colon = authority.lastIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { return nil }
        var port = 80
        if let portText {
            guard let value = Int(portText), (1...65535).contains(value) else { return nil }
            port = value
        }
        let target = rest.isEmpty ? "/" : (rest.hasPrefix("?") ? "/" + rest : String(rest))
        return (LoadEndpoint(host: String(host), port: port), target)
    }
}

/// One request as bytes on the wire, rendered once: the generators write it as it is (no per-request encoder).
struct LoadRequest: Sendable {
    var endpoint: LoadEndpoint
    var bytes: ByteBuffer
    /// Whether the caller reads the response body (else it is counted and dropped).
    var keepsBody: Bool
    /// False for a HEAD request: its response has no body whatever its headers say.
    var expectsBody = true

    /// Renders an HTTP/1.1 request: the request line, `Host`, the headers given (a `Host`, `Content-Length`,
    /// `Transfer-Encoding` or `Connection` among them is left out: the client writes its own), `Content-Length`, the body.
    /// Throws when a header name or value could split the request (a line break, or a name not a token).
    static func render(method: String, endpoint: LoadEndpoint, target: String, headers: [(String, String)], body: some Collection<UInt8>,
                       keepsBody: Bool, allocator: ByteBufferAllocator = ByteBufferAllocator()) throws(LoadRequestError) -> LoadRequest {
        try PreparedRequest(method: method, endpoint: endpoint, target: target, headers: headers, keepsBody: keepsBody)
            .request(body: body, allocator: allocator)
    }

    /// Whether `byte` may be part of a header name (RFC 9110's `tchar`: letters, digits and ``tokenSymbols``).
    @inline(__always)
    static func isTokenByte(_ byte: UInt8) -> Bool {
        byte < 64 ? tokenMaskLow >> UInt64(byte) & 1 != 0 : byte < 128 && tokenMaskHigh >> UInt64(byte - 64) & 1 != 0
    }

    /// `tchar` as two bit sets (bytes 0–63 and 64–127), so a header name costs a shift per byte: letters, digits and
    /// ``tokenSymbols`` (literals, so no lazy initialisation per use; a test rebuilds them from the definition).
    static let tokenMaskLow: UInt64 = 0x03ff6cfa00000000
    static let tokenMaskHigh: UInt64 = 0x57ffffffc7fffffe
    /// The symbols a token may have besides letters and digits.
    static let tokenSymbols = Array("!#$%&'*+-.^_`|~".utf8)
}

/// A request's head rendered and checked once (request line, `Host`, the headers): each job adds its
/// `Content-Length` and body — the generator's per-request work is a copy.
struct PreparedRequest: Sendable {
    let endpoint: LoadEndpoint
    let keepsBody: Bool
    let expectsBody: Bool
    private let head: [UInt8]

    /// Throws when a header name or value could split the request (a line break, or a name not a token).
    init(method: String, endpoint: LoadEndpoint, target: String, headers: [(String, String)], keepsBody: Bool) throws(LoadRequestError) {
        var head = Array("\(method) \(target) HTTP/1.1\r\nHost: \(endpoint.hostHeader)\r\n".utf8)
        for (name, value) in headers {
            guard !name.isEmpty, name.utf8.allSatisfy(LoadRequest.isTokenByte) else { throw LoadRequestError(message: "header name '\(name)' is not an HTTP token") }
            guard !value.utf8.contains(where: { $0 == 0x0D || $0 == 0x0A || $0 == 0 }) else {
                throw LoadRequestError(message: "header \(name)'s value has a line break")
            }
            switch name.lowercased() {
            case "host", "content-length", "transfer-encoding", "connection": continue
            default: head += Array("\(name): \(value)\r\n".utf8)
            }
        }
        head += Array("Content-Length: ".utf8)
        self.endpoint = endpoint
        self.keepsBody = keepsBody
        expectsBody = method != "HEAD"
        self.head = head
    }

    /// The whole request with `body`.
    func request(body: some Collection<UInt8>, allocator: ByteBufferAllocator = ByteBufferAllocator()) -> LoadRequest {
        var bytes = head(bodyCount: body.count, allocator: allocator)
        bytes.writeBytes(body)
        return LoadRequest(endpoint: endpoint, bytes: bytes, keepsBody: keepsBody, expectsBody: expectsBody)
    }

    /// The whole request with the body `template` writes for `values` (no `String` per job).
    func request(body template: JobBodyTemplate, values: JobBodyTemplate.Values, allocator: ByteBufferAllocator) -> LoadRequest {
        var bytes = head(bodyCount: template.count(values), allocator: allocator)
        template.write(values, into: &bytes)
        return LoadRequest(endpoint: endpoint, bytes: bytes, keepsBody: keepsBody, expectsBody: expectsBody)
    }

    /// The head through `Content-Length` and the blank line, in a buffer with room for the body.
    private func head(bodyCount: Int, allocator: ByteBufferAllocator) -> ByteBuffer {
        var bytes = allocator.buffer(capacity: head.count + 24 + bodyCount)
        bytes.writeBytes(head)
        JobBodyTemplate.writeDecimal(bodyCount, into: &bytes)
        bytes.writeStaticString("\r\n\r\n")
        return bytes
    }
}

/// A load request that could not be built, sent or answered: a one-line reason (counted as a submit error).
struct LoadRequestError: Error, Sendable, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// What came back: the status, the header section as received, and the body when the request kept it.
struct LoadResponse: Sendable {
    var status: Int
    /// The header lines as received (after the status line, up to the blank line): read by ``header(_:)`` only when
    /// a caller asks, so a response nobody inspects costs no header parsing beyond its framing.
    var head: ByteBuffer
    var body: ByteBuffer?
    /// When the response's last bytes reached this host's socket (the kernel's receive timestamp, µs since the epoch):
    /// its end for latency, however late the sender's thread got round to reading it. Nil when the kernel gave none.
    var receivedMicros: Int64?

    /// When the response ended for latency: its receive timestamp, else now.
    var endedMicros: Int64 { receivedMicros ?? WallClock.nowMicros() }

    /// The first value of header `name` (ASCII case-insensitive), without surrounding spaces or tabs; nil when absent.
    func header(_ name: String) -> String? {
        let wanted = Array(name.lowercased().utf8)
        return head.withUnsafeReadableBytes { bytes -> String? in
            var found: String?
            HTTPResponseReader.forEachHeader(in: bytes) { field, value in
                guard HTTPResponseReader.equalsIgnoringCase(field, wanted) else { return true }
                found = String(decoding: value, as: UTF8.self)
                return false
            }
            return found
        }
    }
}
