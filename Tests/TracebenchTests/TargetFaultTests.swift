import Foundation
import Testing
import TracebenchResults
import TracebenchRun
import TracebenchScenario

/// A user's system that is broken before any load: results are still written, the run fails (exit 4) with the
/// reason, and every figure it could not measure is null — never "100 % complete" or a 0 ratio.
@Suite("target faults")
struct TargetFaultTests {
    static func scenario(launch: String, ledger: String = "redis://127.0.0.1:{redis_port}") throws -> Scenario {
        try ScenarioLoader.parse(yaml: """
            name: target-fault
            duration_s: 2
            drain_timeout_s: 2
            load: {arrival: constant, rate_per_s: 10}
            jobs: [{service: a}]
            target:
              launch: {command: \(launch), ready: "{api_port}"}
              submit: {url: "http://127.0.0.1:{api_port}/jobs"}
              correlate: {trace_id: "response_header:traceresponse"}
              ledger: {url: "\(ledger)"}
              expect: [{service: api, spans: [x]}]
            """, file: "target-fault.yaml")
    }

    @Test("a launch command that exits at once, and a ledger Redis nobody listens on: exit 4, the reason, null figures",
          arguments: [("[/bin/sh, -c, \"exit 3\"]", "redis://127.0.0.1:{redis_port}", "exited with status 3"),
                      ("[/bin/sh, -c, \"exec python3 -m http.server --bind 127.0.0.1 $0\", \"{api_port}\"]", "redis://127.0.0.1:1", "ledger Redis")])
    func brokenBeforeLoad(launch: String, ledger: String, reason: String) async throws {
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let outcome = try await TestSupport.runSystem(scenario: try Self.scenario(launch: launch, ledger: ledger),
                                                   options: RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false))
        let r = outcome.results
        #expect(outcome.exitCode == 4 && r.status == "failed", "\(r.problems)")
        #expect(r.problems.contains { $0.kind == .componentFailed && $0.message.contains(reason) }, "\(r.problems)")
        #expect(r.traces.completeness == nil && r.sampling.observedRatio == nil && r.jobs.submitted == 0)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        #expect((json["traces"] as? [String: Any])?["completeness"] is NSNull)
    }
}
