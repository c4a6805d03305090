import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import ServiceLifecycle
import Testing
import TracebenchPipeline
import TracebenchScenario
@testable import TracebenchSink
import Tracing

/// The embedded sink receiving what swift-otel itself exports (protobuf and JSON), and refusing bad input.
@Suite("OTLP sink with swift-otel", .serialized)
struct SinkWithSDKTests {
    @Test(arguments: [TracingSpec.WireProtocol.httpProtobuf, .httpJSON])
    func decodesWhatSwiftOTelExports(wire: TracingSpec.WireProtocol) async throws {
        let sink = OTLPSink()
        let port = try await sink.start()
        var spec = TracingSpec(mode: .otlp, protocol: wire, sampler: .alwaysOn)
        spec.batch.scheduleDelayMs = 100
        let backend = try TracingBackend.make(spec: spec, serviceName: "sdk-under-test", endpoint: "http://127.0.0.1:\(port)/v1/traces")
        let group = ServiceGroup(services: [backend.service!], logger: .init(label: "test"))
        let running = Task { try await group.run() }

        let tracer = backend.tracer
        let root = tracer.startSpan("root-op", context: .topLevel, ofKind: .server)
        let child = tracer.startSpan("child-op", context: root.context, ofKind: .internal)
        child.attributes["job.id"] = "job-42"
        child.setStatus(SpanStatus(code: .error, message: "boom"))
        child.end()
        root.end()
        let traceID = try #require(root.context.otelTraceID)

        // Graceful shutdown flushes the batch processor.
        await group.triggerGracefulShutdown()
        try await running.value
        await sink.stop()

        let spans = sink.store.snapshot().spans.sorted { $0.name > $1.name }
        try #require(spans.count == 2)
        let (r, c) = (spans[0], spans[1])
        #expect(r.name == "root-op" && c.name == "child-op")
        #expect(r.traceID.hex == traceID && c.traceID == r.traceID)
        #expect(r.parentSpanID == 0 && c.parentSpanID == r.spanID)
        #expect(c.isError && !r.isError)
        #expect(c.jobID == "job-42" && r.jobID == nil)
        #expect(r.serviceName == "sdk-under-test")
        #expect(r.endNanos >= r.startNanos && r.receivedNanos >= r.endNanos)
    }

    @Test func refusesBadBodiesWithFourXXAndCountsThem() async throws {
        let sink = OTLPSink(maxBodyBytes: 1024)
        let port = try await sink.start()
        defer { Task { await sink.stop() } }
        func post(_ body: [UInt8], type: String, encoding: String? = nil) async throws -> Int {
            var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)/v1/traces")!)
            request.httpMethod = "POST"
            request.setValue(type, forHTTPHeaderField: "Content-Type")
            if let encoding { request.setValue(encoding, forHTTPHeaderField: "Content-Encoding") }
            request.httpBody = Data(body)
            return try await withCheckedThrowingContinuation { continuation in
                URLSession.shared.dataTask(with: request) { _, response, error in
                    if let error { continuation.resume(throwing: error) } else {
                        continuation.resume(returning: (response as? HTTPURLResponse)?.statusCode ?? 0)
                    }
                }.resume()
            }
        }
        #expect(try await post([0x0A, 0xFF], type: "application/x-protobuf") == 400)
        #expect(try await post(Array("{\"resourceSpans\": 3}".utf8), type: "application/json") == 400)
        #expect(try await post([1, 2, 3], type: "text/plain") == 415)
        #expect(try await post([1, 2, 3], type: "application/x-protobuf", encoding: "gzip") == 400)
        #expect(try await post(Array(repeating: 0, count: 4096), type: "application/x-protobuf") == 413)
        #expect(try await post(Gzip.deflate(Array(repeating: 0, count: 1 << 20)), type: "application/x-protobuf", encoding: "gzip") == 413)
        #expect(try await post([], type: "application/x-protobuf") == 200)
        let rejected = sink.store.snapshot().rejected
        #expect(rejected[.malformed] == 2 && rejected[.unsupportedMediaType] == 1 && rejected[.badEncoding] == 1 && rejected[.tooLarge] == 2)
    }
}
