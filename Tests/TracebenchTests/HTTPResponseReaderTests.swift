import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing
import TracebenchMeasure
@testable import TracebenchRun

/// The load generators' response reader against an independent one: NIO's HTTP/1 decoder (llhttp) reads the same
/// seeded byte streams — interim 1xx responses, Content-Length, chunked bodies with extensions and trailers, bodies
/// ended by the close, HEAD, 204 and 304, HTTP/1.0 and `Connection` — split at random points, and both must agree on
/// every status, header, body and keep-alive; then malformed and hostile streams must each fail with a reason.
@Suite("HTTP response reader", .computeOnly)
struct HTTPResponseReaderTests {
    /// One response as written on the wire, and what a reader must make of it.
    struct Case {
        var wire: [UInt8] = []
        var status = 200
        var headers: [(String, String)] = []
        var body: [UInt8] = []
        var head = false
        var closeDelimited = false
        /// Whether the connection persists after it, by RFC 9112 (no `close`; 1.0 says `keep-alive`).
        var persists = true
        /// A HEAD response without Content-Length or Transfer-Encoding: framed by its request alone, which llhttp's
        /// keep-alive verdict does not take into account (it says the connection ends; RFC 9112 section 6.3 says not).
        var framedByHead = false
    }

    /// A random response (an interim 1xx before it sometimes; a body ended by the close only when `last`).
    static func randomCase(_ random: inout SeededGenerator, last: Bool) -> Case {
        var c = Case()
        func pick<T>(_ items: [T]) -> T { items[Int(random.next() % UInt64(items.count))] }
        func chance(_ percent: UInt64) -> Bool { random.next() % 100 < percent }
        let version = chance(15) ? "HTTP/1.0" : "HTTP/1.1"
        if chance(15) { c.wire += Array("HTTP/1.1 \(pick([100, 103])) Early\r\nLink: </a>\r\n\r\n".utf8) }
        c.status = pick([200, 201, 202, 204, 301, 304, 400, 404, 500, 503])
        c.head = chance(10)
        let bodyLength = pick([0, 1, 7, 100, 1000, 20_000])
        c.body = (0..<bodyLength).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        for index in 0..<Int(random.next() % 4) {
            let name = pick(["X-Trace", "x-echo", "Server", "Content-Type", "X-Server-Nanos"]) + "\(index)"
            let value = String((0..<Int(random.next() % 20 + 1)).map { _ in pick(Array("abcXYZ019-_=/;., ")) }).trimmingCharacters(in: .whitespaces)
            c.headers.append((name, value.isEmpty ? "v" : value))
        }
        let noBody = c.head || c.status == 204 || c.status == 304
        var lines = c.headers.map { "\($0.0):\(chance(50) ? " " : "")\($0.1)" }
        var framing = noBody ? pick(["length", "none"]) : (last ? pick(["length", "chunked", "close"]) : pick(["length", "chunked"]))
        if version == "HTTP/1.0", framing == "chunked" { framing = "length" }  // chunked is HTTP/1.1's
        switch framing {
        case "length": lines.append("\(pick(["Content-Length", "content-length"])): \(noBody ? Int(random.next() % 50) : c.body.count)")
        case "chunked": lines.append("Transfer-Encoding: \(pick(["chunked", "gzip, chunked", "Chunked"]))")
        case "close": c.closeDelimited = true
        default: break
        }
        c.framedByHead = c.head && framing == "none"
        c.persists = !(c.closeDelimited || (last && chance(30)))
        if !c.persists {
            lines.append("Connection: \(pick(["close", "Close"]))")
        } else if version == "HTTP/1.0" {
            lines.append("Connection: keep-alive")
        }
        c.wire += Array("\(version) \(c.status) \(pick(["OK", "Whatever it says", ""]))\r\n".utf8)
        c.wire += Array((lines.map { $0 + "\r\n" }.joined() + "\r\n").utf8)
        if noBody {
            c.body = []
        } else if framing == "chunked" {
            var rest = c.body[...]
            while !rest.isEmpty {
                let size = min(rest.count, Int(random.next() % 3000) + 1)
                c.wire += Array("\(String(size, radix: 16, uppercase: chance(50)))\(chance(20) ? ";ext=1" : "")\r\n".utf8) + rest.prefix(size) + Array("\r\n".utf8)
                rest = rest.dropFirst(size)
            }
            c.wire += Array("0\r\n\(chance(30) ? "X-Checksum: 1\r\n" : "")\r\n".utf8)
        } else {
            c.wire += c.body
        }
        return c
    }

    /// `wire` cut at random points.
    static func pieces(_ wire: [UInt8], _ random: inout SeededGenerator) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var rest = wire[...]
        while !rest.isEmpty {
            let size = min(rest.count, random.next() % 4 == 0 ? Int(random.next() % 5) + 1 : Int(random.next() % 4000) + 1)
            pieces.append(Array(rest.prefix(size)))
            rest = rest.dropFirst(size)
        }
        return pieces
    }

    /// Collects what NIO's decoder makes of the bytes.
    final class Collector: ChannelInboundHandler {
        typealias InboundIn = HTTPClientResponsePart
        var responses: [(head: HTTPResponseHead, body: [UInt8])] = []
        private var current: (head: HTTPResponseHead, body: [UInt8])?

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            switch unwrapInboundIn(data) {
            case let .head(head): current = (head, [])
            case let .body(bytes): current?.body += Array(bytes.readableBytesView)
            case .end:
                if let current { responses.append(current) }
                current = nil
            }
        }
    }

    /// NIO's reading of a connection's bytes, the requests' methods given in order.
    static func nioReading(_ pieces: [[UInt8]], heads: [Bool]) throws -> [(head: HTTPResponseHead, body: [UInt8])] {
        let channel = EmbeddedChannel()
        let collector = Collector()
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPResponseDecoder(leftOverBytesStrategy: .dropBytes)))
        try channel.pipeline.syncOperations.addHandler(collector)
        for head in heads {
            try channel.writeOutbound(HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: head ? .HEAD : .POST, uri: "/")))
        }
        for piece in pieces { try channel.writeInbound(ByteBuffer(bytes: piece)) }
        _ = try? channel.finish()
        return collector.responses
    }

    /// This reader's reading of the same bytes.
    static func ourReading(_ pieces: [[UInt8]], heads: [Bool]) throws -> [(response: LoadResponse, keepAlive: Bool)] {
        var reader = HTTPResponseReader(maxBody: 1 << 20)
        var responses: [(response: LoadResponse, keepAlive: Bool)] = []
        func expectNext() {
            if responses.count < heads.count { reader.expect(keepsBody: true, expectsBody: !heads[responses.count]) }
        }
        expectNext()
        for piece in pieces {
            var bytes = ByteBuffer(bytes: piece)
            while let response = try reader.feed(&bytes) {
                responses.append((response, reader.keepAlive))
                expectNext()
            }
        }
        if let response = try reader.end() { responses.append((response, reader.keepAlive)) }
        return responses
    }

    @Test("random responses split at random points: the same statuses, headers, bodies and keep-alive as NIO's decoder")
    func agreesWithLlhttp() throws {
        var random = SeededGenerator(seed: 0x4854_5450)
        for round in 0..<600 {
            let count = Int(random.next() % 3) + 1
            let cases = (0..<count).map { Self.randomCase(&random, last: $0 == count - 1) }
            let heads = cases.map(\.head)
            let pieces = Self.pieces(cases.flatMap(\.wire), &random)
            let theirs = try Self.nioReading(pieces, heads: heads)
            let ours = try Self.ourReading(pieces, heads: heads)
            try #require(theirs.count == count && ours.count == count, "round \(round): NIO read \(theirs.count), we read \(ours.count) of \(count)")
            for (index, c) in cases.enumerated() {
                let (response, keepAlive) = ours[index]
                #expect(response.status == c.status && Int(theirs[index].head.status.code) == c.status, "round \(round)")
                #expect(Array(response.body?.readableBytesView ?? ByteBuffer().readableBytesView) == c.body, "round \(round) response \(index)")
                #expect(theirs[index].body == c.body, "round \(round) response \(index): NIO")
                for (name, _) in c.headers + [("Content-Length", ""), ("Transfer-Encoding", ""), ("Connection", ""), ("X-Absent", "")] {
                    #expect(response.header(name) == theirs[index].head.headers.first(name: name), "round \(round): \(name)")
                    #expect(response.header(name.uppercased()) == response.header(name.lowercased()))
                }
                #expect(keepAlive == c.persists, "round \(round) response \(index)")
                if !c.closeDelimited, !c.framedByHead { #expect(keepAlive == theirs[index].head.isKeepAlive, "round \(round) response \(index): NIO") }
            }
        }
    }

    /// Reads `text` whole: the response, or the failure's message.
    static func read(_ text: String, keepsBody: Bool = true, maxBody: Int = 1 << 20) -> Result<LoadResponse?, HTTPResponseReader.Failure> {
        var reader = HTTPResponseReader(maxBody: maxBody)
        reader.expect(keepsBody: keepsBody, expectsBody: true)
        var bytes = ByteBuffer(string: text)
        do throws(HTTPResponseReader.Failure) {
            if let response = try reader.feed(&bytes) { return .success(response) }
            return .success(try reader.end())
        } catch {
            return .failure(error)
        }
    }

    @Test("malformed and hostile responses fail with a reason naming what is wrong; nothing is taken for a response")
    func malformed() {
        let cases: [(String, String)] = [
            ("\u{0}\u{FF}NOT HTTP\r\n\r\n", "not an HTTP/1 status line"),
            ("HTTP/2 200 OK\r\n\r\n", "not an HTTP/1 status line"),
            ("HTTP/1.1 20 OK\r\n\r\n", "not an HTTP/1 status line"),
            ("HTTP/1.1 200OK\r\n\r\n", "not an HTTP/1 status line"),
            ("HTTP/1.1 200 OK\r\nContent-Length: abc\r\n\r\n", "a bad Content-Length"),
            ("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n", "a bad Content-Length"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 99999999999999999999\r\n\r\n", "a bad Content-Length"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 5, 6\r\n\r\nhello", "conflicting Content-Length"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello", "conflicting Content-Length"),
            ("HTTP/1.1 200 OK\r\nno colon here\r\n\r\n", "a malformed header line"),
            ("HTTP/1.1 200 OK\r\nBad Name: 1\r\n\r\n", "a malformed header line"),
            ("HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\n\r\n", "a malformed header line"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", "not a chunk-size line"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n\r\n", "an empty chunk-size line"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffffff\r\n", "too large"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nabc\r\n0\r\n\r\n", "longer than its size line"),
            ("HTTP/1.1 101 Switching Protocols\r\nUpgrade: h2c\r\n\r\n", "switched protocols"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\n{}", "closed before the response ended"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab", "closed before the response ended"),
            ("HTTP/1.1 200 OK\r\nX-Long: " + String(repeating: "y", count: 100_000), "header section is over"),
            ("HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n", "body is over 1048576 bytes"),
            ("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n" + String(repeating: "1;" + String(repeating: "e", count: 1000), count: 90), "chunk-size line is over"),
        ]
        for (text, reason) in cases {
            switch Self.read(text) {
            case let .success(response): Issue.record("read as \(String(describing: response?.status)): \(text.prefix(80))")
            case let .failure(failure): #expect(failure.message.contains(reason), "\(text.prefix(80)): \(failure.message)")
            }
        }
        // A failure quotes what came, escaped, and no more than 40 bytes of it.
        guard case let .failure(failure) = Self.read("\u{1B}[2J" + String(repeating: "x", count: 200) + "\r\n\r\n") else { return }
        #expect(failure.message.contains("\\x1b[2J") && failure.message.count < 120, "\(failure.message)")
    }

    @Test("framing by the rules: lists of equal lengths, the last transfer coding, HEAD, 204 and 304, interim responses, HTTP/1.0, bodies not kept")
    func framing() throws {
        #expect(try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 5, 5\r\n\r\nhello").get()?.body.map { String(buffer: $0) } == "hello")
        #expect(try Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n").get()?.body.map { String(buffer: $0) } == "abc")
        // A transfer coding that is not chunked last: the body runs to the close.
        #expect(try Self.read("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nraw bytes").get()?.body.map { String(buffer: $0) } == "raw bytes")
        #expect(try Self.read("HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n").get()?.status == 204)
        #expect(try Self.read("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: <x>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n").get()?.status == 201)
        // A body not kept is counted and dropped; one over the cap is fine then.
        #expect(try Self.read("HTTP/1.1 200 OK\r\nContent-Length: 2000000\r\n\r\n" + String(repeating: "z", count: 2_000_000), keepsBody: false).get()?.body == nil)
        var reader = HTTPResponseReader(maxBody: 100)
        reader.expect(keepsBody: true, expectsBody: false)
        var bytes = ByteBuffer(string: "HTTP/1.0 200 OK\r\nContent-Length: 10\r\n\r\n")
        #expect(try reader.feed(&bytes)?.status == 200)
        #expect(!reader.keepAlive && !reader.hasUnreadBytes)
        reader.expect(keepsBody: true, expectsBody: true)
        bytes = ByteBuffer(string: "HTTP/1.1 200 OK\r\nConnection: keep-alive, Close\r\nContent-Length: 1\r\n\r\nab")
        #expect(try reader.feed(&bytes)?.body.map { String(buffer: $0) } == "a")
        #expect(!reader.keepAlive && reader.hasUnreadBytes)
        // A header's value without the spaces around it; the first of two; none for a name that is a prefix of one.
        let response = try #require(try Self.read("HTTP/1.1 200 OK\r\nX-Id:  \t a b \t\r\nx-id: second\r\nX-Identity: no\r\nContent-Length: 0\r\n\r\n").get())
        #expect(response.header("x-ID") == "a b" && response.header("X-Ide") == nil)
    }
}
