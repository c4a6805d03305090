import Foundation
import Testing
import TracebenchJudge
import TracebenchMetrics
import TracebenchRedis
import TracebenchRun
import TracebenchScenario

/// A target with `submit` alone (no correlate, ledger or expect): load only, as a plain HTTP load tool offers it —
/// a job is its request; every trace figure is not measured, never 0.
@Suite("load-only targets")
struct LoadOnlyTargetTests {
    static func yaml(url: String, rate: Int = 100, seconds: Int = 2, extra: String = "", jobs: String = "[{service: api}]") -> String {
        """
        name: load-only
        duration_s: \(seconds)
        load: {arrival: constant, rate_per_s: \(rate), max_in_flight: 1000}
        jobs: \(jobs)
        target:
          submit:
            url: "\(url)"
            headers: {Content-Type: application/json}
            body: '{"id": "{job_id}", "priority": {priority}}'
        \(extra)
        """
    }

    static func run(_ yaml: String) async throws -> RunOutcome {
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "load-only.yaml")
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        return try await TestSupport.runSystem(scenario: scenario, options: RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false))
    }

    @Test("submit alone is load only; correlate, ledger and expect go together; a job type's expect is refused without them")
    func parsing() throws {
        let target = try #require(try ScenarioLoader.parse(yaml: Self.yaml(url: "http://127.0.0.1:9/jobs"), file: "l.yaml").target)
        #expect(target.isLoadOnly && target.correlate == nil && target.expect.isEmpty)
        let partial = Self.yaml(url: "http://127.0.0.1:9/jobs") + "\n  ledger: {url: \"redis://127.0.0.1:6379\"}"
        let message = "\(#expect(throws: (any Error).self) { try ScenarioLoader.parse(yaml: partial, file: "l.yaml") }!)"
        #expect(message.contains("target.correlate") && message.contains("target.expect"), "\(message)")
        let typed = Self.yaml(url: "http://127.0.0.1:9/jobs", jobs: "[{service: api, expect: [{service: api, spans: [a]}]}]")
        let refused = "\(#expect(throws: (any Error).self) { try ScenarioLoader.parse(yaml: typed, file: "l.yaml") }!)"
        #expect(refused.contains("jobs[0].expect") && refused.contains("load-only"), "\(refused)")
    }

    @Test("against a real server: every request is a completed job, the server saw each once, trace figures are not measured", .timeLimit(.minutes(2)))
    func run() async throws {
        let endpoint = try await LoadHTTPClientTests.Endpoint.start()
        let outcome = try await Self.run(Self.yaml(url: "http://127.0.0.1:\(endpoint.port)/ok"))
        let r = outcome.results
        #expect(outcome.exitCode == 0 && r.status == "ok", "\(r.problems)")
        #expect(r.jobs.submitted == 200 && r.jobs.completed == 200 && r.jobs.pending == 0 && r.jobs.submitErrors == 0, "\(r.jobs)")
        #expect(r.tracingEffective.mode == "not_observed" && !r.tracesObserved && r.traces.completeness == nil && r.sampling.observedRatio == nil)
        for path in ["throughput.traces_per_minute", "throughput.spans_per_second", "traces.completeness", "sampling.observed_ratio"] {
            #expect(MetricReader.observe(try MetricCatalog.resolve(path), in: r) == nil, "\(path)")
        }
        #expect(MetricReader.observe(try MetricCatalog.resolve("throughput.jobs_submitted_per_second"), in: r)?.estimate ?? 0 > 90)
        #expect(r.load?.lag.count == 200 && (r.latency["submit"]?.count ?? 0) == 200)
        let stats = try JSONDecoder().decode([String: Int].self, from: Data(contentsOf: URL(string: "http://127.0.0.1:\(endpoint.port)/stats")!))
        #expect(stats["requests"] == 200, "\(stats)")
    }

    @Test("a target answering 404, or not listening: every request a submit error, the run failed and said why", .timeLimit(.minutes(2)))
    func failures() async throws {
        let endpoint = try await LoadHTTPClientTests.Endpoint.start()
        for url in ["http://127.0.0.1:\(endpoint.port)/missing", "http://127.0.0.1:\(FreePort.loopback())/jobs"] {
            let outcome = try await Self.run(Self.yaml(url: url, rate: 50, seconds: 1))
            let r = outcome.results
            #expect(outcome.exitCode != 0 && r.status != "ok", "\(url): \(r.status)")
            #expect(r.jobs.submitted == 0 && r.jobs.completed == 0 && r.jobs.submitErrors == 50, "\(url): \(r.jobs)")
            #expect(r.problems.contains { $0.message.contains("50 submissions failed") && ($0.message.contains("HTTP 404") || $0.message.contains("cannot connect")) },
                    "\(r.problems.map(\.message))")
        }
    }
}
