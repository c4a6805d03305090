#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import NIOCore

/// An incremental HTTP/1.1 response reader for the load generators' connections: fed the bytes a read brought, it
/// returns a response once its last byte has come. It frames responses as RFC 9112 says (section 6.3): no body for a
/// HEAD request, a 1xx (skipped: the final response follows), 204 or 304; else `Transfer-Encoding` (chunked, or read
/// until the connection closes), else `Content-Length`, else until close. Keep-alive follows the version and
/// `Connection`. Headers are not parsed into a dictionary: the section is kept as bytes (``LoadResponse/header(_:)``).
///
/// Anything malformed (not HTTP, a bad status line or length, conflicting lengths, an over-long header section or
/// chunk line, a body over the cap when kept) throws a one-line reason; the connection is then closed. The tests read
/// the same byte streams, split at random points, with NIO's own decoder (llhttp) and compare.
struct HTTPResponseReader {
    /// Why a response could not be read: the load generators' one request error.
    typealias Failure = LoadRequestError

    /// The longest header section (or trailer section, or chunk-size line) read before giving up: NIO's default limit.
    static let maxHead = 80 * 1024

    private enum State {
        case head
        case body(remaining: Int)
        case chunkSize
        case chunkData(remaining: Int)
        case chunkEnd
        case trailers
        case untilClose
    }

    /// The longest body kept for a caller that reads it.
    let maxBody: Int
    private var state = State.head
    /// Bytes received and not consumed yet.
    private var buffered: ByteBuffer?
    /// Where a search for the end of a header section resumes: the start of the first line not yet complete, valid
    /// while `buffered`'s reader index is the one recorded (each read then scans only what is new).
    private var scan = (readerIndex: -1, lineStart: 0)
    private var response: LoadResponse?
    private var keepsBody = false
    private var expectsBody = true
    /// Whether the connection may carry another request after the response read last.
    private(set) var keepAlive = true

    init(maxBody: Int) {
        self.maxBody = maxBody
    }

    /// Whether bytes are waiting that no response has consumed (after a whole response: an answer nobody asked for).
    var hasUnreadBytes: Bool { (buffered?.readableBytes ?? 0) > 0 }

    /// A request was written: the next response is its. `expectsBody` is false for a HEAD request.
    mutating func expect(keepsBody: Bool, expectsBody: Bool) {
        self.keepsBody = keepsBody
        self.expectsBody = expectsBody
    }

    /// Takes the bytes one read brought; returns the response when it has ended (bytes after it stay unread).
    mutating func feed(_ bytes: inout ByteBuffer) throws(Failure) -> LoadResponse? {
        if buffered == nil || buffered!.readableBytes == 0 {
            buffered = bytes
        } else {
            buffered!.writeBuffer(&bytes)
        }
        bytes.moveReaderIndex(to: bytes.writerIndex)
        while true {
            switch state {
            case .head:
                guard let end = try lineBlockEnd() else { return nil }
                if let done = try readHead(length: end) { return done }
            case let .body(remaining):
                guard try take(upTo: remaining, into: State.body(remaining:)) else { return nil }
                return finish()
            case .chunkSize:
                guard let line = try line() else { return nil }
                let size = try Self.chunkSize(line)
                state = size == 0 ? .trailers : .chunkData(remaining: size)
            case let .chunkData(remaining):
                guard try take(upTo: remaining, into: State.chunkData(remaining:)) else { return nil }
                state = .chunkEnd
            case .chunkEnd:
                guard let line = try line() else { return nil }
                guard line.isEmpty else { throw Failure(message: "a chunk is longer than its size line says") }
                state = .chunkSize
            case .trailers:
                guard let end = try lineBlockEnd() else { return nil }
                buffered!.moveReaderIndex(forwardBy: end)
                return finish()
            case .untilClose:
                var rest = buffered!
                buffered!.moveReaderIndex(to: buffered!.writerIndex)
                try keep(&rest)
                return nil
            }
        }
    }

    /// The connection closed: the response whose body ends with it, nil when no response was under way; throws when
    /// one was cut short.
    mutating func end() throws(Failure) -> LoadResponse? {
        switch state {
        case .untilClose: return finish()
        case .head where response == nil && !hasUnreadBytes: return nil
        default: throw Failure(message: "the connection closed before the response ended")
        }
    }

    // MARK: Framing

    /// Reads a complete header section of `length` bytes (status line included) at the reader index: the response
    /// when it has no body, else nil with the body's state set.
    private mutating func readHead(length: Int) throws(Failure) -> LoadResponse? {
        let start = buffered!.readerIndex
        let parsed = buffered!.withUnsafeReadableBytes { bytes -> Result<(Bool, Int, Framing, Int), Failure> in
            let head = UnsafeRawBufferPointer(rebasing: bytes[..<length])
            guard let firstEnd = Self.newline(in: head, from: 0) else { return .failure(Failure(message: "no status line")) }
            return Result { () throws(Failure) in
                let (major1, status) = try Self.statusLine(UnsafeRawBufferPointer(rebasing: head[..<Self.trimmingCR(head, firstEnd)]))
                var framing = Framing()
                try framing.read(UnsafeRawBufferPointer(rebasing: head[(firstEnd + 1)...]))
                return (major1, status, framing, firstEnd)
            }
        }
        let (major1, status, framing, firstEnd) = try parsed.get()
        let headerBytes = buffered!.getSlice(at: start + firstEnd + 1, length: length - firstEnd - 1)!  // within the readable bytes
        buffered!.moveReaderIndex(forwardBy: length)
        if (100..<200).contains(status) {
            guard status != 101 else { throw Failure(message: "HTTP 101: the server switched protocols") }
            return nil  // an interim response: the final one follows
        }
        keepAlive = framing.close ? false : (major1 || framing.keepAlive)
        response = LoadResponse(status: status, head: headerBytes, body: keepsBody ? ByteBuffer() : nil)
        if !expectsBody || status == 204 || status == 304 { return finish() }
        if framing.transferEncoding {
            if framing.chunked {
                state = .chunkSize
            } else {
                keepAlive = false
                state = .untilClose
            }
        } else if let length = framing.contentLength {
            if keepsBody, length > maxBody { throw Failure(message: "the response body is over \(maxBody) bytes") }
            if length == 0 { return finish() }
            state = .body(remaining: length)
        } else {
            keepAlive = false
            state = .untilClose
        }
        return nil
    }

    /// Consumes up to `remaining` body bytes; true when all of them have come, else the state holds what is left.
    private mutating func take(upTo remaining: Int, into next: (Int) -> State) throws(Failure) -> Bool {
        let count = min(remaining, buffered!.readableBytes)
        var part = buffered!.readSlice(length: count)!
        try keep(&part)
        if count == remaining { return true }
        state = next(remaining - count)
        return false
    }

    private mutating func keep(_ part: inout ByteBuffer) throws(Failure) {
        guard response?.body != nil else { return }
        if response!.body!.readableBytes + part.readableBytes > maxBody { throw Failure(message: "the response body is over \(maxBody) bytes") }
        if response!.body!.readableBytes == 0 { response!.body = part } else { response!.body!.writeBuffer(&part) }
    }

    private mutating func finish() -> LoadResponse? {
        defer {
            response = nil
            state = .head
            if buffered?.readableBytes == 0 { buffered = nil }  // the caller's read buffer is its own again (reused, not copied)
        }
        return response
    }

    // MARK: Lines

    /// The length of the bytes from the reader index through the first empty line (a header or trailer section), nil
    /// until it has come; throws past ``maxHead``.
    private mutating func lineBlockEnd() throws(Failure) -> Int? {
        let from = scan.readerIndex == buffered!.readerIndex ? scan.lineStart : 0
        let (found, resume) = buffered!.withUnsafeReadableBytes { bytes -> (Int?, Int) in
            var lineStart = from
            while let newline = Self.newline(in: bytes, from: lineStart) {
                if newline == lineStart || (newline == lineStart + 1 && bytes[lineStart] == UInt8(ascii: "\r")) { return (newline + 1, 0) }
                lineStart = newline + 1
            }
            return (nil, lineStart)
        }
        scan = (buffered!.readerIndex, resume)
        if found == nil, buffered!.readableBytes > Self.maxHead { throw Failure(message: "the response's header section is over \(Self.maxHead) bytes") }
        return found
    }

    /// The next line (without its line break), consumed; nil until it has come.
    private mutating func line() throws(Failure) -> [UInt8]? {
        let line = buffered!.withUnsafeReadableBytes { bytes -> (Int, Int)? in
            guard let newline = Self.newline(in: bytes, from: 0) else { return nil }
            return (Self.trimmingCR(bytes, newline), newline + 1)
        }
        guard let (length, consumed) = line else {
            if buffered!.readableBytes > Self.maxHead { throw Failure(message: "a chunk-size line is over \(Self.maxHead) bytes") }
            return nil
        }
        defer { buffered!.moveReaderIndex(forwardBy: consumed) }
        return buffered!.getBytes(at: buffered!.readerIndex, length: length)
    }

    /// The index of the first line feed in `bytes` at or after `start`.
    static func newline(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        guard start < bytes.count, let base = bytes.baseAddress,
              let found = memchr(base + start, 0x0A, bytes.count - start) else { return nil }
        return base.distance(to: UnsafeRawPointer(found))
    }

    static func trimmingCR(_ bytes: UnsafeRawBufferPointer, _ newline: Int) -> Int {
        newline > 0 && bytes[newline - 1] == UInt8(ascii: "\r") ? newline - 1 : newline
    }

    /// `HTTP/1.x SSS[ reason]`: whether the version is 1.1 or later (keep-alive by default), and the status.
    private static func statusLine(_ line: UnsafeRawBufferPointer) throws(Failure) -> (Bool, Int) {
        guard line.count >= 12, line[0] == UInt8(ascii: "H"), line[1] == UInt8(ascii: "T"), line[2] == UInt8(ascii: "T"), line[3] == UInt8(ascii: "P"),
              line[4] == UInt8(ascii: "/"), line[5] == UInt8(ascii: "1"), line[6] == UInt8(ascii: "."), isDigit(line[7]), line[8] == UInt8(ascii: " "),
              line[9...11].allSatisfy(isDigit), line.count == 12 || line[12] == UInt8(ascii: " ")
        else { throw Failure(message: "not an HTTP/1 status line: \(printable(line))") }
        let status = line[9...11].reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
        return (line[7] != UInt8(ascii: "0"), status)
    }

    private static func chunkSize(_ line: [UInt8]) throws(Failure) -> Int {
        var size = 0
        var digits = 0
        for byte in line {
            guard let value = hexValue(byte) else {
                guard digits > 0, byte == UInt8(ascii: ";") || byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t") else {
                    throw Failure(message: "not a chunk-size line: \(line.withUnsafeBytes { printable($0) })")
                }
                break
            }
            guard size < 1 << 56 else { throw Failure(message: "a chunk size is too large") }
            size = size * 16 + value
            digits += 1
        }
        guard digits > 0 else { throw Failure(message: "an empty chunk-size line") }
        return size
    }

    // MARK: Header fields

    /// What a response's header fields say about its framing and its connection.
    private struct Framing {
        var contentLength: Int?
        var transferEncoding = false
        var chunked = false
        var close = false
        var keepAlive = false

        mutating func read(_ fields: UnsafeRawBufferPointer) throws(Failure) {
            var failure: Failure?
            let complete = HTTPResponseReader.forEachHeader(in: fields) { name, value in
                do throws(Failure) {
                    try field(name, value)
                    return true
                } catch {
                    failure = error
                    return false
                }
            }
            if let failure { throw failure }
            guard complete else { throw Failure(message: "a malformed header line") }
        }

        private mutating func field(_ name: UnsafeRawBufferPointer, _ value: UnsafeRawBufferPointer) throws(Failure) {
            // By length first: most fields are none of the three, and are passed over without a comparison.
            switch name.count {
            case 10, 14, 17: break  // connection, content-length, transfer-encoding
            default: return
            }
            if HTTPResponseReader.equalsIgnoringCase(name, Names.contentLength) {
                // A list of equal values is one value (RFC 9110 section 8.6); anything else is refused.
                var failure: Failure?
                HTTPResponseReader.forEachItem(in: value, omittingEmpty: false) { digits in
                    guard !digits.isEmpty, digits.count <= 18, digits.allSatisfy(HTTPResponseReader.isDigit) else {
                        failure = Failure(message: "a bad Content-Length: \(HTTPResponseReader.printable(value))")
                        return
                    }
                    let length = digits.reduce(0) { $0 * 10 + Int($1 - UInt8(ascii: "0")) }
                    if let contentLength, contentLength != length { failure = Failure(message: "conflicting Content-Length values") }
                    contentLength = length
                }
                if let failure { throw failure }
            } else if HTTPResponseReader.equalsIgnoringCase(name, Names.transferEncoding) {
                transferEncoding = true
                chunked = false
                HTTPResponseReader.forEachItem(in: value, omittingEmpty: true) { chunked = HTTPResponseReader.equalsIgnoringCase($0, Names.chunked) }
            } else if HTTPResponseReader.equalsIgnoringCase(name, Names.connection) {
                HTTPResponseReader.forEachItem(in: value, omittingEmpty: true) { token in
                    if HTTPResponseReader.equalsIgnoringCase(token, Names.close) { close = true }
                    if HTTPResponseReader.equalsIgnoringCase(token, Names.keepAlive) { keepAlive = true }
                }
            }
        }
    }

    /// The lowercase spellings the framing looks for.
    private enum Names {
        static let contentLength = Array("content-length".utf8)
        static let transferEncoding = Array("transfer-encoding".utf8)
        static let connection = Array("connection".utf8)
        static let chunked = Array("chunked".utf8)
        static let close = Array("close".utf8)
        static let keepAlive = Array("keep-alive".utf8)
    }

    /// Calls `body` with each comma-separated item of a header value, without surrounding spaces and tabs.
    static func forEachItem(in value: UnsafeRawBufferPointer, omittingEmpty: Bool, _ body: (UnsafeRawBufferPointer) -> Void) {
        var start = 0
        while start <= value.count {
            var end = start
            while end < value.count, value[end] != UInt8(ascii: ",") { end += 1 }
            let item = trimmingWhitespace(UnsafeRawBufferPointer(rebasing: value[start..<end]))
            if !item.isEmpty || !omittingEmpty { body(item) }
            start = end + 1
        }
    }

    /// Calls `body(name, value)` for each header line of a section (lines ended by LF or CRLF; the empty line ends it;
    /// the value without surrounding spaces and tabs) while it returns true. False when a line is not `name: value`
    /// (a folded line, no colon, an empty or spaced name) or `body` stopped.
    @discardableResult
    static func forEachHeader(in section: UnsafeRawBufferPointer,
                              _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer) -> Bool) -> Bool {
        var index = 0
        while index < section.count {
            let newline = Self.newline(in: section, from: index) ?? section.count
            let end = trimmingCR(section, newline)
            if end == index { return true }
            let line = UnsafeRawBufferPointer(rebasing: section[index..<end])
            var colon = 0
            while colon < line.count, line[colon] != UInt8(ascii: ":") {
                guard LoadRequest.isTokenByte(line[colon]) else { return false }
                colon += 1
            }
            guard colon > 0, colon < line.count else { return false }
            let value = trimmingWhitespace(UnsafeRawBufferPointer(rebasing: line[(colon + 1)...]))
            guard body(UnsafeRawBufferPointer(rebasing: line[..<colon]), value) else { return false }
            index = newline + 1
        }
        return true
    }

    /// `bytes` without leading and trailing spaces and tabs (HTTP's optional whitespace).
    static func trimmingWhitespace(_ bytes: UnsafeRawBufferPointer) -> UnsafeRawBufferPointer {
        var first = 0
        var last = bytes.count
        while first < last, bytes[first] == 0x20 || bytes[first] == 0x09 { first += 1 }
        while last > first, bytes[last - 1] == 0x20 || bytes[last - 1] == 0x09 { last -= 1 }
        return UnsafeRawBufferPointer(rebasing: bytes[first..<last])
    }

    /// Whether `bytes` spell `lowercase` with any letters in either case.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ lowercase: [UInt8]) -> Bool {
        guard bytes.count == lowercase.count else { return false }
        for index in 0..<bytes.count {
            let byte = bytes[index]
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            if folded != lowercase[index] { return false }
        }
        return true
    }

    static func isDigit(_ byte: UInt8) -> Bool { (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }

    /// The first 40 bytes, printable ASCII kept and the rest escaped: a reason quotes what came, never raw bytes.
    static func printable(_ bytes: UnsafeRawBufferPointer) -> String {
        let shown = bytes.prefix(40).map { (0x20..<0x7F).contains($0) ? String(UnicodeScalar($0)) : "\\x" + String($0, radix: 16) }.joined()
        return "'" + shown + (bytes.count > 40 ? "…'" : "'")
    }
}
