import Testing
import TracebenchJudge
import TracebenchReport
import TracebenchResults

/// The human summary names the run, its status and where the results went, then the figures.
@Suite("Summary", .computeOnly)
struct SummaryTests {
    @Test func headerAndJobLine() {
        var results = RunResults()
        results.scenarioName = "smoke"
        results.jobs.submitted = 7
        let lines = Summary.text(results, path: "results/x.json").split(separator: "\n")
        #expect(lines.first == "tracebench smoke: ok — results in results/x.json")
        // The promises scoreboard comes first (nothing measured here), then the figures.
        #expect(lines.dropFirst().first?.hasPrefix("  promises  ") == true)
        #expect(lines.first { $0.hasPrefix("  jobs ") }?.contains("submitted 7") == true)
    }

    @Test func firehoseRunsLeaveOutJobFigures() {
        var results = RunResults()
        results.scenarioName = "hose"
        results.firehose = FirehoseFigures(requestsSent: 2, requestsFailed: 0, batchesDropped: 0, spansSent: 10, bytesSent: 100, sendRateSpansPerSecond: 10)
        results.traces.errorSpans = 3
        results.traces.tracesWithErrors = 2
        let text = Summary.text(results, path: "x.json")
        #expect(text.contains("firehose  sent 10 spans in 2 requests") && text.contains("3 error spans in 2 traces"))
        #expect(!text.contains("jobs/s") && !text.contains("max depth") && !text.contains("attribution") && !text.contains("  sampling  "))
    }
}
