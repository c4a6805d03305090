import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TracebenchMeasure
import TracebenchRedis
import TracebenchReport
import TracebenchResults
import TracebenchRun
import TracebenchScenario
import TracebenchSink

/// `tracebench listen`: crafted OTLP with known structure arrives at a listening sink; the file says exactly that,
/// and gate and report read it.
@Suite("tracebench listen", .serialized)
struct ListenTests {
    @Test("known structure: 3 traces (one three deep, one whose root never came, one with an error), a duplicate, two services",
          .timeLimit(.minutes(1)))
    func structureOfWhatArrived() async throws {
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let outcome = try await TestSupport.listen(out: out) { (port: Int) async throws in
            let now = WallClock.nowNanos()
            func span(_ trace: UInt64, _ id: UInt64, _ parent: UInt64, error: Bool = false) -> OTLPProtobufEncoder.Span {
                OTLPProtobufEncoder.Span(traceID: TraceID(high: 7, low: trace), spanID: id, parentSpanID: parent, name: "s\(id)",
                                         startNanos: now - 2_000_000, endNanos: now - 1_000_000, isError: error)
            }
            let encoder = OTLPProtobufEncoder()
            let api = encoder.encode(serviceName: "api", spans: [span(1, 1, 0), span(1, 2, 1), span(2, 20, 0, error: true)])
            let worker = encoder.encode(serviceName: "worker", spans: [span(1, 3, 2), span(3, 31, 30), span(1, 3, 2)])
            #expect(try await TestSupport.postOTLP(api, port: port) == 200)
            #expect(try await TestSupport.postOTLP(worker, port: port) == 200)
        }
        let r = outcome.results
        let listen = try #require(r.listen)
        #expect(r.kind == .listen && r.status == .ok && outcome.exitCode == 0, "\(r.problems)")
        #expect(r.spans.received == 5 && listen.duplicateSpans == 1 && r.traces.received == 3)
        #expect(listen.roots == 2 && listen.tracesWithoutRoot == 1 && r.traces.orphanSpans == 1)
        #expect(r.traces.maxDepth == 3 && r.traces.depth == ["3": 1, "1": 2])
        #expect(r.traces.errorSpans == 1 && r.traces.tracesWithErrors == 1)
        #expect(listen.services == ["api": 3, "worker": 2] && r.traces.completeness == nil)
        #expect(r.latency["visibility"]?.count == 5)
        // The file reads back as a run-shaped document (gate, report and compare take it).
        guard case let .run(back) = try ResultsFile.read(from: out) else { Issue.record("not read as a run document"); return }
        #expect(back.listen == listen && back.kind == .listen)
    }

    @Test("--expect: of three traces, the whole one is complete; a missing worker span and a lost root are named",
          .timeLimit(.minutes(1)))
    func completenessAgainstAnExpectation() async throws {
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let file = TestSupport.temporaryPath(".yaml")
        defer { TestSupport.discard(file) }
        try "expect:\n  - {service: api, spans: [\"POST /jobs\"]}\n  - {service: worker, spans: [process-job]}\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        let expect = try ScenarioLoader.loadExpectations(path: file)
        let outcome = try await TestSupport.listen(out: out, expect: expect) { (port: Int) async throws in
            let now = WallClock.nowNanos()
            func span(_ trace: UInt64, _ id: UInt64, _ parent: UInt64, _ name: String) -> OTLPProtobufEncoder.Span {
                OTLPProtobufEncoder.Span(traceID: TraceID(high: 9, low: trace), spanID: id, parentSpanID: parent, name: name,
                                         startNanos: now - 2_000_000, endNanos: now - 1_000_000, isError: false)
            }
            let encoder = OTLPProtobufEncoder()
            // Trace 1 whole; trace 2 without its worker span; trace 3's root never came.
            let api = encoder.encode(serviceName: "api", spans: [span(1, 1, 0, "POST /jobs"), span(2, 21, 0, "POST /jobs")])
            let worker = encoder.encode(serviceName: "worker", spans: [span(1, 2, 1, "process-job"), span(3, 32, 31, "process-job")])
            #expect(try await TestSupport.postOTLP(api, port: port) == 200)
            #expect(try await TestSupport.postOTLP(worker, port: port) == 200)
        }
        let r = outcome.results
        let listen = try #require(r.listen)
        #expect(r.traces.expected == 3 && r.traces.complete == 1 && r.traces.completeness == 1.0 / 3, "\(r.traces)")
        #expect(listen.missing == ["worker/process-job": 1, "api/POST /jobs": 1], "\(String(describing: listen.missing))")
        let text = Summary.text(r, path: out)
        #expect(text.contains("complete 1 of 3 (33.33%) against --expect") && text.contains("missing"), "\(text)")

        try "expect:\n  - {service: api, spanz: [x]}\n".write(toFile: file, atomically: true, encoding: .utf8)
        let refused = #expect(throws: ScenarioError.self) { try ScenarioLoader.loadExpectations(path: file) }
        #expect(refused?.problems.map(\.keyPath) == ["expect[0].spanz"] && refused?.problems.first?.line == 2, "\(String(describing: refused))")
    }

    @Test("nothing arriving is never ok: the listen fails (exit 4), results written", .timeLimit(.minutes(1)))
    func nothingArrivedFails() async throws {
        var sink = SinkSpec()
        sink.port = FreePort.loopback()
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let outcome = try await ListenSession.run(ListenSession.Options(seconds: 0.5, sink: sink, outputPath: out))
        #expect(outcome.results.status == .failed && outcome.exitCode == 4 && FileManager.default.fileExists(atPath: out))
        #expect(outcome.results.problems.contains { $0.kind == .nothingReceived })
    }
}
