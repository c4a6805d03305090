import Hummingbird
import Synchronization
import Logging
import NIOCore
import ServiceLifecycle
import TracebenchMeasure

/// tracebench's embedded OTLP receiver: `POST /v1/traces` on 127.0.0.1 (by default), protobuf or JSON bodies,
/// optionally gzip-compressed (and Zipkin v2 JSON on `POST /api/v2/spans`, ``ZipkinJSONDecoder``), and — once ``startGRPC()`` is called — OTLP/gRPC `TraceService/Export` on a second
/// port. Accepted spans go to one ``TraceStore`` stamped with their receive time. Oversized, malformed, wrongly
/// typed or wrongly encoded bodies get a 4xx (or a gRPC error) and are counted.
///
/// Hostile or broken clients cannot hold it: a declared `Content-Length` over ``maxBodyBytes`` is answered 413 from
/// the header alone, a body not received within ``bodyReadTimeout`` is answered 408, a connection with nothing
/// happening on it is closed, and ``stop()`` returns within a bounded time whatever clients still hold open.
public final class OTLPSink: Sendable {
    /// How long ``stop()`` lets in-flight requests finish before cancelling them.
    public static let shutdownGrace: Duration = .seconds(2)

    /// Everything received (both listeners), and the counts of what was refused.
    public let store: TraceStore
    /// The largest body accepted, before and after gzip inflation.
    public let maxBodyBytes: Int
    /// The longest a request body may take to arrive, counted from the request's headers.
    public let bodyReadTimeout: Duration
    private let host: String
    private let requestedPort: Int
    /// `Authorization` must be `Bearer <token>` when set.
    private let credential: SinkCredential?
    private let running: RunningServer
    private let grpc: OTLPGRPCReceiver

    /// - Parameters:
    ///   - host: address to bind (127.0.0.1 unless told otherwise).
    ///   - port: 0 picks a free port.
    ///   - maxBodyBytes: larger bodies (declared, compressed or inflated) are refused with 413.
    ///   - bodyReadTimeout: a body still incomplete this long after its headers is refused with 408. Connections are
    ///     closed after twice this long with nothing read (headers trickled in, or a body stalled after its 408).
    ///   - token: when not empty, a post without `Authorization: Bearer <token>` is refused (401 / UNAUTHENTICATED) and
    ///     counted, never stored.
    ///   - maxSpans: the most spans stored; later ones are accepted and counted as overflow.
    public init(host: String = "127.0.0.1", port: Int = 0, maxBodyBytes: Int = 32 << 20, bodyReadTimeout: Duration = .seconds(10),
                token: String = "", maxSpans: Int = .max) {
        store = TraceStore(maxSpans: maxSpans)
        self.host = host
        credential = token.isEmpty ? nil : SinkCredential(token: token)
        requestedPort = port
        self.maxBodyBytes = maxBodyBytes
        self.bodyReadTimeout = bodyReadTimeout
        running = RunningServer()
        grpc = OTLPGRPCReceiver(store: store, credential: credential)
    }

    /// Starts listening; returns the bound port.
    public func start() async throws -> Int {
        let router = Router()
        router.post("/v1/traces") { [self] request, context in
            try await receive(request, context: context, format: .otlp)
        }
        router.post("/api/v2/spans") { [self] request, context in
            try await receive(request, context: context, format: .zipkin)
        }
        router.get("/health") { _, _ in "ok" }
        var logger = Logger(label: "sink") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        // Well past the body read timeout (by 5 s, for a loaded machine), so that a stalled body gets its 408 before
        // the connection is dropped.
        let idleTimeout = TimeAmount(bodyReadTimeout * 2 + .seconds(5))
        let app = Application(
            router: router,
            server: .http1(configuration: .init(idleTimeout: idleTimeout)),
            configuration: .init(address: .hostname(host, port: requestedPort), serverName: nil),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let server = ServerTask { try await group.run() }
        running.set(group: group, server: server)
        for await port in portStream { return port }
        // The stream ended without a port: the server failed to start.
        try await server.task.value
        throw SinkError.notStarted
    }

    /// Starts the OTLP/gRPC listener (on the HTTP listener's host unless given one); returns its port.
    public func startGRPC(host grpcHost: String? = nil, port: Int = 0) async throws -> Int {
        try await grpc.start(host: grpcHost ?? host, port: port, maxMessageBytes: maxBodyBytes)
    }

    /// Stops both listeners, together: each shuts down gracefully, and requests still in flight after
    /// ``shutdownGrace`` (a client holding a body back, say) are cancelled. Returns within about `shutdownGrace`
    /// plus one second even if a listener ignores cancellation (it is then left to end on its own).
    public func stop() async {
        async let grpcStopped: Void = grpc.stop()
        if let (group, server) = running.take() {
            await group.triggerGracefulShutdown()
            await server.waitForEnd(grace: Self.shutdownGrace)
        }
        await grpcStopped
    }

    /// What a listener path receives: OTLP (`/v1/traces`: protobuf or JSON) or Zipkin v2 (`/api/v2/spans`: JSON).
    enum Format {
        case otlp, zipkin
    }

    private func receive(_ request: Request, context: some RequestContext, format: Format) async throws -> Response {
        if let credential, !credential.accepts(request.headers[.authorization]) {
            store.reject(.unauthorized)
            throw HTTPError(.unauthorized, message: "missing or wrong Authorization: Bearer token")
        }
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let isJSON = contentType.hasPrefix("application/json")
        guard isJSON || (format == .otlp && (contentType.hasPrefix("application/x-protobuf") || contentType.hasPrefix("application/protobuf"))) else {
            store.reject(.unsupportedMediaType)
            throw HTTPError(.unsupportedMediaType, message: format == .otlp ? "expected application/x-protobuf or application/json" : "expected application/json (Zipkin v2 JSON)")
        }
        // Refused from the header alone: the body is never read (Hummingbird discards whatever of it still arrives).
        let declaredLength = Self.declaredContentLength(request.headers)
        if let declaredLength, declaredLength > maxBodyBytes {
            store.reject(.tooLarge)
            let message = "declared body of \(declaredLength) bytes exceeds \(maxBodyBytes)"
            throw HTTPError(.contentTooLarge, headers: [.connection: "close"], message: message)
        }
        let buffer = try await readBody(request.body, declaredLength: declaredLength)
        var body = Array(buffer.readableBytesView)
        let wireBytes = body.count
        switch request.headers[.contentEncoding]?.lowercased() {
        case nil, "identity":
            break
        case "gzip":
            do {
                body = try Gzip.inflate(body, limit: maxBodyBytes)
            } catch GzipError.tooLarge {
                store.reject(.tooLarge)
                throw HTTPError(.contentTooLarge, message: "inflated body exceeds \(maxBodyBytes) bytes")
            } catch {
                store.reject(.badEncoding)
                throw HTTPError(.badRequest, message: "body is not valid gzip")
            }
        default:
            store.reject(.badEncoding)
            throw HTTPError(.unsupportedMediaType, message: "unsupported Content-Encoding")
        }
        let now = WallClock.nowNanos()
        let spans: [ReceivedSpan]
        do {
            switch format {
            case .otlp: spans = isJSON ? try OTLPDecoder.decodeJSON(body, receivedNanos: now) : try OTLPDecoder.decodeProtobuf(body, receivedNanos: now)
            case .zipkin: spans = try ZipkinJSONDecoder.decode(body, receivedNanos: now)
            }
        } catch {
            store.reject(.malformed)
            throw HTTPError(.badRequest, message: "malformed \(format == .otlp ? "OTLP" : "Zipkin v2") body: \(error)")
        }
        store.accept(spans, bodyBytes: wireBytes, receivedNanos: now)
        // Zipkin's collector answers 202 Accepted with no body.
        if format == .zipkin { return Response(status: .accepted) }
        // swift-otel's exporter needs a protobuf content type on the 200 (an empty ExportTraceServiceResponse).
        var headers = HTTPFields()
        headers[.contentType] = isJSON ? "application/json" : "application/x-protobuf"
        return Response(status: .ok, headers: headers, body: isJSON ? .init(byteBuffer: ByteBuffer(string: "{}")) : .init())
    }

    /// The whole body, read within ``bodyReadTimeout``; one that is too large, too slow, shorter than declared or
    /// unreadable is refused (and counted).
    private func readBody(_ requestBody: RequestBody, declaredLength: Int?) async throws -> ByteBuffer {
        let buffer: ByteBuffer
        do {
            buffer = try await Self.collectWithDeadline(requestBody, upTo: maxBodyBytes, within: bodyReadTimeout)
        } catch is NIOTooManyBytesError {
            store.reject(.tooLarge)
            throw HTTPError(.contentTooLarge, message: "body exceeds \(maxBodyBytes) bytes")
        } catch is BodyReadTimedOut {
            store.reject(.timeout)
            throw HTTPError(.requestTimeout, headers: [.connection: "close"], message: "body not received within \(bodyReadTimeout)")
        } catch {
            // A broken HTTP body or a dropped connection; Hummingbird answers (400 for a parse error) or closes. A
            // request cancelled because the sink is stopping is not the client's fault and is not counted.
            if !Task.isCancelled { store.reject(.malformed) }
            throw error
        }
        if let declaredLength, buffer.readableBytes != declaredLength {
            // The stream ended early (the connection went away): never decode a truncated body.
            if Task.isCancelled { throw CancellationError() }
            store.reject(.malformed)
            throw HTTPError(.badRequest, message: "body has \(buffer.readableBytes) of the \(declaredLength) bytes declared")
        }
        return buffer
    }

    /// Collects `requestBody` (at most `maxBytes`), racing it against `limit`. When the deadline wins, reading is
    /// cancelled, which ends the connection's inbound stream: nothing more is read from that client.
    /// - Throws: `NIOTooManyBytesError` past `maxBytes`, `BodyReadTimedOut` past `limit`, or what reading threw.
    private static func collectWithDeadline(_ requestBody: RequestBody, upTo maxBytes: Int, within limit: Duration) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await requestBody.collect(upTo: maxBytes) }
            group.addTask {
                try await Task.sleep(for: limit)
                return nil
            }
            defer { group.cancelAll() }
            // The first child to finish decides: the body, or nil when the deadline came first.
            guard let first = try await group.next(), let buffer = first else { throw BodyReadTimedOut() }
            return buffer
        }
    }

    /// The body length a request declares, if it declares a valid one; a number too big for `Int` counts as `Int.max`.
    private static func declaredContentLength(_ headers: HTTPFields) -> Int? {
        guard let text = headers[.contentLength], !text.isEmpty, text.utf8.allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) }) else {
            return nil
        }
        return Int(text) ?? .max
    }
}

/// A request body that did not arrive within the sink's read timeout.
private struct BodyReadTimedOut: Error {}

/// Why the sink could not start.
public enum SinkError: Error, Sendable {
    case notStarted
}

/// The running server's handles, set once by `start` and taken once by `stop`.
private final class RunningServer: Sendable {
    private let handles = Mutex<(ServiceGroup, ServerTask)?>(nil)
    func set(group: ServiceGroup, server: ServerTask) { handles.withLock { $0 = (group, server) } }
    func take() -> (ServiceGroup, ServerTask)? { handles.withLock { value in defer { value = nil }; return value } }
}

/// A listener's run task, plus a signal that fires when it ends, so that stopping it can wait with a bound (waiting
/// on `task.value` itself could not be abandoned).
struct ServerTask: Sendable {
    /// How long to wait after cancelling before giving up on the task.
    static let cancellationGrace: Duration = .seconds(1)

    let task: Task<Void, any Error>
    private let ended: AsyncStream<Void>

    /// Starts `operation` in a new task.
    init(_ operation: @escaping @Sendable () async throws -> Void) {
        let (ended, endedSignal) = AsyncStream<Void>.makeStream()
        self.ended = ended
        task = Task {
            defer { endedSignal.finish() }
            try await operation()
        }
    }

    /// Waits for the task to end once it has been asked to shut down: up to `grace`, then cancels it and waits up to
    /// ``cancellationGrace`` more. Returns as soon as it ends, and never later than the two together.
    func waitForEnd(grace: Duration) async {
        let task = self.task
        let ended = self.ended
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                for await _ in ended {}
            }
            group.addTask {
                do { try await Task.sleep(for: grace) } catch { return }
                task.cancel()
                try? await Task.sleep(for: Self.cancellationGrace)
            }
            // Whichever finishes first; cancelling the other ends it at once (both only wait).
            _ = await group.next()
            group.cancelAll()
        }
    }
}

/// The sink's bearer token, checked in constant time (the comparison takes as long whatever the first wrong byte).
struct SinkCredential: Sendable {
    private let expected: [UInt8]

    init(token: String) {
        expected = Array("Bearer \(token)".utf8)
    }

    /// Whether an `Authorization` header value is exactly `Bearer <token>`.
    func accepts(_ header: String?) -> Bool {
        let given = Array((header ?? "").utf8)
        var difference = UInt8(given.count == expected.count ? 0 : 1)
        for index in expected.indices { difference |= expected[index] ^ (index < given.count ? given[index] : 0) }
        return difference == 0
    }
}
