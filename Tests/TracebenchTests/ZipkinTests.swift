import Foundation
import Synchronization
import Testing
import TracebenchMeasure
import TracebenchRedis
import TracebenchRun
import TracebenchScenario
import TracebenchSink

/// Zipkin v2 JSON on the sink (`POST /api/v2/spans`): crafted bodies with known answers, and a real third-party
/// sender — the Python OpenTelemetry SDK's Zipkin JSON exporter — into `tracebench listen`.
@Suite("Zipkin v2 JSON", .serialized)
struct ZipkinTests {
    @Test("crafted spans: 64- and 128-bit trace ids, roots, error tags, job ids, microsecond times; malformed ids refused")
    func decoder() throws {
        let body = Array("""
            [{"traceId": "00000000000000aa", "id": "0000000000000001", "name": "root", "timestamp": 1700000000000000, "duration": 2500,
              "localEndpoint": {"serviceName": "api"}, "tags": {"job.id": "j-1"}},
             {"traceId": "000000000000000000000000000000aa", "id": "0000000000000002", "parentId": "0000000000000001", "name": "child",
              "timestamp": 1700000000000100, "duration": 100, "localEndpoint": {"serviceName": "worker"}, "tags": {"otel.status_code": "ERROR"}},
             {"traceId": "0102030405060708090a0b0c0d0e0f10", "id": "0000000000000003", "parentId": "", "name": "instant", "timestamp": 5,
              "tags": {"error": ""}}]
            """.utf8)
        let spans = try ZipkinJSONDecoder.decode(body, receivedNanos: 9)
        #expect(spans.count == 3 && spans[0].traceID == spans[1].traceID && spans[0].traceID == TraceID(high: 0, low: 0xaa))
        #expect(spans[0].isRoot && !spans[1].isRoot && spans[1].parentSpanID == 1 && spans[2].isRoot)
        #expect(spans[0].startNanos == 1_700_000_000_000_000_000 && spans[0].endNanos == 1_700_000_000_002_500_000)
        #expect(spans[0].serviceName == "api" && spans[0].jobID == "j-1" && !spans[0].isError && spans[0].receivedNanos == 9)
        #expect(spans[1].isError && spans[2].isError && spans[2].serviceName == "" && spans[2].startNanos == spans[2].endNanos)
        for bad in [#"{"traceId": "aa"}"#, #"[{"traceId": "aa", "id": "0000000000000001"}]"#, #"[{"traceId": "00000000000000aa", "id": "xyz"}]"#,
                    #"[{"traceId": "00000000000000aa", "id": "0000000000000001", "parentId": "12"}]"#, #"[7]"#,
                    #"[{"traceId": "00000000000000aa", "id": "0000000000000001", "timestamp": 18446744073709551615}]"#] {
            #expect(throws: OTLPDecodeError.self, "\(bad)") { try ZipkinJSONDecoder.decode(Array(bad.utf8), receivedNanos: 0) }
        }
    }

    @Test("the Python OpenTelemetry SDK's Zipkin exporter into tracebench listen: one trace three deep, its error and service counted",
          .timeLimit(.minutes(2)))
    func pythonZipkinExporter() async throws {
        let python = TestSupport.packageRoot + "/.venv-blackbox/bin/python"
        try #require(FileManager.default.isExecutableFile(atPath: python), "the black-box venv is not installed (scripts/setup.sh)")
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let outcome = try await TestSupport.listen(out: out) { (port: Int) async throws in
            let script = """
                from opentelemetry.sdk.resources import Resource
                from opentelemetry.sdk.trace import TracerProvider
                from opentelemetry.sdk.trace.export import BatchSpanProcessor
                from opentelemetry.exporter.zipkin.json import ZipkinExporter
                from opentelemetry.trace import Status, StatusCode
                provider = TracerProvider(resource=Resource.create({"service.name": "zk-api"}))
                # One request at shutdown, with a generous timeout: a starved host once held the first of three requests past
                # the exporter's default 10 s, and its span was lost.
                provider.add_span_processor(BatchSpanProcessor(ZipkinExporter(endpoint="http://127.0.0.1:\(port)/api/v2/spans", timeout=60)))
                tracer = provider.get_tracer("zipkin-test")
                with tracer.start_as_current_span("job", attributes={"job.id": "j-7"}):
                    with tracer.start_as_current_span("step") as step:
                        with tracer.start_as_current_span("leaf"):
                            pass
                        step.set_status(Status(StatusCode.ERROR, "known failure"))
                provider.shutdown()
                """
            let exported = try await TestSupport.run(python, ["-c", script])
            #expect(exported.status == 0, "\(exported.stderr)")
        }
        let r = outcome.results
        let listen = try #require(r.listen)
        #expect(r.status == .ok && r.spans.received == 3 && r.traces.received == 1, "\(r.problems) \(r.spans) \(r.traces) \(listen)")
        #expect(listen.roots == 1 && r.traces.maxDepth == 3 && r.traces.orphanSpans == 0)
        #expect(r.traces.errorSpans == 1 && listen.services == ["zk-api": 3])
    }
}
