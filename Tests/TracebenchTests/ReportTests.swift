import Foundation
import Testing
import TracebenchJudge
import TracebenchReport
import TracebenchMetrics
import TracebenchResults
import TracebenchScenario

/// Reports as a person sees them: self-contained HTML (no script, nothing fetched), rendered by headless Chromium to
/// a PNG that is not blank and without console errors.
@Suite("Reports", .computeOnly)
struct ReportTests {
    static let fixtures = TestSupport.packageRoot + "/Tests/TracebenchTests/Fixtures/results"
    static var hasChromium: Bool { FileManager.default.isExecutableFile(atPath: "/usr/bin/chromium") }

    static func reports() throws -> [(name: String, html: String, markdown: String)] {
        guard case .run(let run) = try ResultsFile.read(from: "\(fixtures)/run-v2-smoke.json"),
              case .capacity(let capacity) = try ResultsFile.read(from: "\(fixtures)/capacity-v2.json"),
              case .run(let overhead) = try ResultsFile.read(from: "\(fixtures)/run-v2-overhead.json"),
              case .run(let analysed) = try ResultsFile.read(from: "\(fixtures)/run-v2-analytics.json"),
              case .run(let headSampled) = try ResultsFile.read(from: "\(fixtures)/run-v2-head-sampled-errors.json") else { return [] }
        let promisesReport = HTMLReport.run(headSampled, path: "run-v2-head-sampled-errors.json")
        let analyticsReport = HTMLReport.run(analysed, path: "run-v2-analytics.json")
        let runReport = HTMLReport.run(run, path: "run-v2-smoke.json")
        let overheadReport = HTMLReport.run(overhead, path: "run-v2-overhead.json")
        let capacityReport = HTMLReport.capacity(capacity, path: "capacity-v2.json")
        let side = [("run-v2-smoke.json", run)]
        let comparison = HTMLReport.comparison(Comparator.compare(base: side, candidate: side), base: side, candidate: side)
        // Twelve nights, the last five (and tonight) 30 % slower: the history report marks the change point.
        let nights = (1...12).map { CompareTests.run(median: $0 > 7 ? 130 : 100, seed: UInt64($0)) }
        let history = HTMLReport.history(HistoryCheck.check(tonight: CompareTests.run(median: 130, seed: 99), rerun: nil, baseline: nights, last: 30))
        return [("run", runReport.html, runReport.markdown), ("overhead", overheadReport.html, overheadReport.markdown),
                ("capacity", capacityReport.html, capacityReport.markdown), ("compare", comparison.html, comparison.markdown),
                ("history", history.html, history.markdown), ("analytics", analyticsReport.html, analyticsReport.markdown),
                ("promises", promisesReport.html, promisesReport.markdown)]
    }

    @Test func reportsAreSelfContained() throws {
        let all = try Self.reports()
        #expect(all.count == 7)
        for report in all {
            #expect(report.html.hasPrefix("<!doctype html>") && report.html.contains("<svg"), "\(report.name)")
            #expect(!report.html.contains("<script") && !report.html.contains("src=\"http") && !report.html.contains("href=\"http"), "\(report.name)")
            #expect(report.markdown.contains("|"), "\(report.name)")
        }
        #expect(all[2].html.contains("knee") && all[2].html.contains("collectors needed"))
        #expect(all[4].html.contains("change +"), "the history report marks the shift")
        // Where the time and the errors go: the critical-path table and bands, the topology graph, the root cause.
        let analytics = all[5]
        for section in ["Where the time goes", "p99-p100", "Service topology", "emp-job-queue-api-&gt;emp-worker", "Error root causes", "emp-worker/webhook-notify"] {
            #expect(analytics.html.contains(section), "\(section)")
        }
        #expect(analytics.markdown.contains("## Where the time goes") && analytics.markdown.contains("## Error root causes"))
        // A head-sampled run with injected errors: the report opens with the scoreboard, the error-retention promise
        // failed, and the status is not a green "ok" above it.
        let promises = all[6]
        #expect(promises.html.contains("<span class=\"inconclusive\">ok — 2 promises failed</span>"), "\(promises.html.prefix(300))")
        #expect(promises.html.contains("<span class=\"fail\">fail</span></td><td>sampling.error_retention &gt;= 1</td>"))
        let order = ["Promises:", "Summary", "Where the time goes"].map { promises.html.range(of: $0)?.lowerBound }
        #expect(order.allSatisfy { $0 != nil } && order[0]! < order[1]! && order[1]! < order[2]!)
        #expect(promises.markdown.hasPrefix("# tracebench head-sampled-errors: ok — 2 promises failed"))
    }

    @Test("scenarios/promises.yaml holds exactly the built-in promises; the summary opens with their scoreboard")
    func promisesFileAndSummary() throws {
        let file = try ScenarioLoader.loadThresholds(path: TestSupport.packageRoot + "/scenarios/promises.yaml")
        #expect(file.thresholds.map(\.label) == Promises.designDocument.thresholds.map(\.label))
        guard case .run(let run) = try ResultsFile.read(from: "\(Self.fixtures)/run-v2-head-sampled-errors.json") else { return }
        let lines = Summary.text(run, path: "x.json").split(separator: "\n").map(String.init)
        #expect(lines[0] == "tracebench head-sampled-errors: ok (the run completed) — 2 promises FAIL — results in x.json")
        #expect(lines[1].hasPrefix("  promises  2 pass, 2 fail") && lines.contains { $0.contains("FAIL") && $0.contains("sampling.error_retention") })
        // Promises of one's own: a file with one threshold the run passes.
        let own = ThresholdSet(thresholds: [.builtIn("latency.visibility.p99", "< 10s")])
        #expect(Summary.text(run, path: "x.json", promises: own).hasPrefix("tracebench head-sampled-errors: ok — results in x.json\n  promises  1 pass"))
    }

    @Test(.enabled(if: ReportTests.hasChromium, "CHROMIUM IS NOT INSTALLED: the browser check of the HTML reports is SKIPPED (apt-get install chromium)"))
    func reportsRenderInARealBrowser() async throws {
        for report in try Self.reports() {
            let html = TestSupport.temporaryPath("-\(report.name).html"), png = TestSupport.temporaryPath("-\(report.name).png")
            defer { TestSupport.discard(html); TestSupport.discard(png) }
            try report.html.write(toFile: html, atomically: true, encoding: .utf8)
            let shot = try await TestSupport.run(TestSupport.packageRoot + "/scripts/report-screenshot.sh", [html, png])
            #expect(shot.status == 0, "\(report.name): \(shot.stderr)")
        }
    }
}
