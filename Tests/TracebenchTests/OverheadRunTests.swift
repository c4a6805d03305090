import Foundation
import Testing
import TracebenchJudge
import TracebenchReport
import TracebenchResults
import TracebenchRun
import TracebenchScenario

/// The overhead method proven with a known answer: a busy-wait of a known length inside every worker span of the
/// traced arm must come out of the A/B comparison as exactly that much extra per-span overhead.
@Suite("Overhead A/B runs", .serialized)
struct OverheadRunTests {
    func run(_ scenario: Scenario) async throws -> (RunResults, [String: Any]) {
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let options = RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false)
        let outcome = try await TestSupport.runSystem(scenario: scenario, options: options)
        #expect(outcome.exitCode == 0, "problems: \(outcome.results.problems)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        return (outcome.results, json)
    }

    func scenario() throws -> Scenario {
        var scenario = try TestSupport.scenario("overhead")
        // A light load, so the injected spin adds little CPU contention of its own on a 2-core machine.
        scenario.durationSeconds = 8
        scenario.warmupSeconds = 1
        scenario.load.ratePerSecond = 60
        // Unsampled spans: the method is calibrated without the batch processor's wake-ups. With sampled spans
        // the spin spaces span ends out, the processor's consumer falls asleep between them and every span end
        // pays a wake-up: a real cost, but one that makes the injected 50 µs cost more than 50 µs.
        scenario.tracing.sampler = .alwaysOff
        scenario.overhead = OverheadSpec(arms: [.off, .sdk], blocks: 0, blockSeconds: 2, bootstrapIterations: 400)
        return scenario
    }

    @Test("inject_us_per_span 50 raises the measured per-span overhead by 50 µs ± 10 %")
    func calibration() async throws {
        var plain = try scenario()
        plain.overhead?.blocks = 1
        let (base, json) = try await run(plain)
        var injected = try scenario()
        injected.calibration.injectMicrosPerSpan = 50
        let (withCost, _) = try await run(injected)

        let before = try #require(base.overhead?["sdk"]?.perSpanUs)
        let after = try #require(withCost.overhead?["sdk"]?.perSpanUs)
        let difference = after.estimate - before.estimate
        #expect(abs(difference - 50) <= 5, "per-span overhead \(before.estimate) → \(after.estimate) µs")
        // The injected run's interval contains the plain run's estimate plus 50 µs, to within 10 % of 50 µs.
        let expected = before.estimate + 50
        #expect(after.ciLow - 5 <= expected && expected <= after.ciHigh + 5, "\(before) vs \(after)")
        #expect(after.samples > 150 && before.samples > 150)

        // The fixed keys, and the resource phase of the plain run (one block per arm).
        let sdk = try #require((json["overhead"] as? [String: Any])?["sdk"] as? [String: Any])
        for key in ["per_request_us", "per_job_us", "per_span_us"] {
            let figure = try #require(sdk[key] as? [String: Any], "missing overhead.sdk.\(key)")
            for field in ["estimate", "ci_low", "ci_high", "p99_estimate"] { #expect(figure[field] != nil, "missing \(key).\(field)") }
        }
        #expect(sdk["cpu_us_per_job"] != nil && sdk["rss_delta_bytes"] != nil)
        let budgets = try #require(json["budgets"] as? [String: Any])
        #expect(budgets["current_ms"] as? Double == 5 && budgets["target_ms"] as? Double == 2)
        #expect((budgets["verdicts"] as? [String: String])?["sdk"] != nil)
        #expect(base.resourceBlocks?.count == 2 && base.resourceBlocks?.allSatisfy { $0.jobs > 0 && $0.cpuSeconds > 0 } == true)
        // Only the otlp arm exports: an off/sdk run expects no traces at the sink.
        #expect(base.traces.expected == 0 && base.spans.received == 0)
    }
}
