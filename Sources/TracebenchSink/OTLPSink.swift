import Hummingbird
import Synchronization
import Logging
import NIOCore
import ServiceLifecycle
import TracebenchMeasure

/// tracebench's embedded OTLP receiver: `POST /v1/traces` on 127.0.0.1 (by default), protobuf or JSON bodies,
/// optionally gzip-compressed, and — once ``startGRPC()`` is called — OTLP/gRPC `TraceService/Export` on a second
/// port. Accepted spans go to one ``TraceStore`` stamped with their receive time. Oversized, malformed, wrongly
/// typed or wrongly encoded bodies get a 4xx (or a gRPC error) and are counted.
public final class OTLPSink: Sendable {
    public let store = TraceStore()
    public let maxBodyBytes: Int
    private let host: String
    private let requestedPort: Int
    private let running: RunningServer
    private let grpc: OTLPGRPCReceiver

    /// - Parameters:
    ///   - host: address to bind (127.0.0.1 unless told otherwise).
    ///   - port: 0 picks a free port.
    ///   - maxBodyBytes: larger bodies (compressed or inflated) are refused with 413.
    public init(host: String = "127.0.0.1", port: Int = 0, maxBodyBytes: Int = 32 << 20) {
        self.host = host
        requestedPort = port
        self.maxBodyBytes = maxBodyBytes
        running = RunningServer()
        grpc = OTLPGRPCReceiver(store: store)
    }

    /// Starts listening; returns the bound port.
    public func start() async throws -> Int {
        let router = Router()
        router.post("/v1/traces") { [self] request, context in
            try await receive(request, context: context)
        }
        router.get("/health") { _, _ in "ok" }
        var logger = Logger(label: "sink") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let (portStream, portContinuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(
            router: router,
            configuration: .init(address: .hostname(host, port: requestedPort), serverName: nil),
            onServerRunning: { channel in
                portContinuation.yield(channel.localAddress?.port ?? 0)
                portContinuation.finish()
            },
            logger: logger
        )
        let group = ServiceGroup(configuration: .init(services: [app], logger: logger))
        let task = Task { try await group.run() }
        running.set(group: group, task: task)
        for await port in portStream { return port }
        // The stream ended without a port: the server failed to start.
        try await task.value
        throw SinkError.notStarted
    }

    /// Starts the OTLP/gRPC listener on the same host; returns its port.
    public func startGRPC(port: Int = 0) async throws -> Int {
        try await grpc.start(host: host, port: port, maxMessageBytes: maxBodyBytes)
    }

    /// Stops both listeners gracefully.
    public func stop() async {
        await grpc.stop()
        guard let (group, task) = running.take() else { return }
        await group.triggerGracefulShutdown()
        _ = try? await task.value
    }

    private func receive(_ request: Request, context: some RequestContext) async throws -> Response {
        let contentType = request.headers[.contentType]?.lowercased() ?? ""
        let isJSON = contentType.hasPrefix("application/json")
        guard isJSON || contentType.hasPrefix("application/x-protobuf") || contentType.hasPrefix("application/protobuf") else {
            store.reject(.unsupportedMediaType)
            throw HTTPError(.unsupportedMediaType, message: "expected application/x-protobuf or application/json")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBodyBytes)
        } catch {
            store.reject(.tooLarge)
            throw HTTPError(.contentTooLarge, message: "body exceeds \(maxBodyBytes) bytes")
        }
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
            spans = isJSON ? try OTLPDecoder.decodeJSON(body, receivedNanos: now) : try OTLPDecoder.decodeProtobuf(body, receivedNanos: now)
        } catch {
            store.reject(.malformed)
            throw HTTPError(.badRequest, message: "malformed OTLP body: \(error)")
        }
        store.accept(spans, bodyBytes: wireBytes, receivedNanos: now)
        // swift-otel's exporter needs a protobuf content type on the 200 (an empty ExportTraceServiceResponse).
        var headers = HTTPFields()
        headers[.contentType] = isJSON ? "application/json" : "application/x-protobuf"
        return Response(status: .ok, headers: headers, body: isJSON ? .init(byteBuffer: ByteBuffer(string: "{}")) : .init())
    }
}

/// Why the sink could not start.
public enum SinkError: Error, Sendable {
    case notStarted
}

/// The running server's handles, set once by `start` and taken once by `stop`.
private final class RunningServer: Sendable {
    private let handles = Mutex<(ServiceGroup, Task<Void, any Error>)?>(nil)
    func set(group: ServiceGroup, task: Task<Void, any Error>) { handles.withLock { $0 = (group, task) } }
    func take() -> (ServiceGroup, Task<Void, any Error>)? { handles.withLock { value in defer { value = nil }; return value } }
}
