import Testing
import TracebenchResults

/// The user's SDK overhead in alternating blocks, against the real third-party pipeline with a known cost per request.
/// A few milliseconds judged from outside: `scripts/test.sh` runs this suite on its own after the rest (as it does the
/// collector suites), so that other suites starving the machine are not mistaken for overhead.
@Suite("black-box overhead (quiet machine)", .serialized)
struct QuietOverheadTests {
    @Test("overhead arms with env: a known 4 ms per request in one arm's environment is found on its 99.9 % interval; the run's own figures stay the run's",
          .timeLimit(.minutes(4)))
    func overheadArmsFindAKnownDelay() async throws {
        try #require(BlackBoxTests.pipelineInstalled, "the black-box pipeline is not installed (scripts/setup.sh makes .venv-blackbox)")
        let arms = """
            overhead:
              arms:
                - {name: base}
                - {name: slow, env: {BB_SUBMIT_DELAY_MS: "4"}}
              blocks: 6
              block_seconds: 3
            """
        let outcome = try await BlackBoxTests().run(try BlackBoxTests.scenario(rate: 25, seconds: 3, extra: arms))
        let r = outcome.results
        #expect(outcome.exitCode == 0 && r.status == "ok", "\(r.problems)")
        let slow = try #require(r.overhead?["slow"], "\(r.problems)")
        #expect(slow.baseline == "base" && slow.perRequestUs.samples == 6)
        // Judged on the interval, widened from 95 % to 99.9 % (t(0.9995, 5) / t(0.975, 5) = 6.869 / 2.571): it must
        // reach the known cost (4 ms asked, Python's sleep overshoots by up to 10 %) and tell it from no cost.
        // Between launches of the same arm the medians move by ±0.7 ms on this shared 2-core machine (±1.3 ms once,
        // when this suite shared the machine with the collector suites: 5 blocks then could not tell 4 ms from 0 at
        // 99.9 %, hence 6 blocks and a test process of its own), so the point estimate is only asked to be within ±30 %.
        let figure = slow.perRequestUs, widen = 6.869 / 2.571
        print("black-box overhead, the slow arm per request: \(figure)")
        let low = figure.estimate - (figure.estimate - figure.ciLow) * widen, high = figure.estimate + (figure.ciHigh - figure.estimate) * widen
        #expect(low <= 4400 && high >= 4000 && low > 0, "per request \(figure), 99.9 % [\(low), \(high)]")
        #expect(abs(figure.estimate - 4200) <= 0.3 * 4200, "per request \(figure)")
        // Not measurable from outside: absent, never 0; the budget verdict is judged on the interval (4 ms: over 2, under 5).
        #expect(slow.perJobUs == nil && slow.perSpanUs == nil && slow.spansPerJob == nil)
        #expect(r.budgets?.verdicts["slow"] != "meets_target")
        // The blocks' requests and spans are not the run's: every job of the run is complete and owns exactly 6 spans.
        #expect(r.jobs.completed == r.jobs.submitted && r.spans.received == 6 * r.jobs.submitted, "\(r.jobs) \(r.spans)")
    }
}
