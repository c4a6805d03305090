import Foundation
import Testing
import TracebenchPipeline
import TracebenchRedis
import TracebenchResults
import TracebenchRun
import TracebenchScenario
import TracebenchSink

/// The built-in pipeline's ledger read while the run goes on: every finished job's hash taken once and deleted, so
/// Redis holds only the jobs in flight; the figures are those of the whole ledger.
@Suite("ledger stream", .serialized)
struct LedgerStreamTests {
    @Test("a smoke run against a Redis the test owns: every job complete, every trace complete, and no job hash left behind")
    func finishedJobsLeaveRedis() async throws {
        let server = try RedisServer()
        defer { server.stop() }
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        var options = RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false)
        options.redisURL = server.url.secretURL
        let outcome = try await TestSupport.runSystem(scenario: try TestSupport.scenario("smoke"), options: options)
        let r = outcome.results
        #expect(outcome.exitCode == 0 && r.jobs.submitted > 100 && r.jobs.completed == r.jobs.submitted, "\(r.problems) \(r.jobs)")
        #expect(r.traces.completeness == 1 && r.spans.dropped == 0 && (r.latency["end_to_end"]?.count ?? 0) > 0)
        let connection = try RedisConnection(url: server.url)
        let left = try connection.command(["KEYS", "job:*"]).orThrow().array ?? []
        #expect(left.isEmpty, "\(left.count) job hashes left in Redis")
        // The stream holds at most the last entry read (it is trimmed to what was not read yet).
        let stream = JobKeys.finishedStream(runID: r.runID)
        #expect((try connection.command(["XLEN", stream]).orThrow().int ?? 99) <= 1)
    }

    @Test("the sink keeps at most sink.max_spans: the rest are counted as overflow, exactly, and the run fails with sink_overflow")
    func sinkCapIsCountedNotKept() async throws {
        let store = TraceStore(maxSpans: 100)
        let spans = (1 ... 60).map { ReceivedSpan(traceID: TraceID(high: 1, low: 1), spanID: UInt64($0), parentSpanID: 0, name: "s", serviceName: "a",
                                                    startNanos: 1, endNanos: 2, isError: false, jobID: nil, receivedNanos: 3) }
        for _ in 0 ..< 3 { store.accept(spans, bodyBytes: 10, receivedNanos: 3) }
        #expect(store.spanCount == 100 && store.snapshot().overflow == 80 && store.snapshot().requests == 3)

        // A built-in run holds only the traces not yet judged: a cap below one trace's spans must overflow, and every
        // exported span is either judged or counted as overflow, never lost.
        let yaml = try String(contentsOfFile: TestSupport.packageRoot + "/scenarios/smoke.yaml", encoding: .utf8) + "\nsink: {max_spans: 3}\n"
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "capped.yaml")
        let outcome = try await TestSupport.runSystem(scenario: scenario, options: RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false))
        let r = outcome.results
        #expect(outcome.exitCode == 4 && r.status == "failed" && r.problems.contains { $0.kind == .sinkOverflow }, "\(r.problems)")
        #expect(r.sink.overflow > 0 && r.spans.received + r.sink.overflow == r.spans.exported && r.spans.dropped == 0, "\(r.spans) \(r.sink.overflow)")
    }
}

