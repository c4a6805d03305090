import Testing
import TracebenchResults
import TracebenchScenario

/// The human summary names the run, its status and where the results went, then the figures.
@Suite("Summary")
struct SummaryTests {
    @Test func headerAndJobLine() {
        let scenario = Scenario(name: "smoke", durationSeconds: 1, load: LoadSpec(), jobs: [])
        var results = RunResults(scenario: scenario,
                                 tracingEffective: TracingEffective(spec: TracingSpec(), endpoint: "", environmentOverrides: [:]),
                                 environment: EnvironmentInfo(gitRevision: "", swiftVersion: "", cpuCount: 2, host: "", os: "", tracebenchVersion: ""))
        results.jobs.submitted = 7
        let lines = Summary.text(results, path: "results/x.json").split(separator: "\n")
        #expect(lines.first == "tracebench smoke: ok — results in results/x.json")
        #expect(lines.dropFirst().first?.contains("submitted 7") == true)
    }
}
