import GRPCCore
import GRPCNIOTransportHTTP2
import Synchronization
import TracebenchMeasure

/// The sink's OTLP/gRPC side: `opentelemetry.proto.collector.trace.v1.TraceService/Export` on a plaintext
/// HTTP/2 listener. The request message is taken as raw bytes and read by the same protobuf scanner as the HTTP
/// side (no generated code); the reply is an empty `ExportTraceServiceResponse`. gzip-compressed messages are
/// accepted (grpc-encoding: gzip). A malformed message gets `INVALID_ARGUMENT` and is counted.
public final class OTLPGRPCReceiver: Sendable {
    /// The one method an OTLP trace exporter calls.
    public static let exportMethod = MethodDescriptor(
        fullyQualifiedService: "opentelemetry.proto.collector.trace.v1.TraceService", method: "Export"
    )

    private let store: TraceStore
    private let credential: SinkCredential?
    private let running = Mutex<(GRPCServer<HTTP2ServerTransport.Posix>, ServerTask)?>(nil)

    init(store: TraceStore, credential: SinkCredential?) {
        self.store = store
        self.credential = credential
    }

    /// Starts listening on `host:port` (0 = a free port); returns the bound port.
    func start(host: String, port: Int, maxMessageBytes: Int) async throws -> Int {
        let config = HTTP2ServerTransport.Posix.Config.defaults { config in
            config.compression.enabledAlgorithms = .all
            config.rpc.maxRequestPayloadSize = maxMessageBytes
            // A 64 KiB window would make every large export wait a round trip per window: never the bottleneck.
            config.http2.targetWindowSize = 8 << 20
        }
        let transport = HTTP2ServerTransport.Posix(address: .ipv4(host: host, port: port), transportSecurity: .plaintext, config: config)
        var router = RPCRouter<HTTP2ServerTransport.Posix>()
        let store = store, credential = credential
        router.registerHandler(forMethod: Self.exportMethod, deserializer: RawMessage(), serializer: RawMessage()) { request, _ in
            if let credential, !credential.accepts(request.metadata[stringValues: "authorization"].first(where: { _ in true })) {
                store.reject(.unauthorized)
                return StreamingServerResponse(single: ServerResponse(error: RPCError(code: .unauthenticated, message: "missing or wrong bearer token")))
            }
            let message = try await ServerRequest(stream: request).message
            let now = WallClock.nowNanos()
            do {
                let spans = try OTLPDecoder.decodeProtobuf(message, receivedNanos: now)
                store.accept(spans, bodyBytes: message.count, receivedNanos: now, overGRPC: true)
                return StreamingServerResponse(single: ServerResponse(message: []))
            } catch {
                store.reject(.malformed)
                return StreamingServerResponse(single: ServerResponse(error: RPCError(code: .invalidArgument, message: "malformed OTLP message: \(error)")))
            }
        }
        let server = GRPCServer(transport: transport, router: router)
        let serving = ServerTask { try await server.serve() }
        running.withLock { $0 = (server, serving) }
        do {
            guard let bound = try await transport.listeningAddress.ipv4?.port else { throw SinkError.notStarted }
            return bound
        } catch {
            await stop()
            throw error
        }
    }

    /// Stops listening and lets in-flight calls finish for up to ``OTLPSink/shutdownGrace``, then cancels them;
    /// returns within about that grace plus one second whatever clients still hold open.
    func stop() async {
        guard let (server, serving) = running.withLock({ value in defer { value = nil }; return value }) else { return }
        server.beginGracefulShutdown()
        await serving.waitForEnd(grace: OTLPSink.shutdownGrace)
    }
}

/// A gRPC message kept as its serialized bytes, both ways (the sink reads them with its own scanner; the firehose
/// sends pre-encoded requests).
public struct RawMessage: MessageSerializer, MessageDeserializer {
    public init() {}

    public func serialize<Bytes: GRPCContiguousBytes>(_ message: [UInt8]) throws -> Bytes {
        Bytes(message)
    }

    public func deserialize<Bytes: GRPCContiguousBytes>(_ serializedMessageBytes: Bytes) throws -> [UInt8] {
        serializedMessageBytes.withUnsafeBytes { Array($0) }
    }
}
