import Foundation
import Testing
import TracebenchJudge
@testable import TracebenchReport
import TracebenchResults

/// The run report holds every figure the text summary holds (HTML and Markdown alike), a figure not measured reads
/// "not measured" in all three, and chart axes tick at 1-2-5 values.
@Suite("Report figures", .computeOnly)
struct ReportFiguresTests {
    static let fixtures = TestSupport.packageRoot + "/Tests/TracebenchTests/Fixtures/results"

    static func fixture(_ name: String, adding extra: [String: Any] = [:], sampling: [String: Any] = [:]) throws -> RunResults {
        var json = try #require(JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: "\(fixtures)/\(name)"))) as? [String: Any])
        for (key, value) in extra { json[key] = value }
        if !sampling.isEmpty, var s = json["sampling"] as? [String: Any] {
            for (key, value) in sampling { s[key] = value }
            json["sampling"] = s
        }
        guard case .run(let run) = try ResultsFile.read(data: JSONSerialization.data(withJSONObject: json), path: name) else {
            Issue.record("\(name) is not a run")
            return RunResults()
        }
        return run
    }

    /// A head-sampled run with everything a rig adds: a collector that reports its own counters, ceilings (one breach
    /// with its time, one without), a stall and a sampler chain.
    static func rigged() throws -> RunResults {
        try fixture("run-v2-head-sampled-errors.json", adding: [
            "collector": ["spans_in": 728, "spans_out": 52, "dropped": 3, "traces_in": 7, "traces_out": 7, "window_seconds": 2.0,
                          "spans_per_second_in": 364.0, "spans_per_second_out": 26.0, "traces_per_minute_in": 210.0, "traces_per_minute_out": 210.0,
                          "cpu_percent_avg": 3.25, "cpu_percent_max": 9.5, "rss_bytes_avg": 41_943_040.0, "rss_bytes_max": 52_428_800,
                          "visibility_p99_ms": 412.0, "bytes_per_trace": 2048.0, "storage_bytes_per_day": 619_315_200.0, "measured": true,
                          "reported": ["accepted_spans": 731, "refused_spans": 2, "sent_spans": 52, "send_failed_spans": 1]],
            "ceilings": ["api": ["limit_bytes": 67_108_864, "peak_bytes": 83_886_080, "breached": true, "first_breach_s": 12.5],
                         "worker-0": ["limit_bytes": 67_108_864, "peak_bytes": 70_254_592, "breached": true]],
            "stall": ["paused_at_s": 3.0, "resumed_at_s": 8.5, "rss_growth_bytes": ["api": 5_242_880, "worker-0": -1_048_576]],
        ], sampling: [
            "chain": ["sdk_ratio": 0.5, "collector_ratio": 0.25, "collector_threshold": "c", "keeps_errors": false, "independent_ratio": 0.125,
                      "consistent_ratio": 0.25, "kept": ["successes": 12, "trials": 80, "ratio": 0.15, "ci_low": 0.09, "ci_high": 0.24],
                      "predicted_kept": 12, "prediction_mismatches": 0, "model": "consistent"],
        ])
    }

    /// A black-box run (`target:`): outcomes, what partial traces lacked, completeness and sampling not measured.
    static func blackBox() throws -> RunResults {
        var run = try fixture("run-v2-smoke.json", adding: [
            "target": ["outcomes": ["complete": 89, "partial": 6, "orphaned": 0, "never_arrived": 1, "unsampled": 92, "broken_context": 13, "censored": 0],
                       "missing": ["emp-worker/webhook-notify": 4, "emp-worker/model-download": 2], "duplicate_spans": 3, "unowned_spans": 17],
        ])
        run.traces.completeness = nil
        run.sampling.observedRatio = nil
        return run
    }

    static func all() throws -> [(name: String, results: RunResults)] {
        guard case .run(let firehose) = try ResultsFile.read(from: "\(fixtures)/capacity-mini-capacity-20261125-162659Z-step1.json") else { return [] }
        return [("head-sampled", try fixture("run-v2-head-sampled-errors.json")), ("analytics", try fixture("run-v2-analytics.json")),
                ("overhead", try fixture("run-v2-overhead.json")), ("smoke", try fixture("run-v2-smoke.json")),
                ("firehose+collector", firehose), ("rigged", try rigged()), ("black-box", try blackBox())]
    }

    /// The numbers in a text: "0.050", "-30.0", "4000", with the page's markup, charts and entities taken out of HTML.
    static func numbers(_ text: String) -> [String] {
        let regex = try! NSRegularExpression(pattern: "-?[0-9]+(\\.[0-9]+)?")
        let ns = text as NSString
        return regex.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { ns.substring(with: $0.range) }
    }

    static func visibleText(_ html: String) -> String {
        html.replacingOccurrences(of: "<svg[\\s\\S]*?</svg>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "<style>[\\s\\S]*?</style>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "<[^>]+>", with: " ", options: .regularExpression)
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    @Test("every line of the text summary has its figures in the HTML report and in its Markdown twin")
    func reportHoldsEverySummaryFigure() throws {
        let runs = try Self.all()
        #expect(runs.count == 7)
        for (name, r) in runs {
            let text = Summary.text(r, path: "x.json")
            let report = HTMLReport.run(r, path: "x.json")
            let html = Self.visibleText(report.html)
            let tokens = (html: Set(Self.numbers(html)), markdown: Set(Self.numbers(report.markdown)))
            let analytics = Set(Summary.analyticsLines(r))
            for line in text.split(separator: "\n").map(String.init) {
                for number in Self.numbers(line) {
                    if analytics.contains(line) {
                        // The report's analytics tables are finer (one decimal where the summary rounds to whole
                        // percent): the same figure, to the summary's precision.
                        let digits = number.split(separator: ".").dropFirst().first?.count ?? 0
                        let value = Double(number)!, tolerance = pow(10, -Double(digits))
                        #expect(tokens.markdown.contains { abs(Double($0)! - value) <= tolerance }, "\(name): \(number) of \"\(line)\" in the Markdown")
                        #expect(tokens.html.contains { abs(Double($0)! - value) <= tolerance }, "\(name): \(number) of \"\(line)\" in the HTML")
                    } else {
                        #expect(tokens.markdown.contains(number), "\(name): \(number) of \"\(line)\" missing from the Markdown")
                        #expect(tokens.html.contains(number), "\(name): \(number) of \"\(line)\" missing from the HTML")
                    }
                }
            }
            // Each figure row, word for word: one source for the summary's line and the report's row.
            for row in RunFigureRows.load(r) + RunFigureRows.rig(r) {
                #expect(text.contains(row.line), "\(name): \(row.line)")
                #expect(report.markdown.contains("| \(row.label) | \(row.value) |"), "\(name): \(row.label) in the Markdown")
                #expect(report.html.contains("<td>\(SVGChart.escape(row.label))</td><td>\(SVGChart.escape(row.value))</td>"), "\(name): \(row.label) in the HTML")
            }
            for row in RunFigureTables.overhead(r) {
                #expect(text.contains(row.text) && report.markdown.contains("| " + row.cells.joined(separator: " | ") + " |"), "\(name): \(row.arm) \(row.figure)")
            }
        }
    }

    @Test("the figure groups the report used to leave out: retention, adjusted, propagation, collector, overhead, rig, target")
    func figureGroupsTheReportLacked() throws {
        let head = HTMLReport.run(try Self.fixture("run-v2-head-sampled-errors.json"), path: "x.json")
        for figure in ["errors kept 0.050 [0.001, 0.249] of 20 error jobs", "the promise \"100 % of errors\" FAILS",
                       "jobs 70 ± 25 (truth 100, -30.0 %)", "error jobs 10 ± 9 (truth 20, -50.0 %)", "traceparent reached the worker",
                       "error attribution 1.000 [0.207, 1.000]", "submit errors 0, retries 0, timeouts 0"] {
            #expect(head.markdown.contains(figure), "\(figure)")
            #expect(head.html.contains(SVGChart.escape(figure)), "\(figure)")
        }
        let rigged = HTMLReport.run(try Self.rigged(), path: "x.json")
        for figure in ["in 728 spans (364/s, 210 traces/min), out 52 (26/s, 210 traces/min), dropped 3",
                       "CPU 3.2% avg 9.5% max; RSS 40 MB avg 50 MB max; visibility p99 412 ms; 2048 B/trace, 619.3 MB/day",
                       "accepted 731, refused 2, sent 52, send failed 1 spans", "api: peak 80 MB of 64 MB — BREACHED at 12 s",
                       "worker-0: peak 67 MB of 64 MB — BREACHED (when: not measured)", "collector stopped 3.0–8.5 s; RSS growth: api +5.0 MB, worker-0 -1.0 MB",
                       "SDK 0.5000 then collector 0.250000 (th:c)"] {
            #expect(rigged.markdown.contains(figure), "\(figure)")
        }
        #expect(rigged.markdown.contains("| collector says: |") && rigged.markdown.contains("| collector cost |"))
        let overhead = HTMLReport.run(try Self.fixture("run-v2-overhead.json"), path: "x.json")
        for figure in ["| otlp | per request | 204.8 µs | [161.3, 249.4] µs | 379.9 µs | n=98 |", "| otlp | rss delta | 25.82 MB |",
                       "| sdk | budget |", "meets_target (per-request upper bound vs 2.0 ms target, 5.0 ms current)", "| resources | api "] {
            #expect(overhead.markdown.contains(figure), "\(figure)\n\(overhead.markdown)")
        }
        #expect(overhead.html.contains("<th>95 % interval</th>"))
        let target = HTMLReport.run(try Self.blackBox(), path: "x.json")
        for figure in ["| outcomes | ", "broken_context 13", "complete 89", "| missing | emp-worker/webhook-notify ×4, emp-worker/model-download ×2 |",
                       "3 duplicates, 17 unowned"] {
            #expect(target.markdown.contains(figure), "\(figure)\n\(target.markdown)")
        }
    }

    @Test("a figure not measured reads \"not measured\" in the summary, the HTML and the Markdown — never 0")
    func notMeasuredIsNeverZero() throws {
        var r = try Self.fixture("run-v2-smoke.json")
        r.traces.completeness = nil
        r.sampling.observedRatio = nil
        let text = Summary.text(r, path: "x.json")
        let report = HTMLReport.run(r, path: "x.json")
        let traces = try #require(text.split(separator: "\n").first { $0.hasPrefix("  traces ") })
        #expect(traces.contains("(not measured)") && !traces.contains("0.00"), "\(traces)")
        let sampling = try #require(text.split(separator: "\n").first { $0.hasPrefix("  sampling ") })
        #expect(sampling.contains("observed not measured") && !sampling.contains("0.0000"), "\(sampling)")
        for page in [report.markdown, Self.visibleText(report.html)] {
            #expect(page.contains("complete \(r.traces.complete) (not measured)") && page.contains("observed not measured"))
            #expect(!page.contains("0.00 %") && !page.contains("0.00%") && !page.contains("observed 0.0000"))
        }
        // No error job: retention is not measured rather than "every error job kept".
        let none = RunFigureRows.retention(.wilson(successes: 0, trials: 0), complete: nil, normal: nil, slow: nil)
        #expect(none.value.hasPrefix("errors kept not measured") && none.value.contains("not measured") && !none.value.contains("every error job kept"))
        // A collector whose process was not watched and that exports elsewhere: no 0 % CPU, no 0 B/trace.
        var attached = CollectorFigures()
        attached.spansIn = 40
        attached.measured = false
        let lines = RunFigureRows.collector(attached).map(\.value).joined(separator: "\n")
        #expect(lines.contains("out not measured") && lines.contains("CPU and RSS not measured") && lines.contains("bytes per trace not measured"), "\(lines)")
        #expect(!lines.contains("0.0%") && !lines.contains("0 B/trace"), "\(lines)")
    }

    @Test("nice ticks: 1, 2 or 5 times a power of ten, at multiples of the step")
    func niceTicks() {
        #expect(SVGChart.niceTicks(min: 0, max: 37.4, count: 5) == [0, 10, 20, 30])
        #expect(SVGChart.niceTicks(min: 0, max: 37.4, count: 8) == [0, 5, 10, 15, 20, 25, 30, 35])
        #expect(SVGChart.niceTicks(min: 0, max: 1, count: 5) == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(SVGChart.niceTicks(min: 0.3, max: 0.9, count: 6) == [0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9])
        #expect(SVGChart.niceTicks(min: -7, max: 12, count: 4) == [-5, 0, 5, 10])
        #expect(SVGChart.niceTicks(min: 15.8, max: 59.9, count: 5) == [20, 30, 40, 50])
        #expect(SVGChart.niceTicks(min: 0, max: 2.5e-9, count: 5) == [0, 5e-10, 1e-9, 1.5e-9, 2e-9, 2.5e-9])
        #expect(SVGChart.niceTicks(min: 0, max: 3.7e12, count: 4) == [0, 1e12, 2e12, 3e12])
        #expect(SVGChart.niceTicks(min: 1, max: 1) == [1])
        #expect(SVGChart.niceTicks(min: 5, max: 0, count: 5) == [0, 1, 2, 3, 4, 5], "a reversed range is read in order")
        for bad in [Double.nan, .infinity, -.infinity] {
            #expect(SVGChart.niceTicks(min: 0, max: bad).isEmpty && SVGChart.niceTicks(min: bad, max: 1).isEmpty)
        }
        // Extremes end, ascend and stay finite: the whole double range, subnormals, a span below the resolution.
        for (low, high) in [(-Double.greatestFiniteMagnitude, Double.greatestFiniteMagnitude), (0, Double.leastNonzeroMagnitude * 7),
                            (1e17, 1e17 + 16), (1, 1 + 1e-15), (-1e-300, 1e-300), (0, 1)] {
            for count in [0, 1, 5, 1_000_000] {
                let ticks = SVGChart.niceTicks(min: low, max: high, count: count)
                #expect(!ticks.isEmpty && ticks.allSatisfy(\.isFinite) && zip(ticks, ticks.dropFirst()).allSatisfy { $0 < $1 }, "\(low)…\(high) by \(count): \(ticks)")
                #expect(ticks.count <= 2 * max(1, min(count, 1000)) + 3)
            }
        }
        // Every step is 1, 2 or 5 × 10^k, and every tick a whole multiple of it.
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<2000 {
            let low = Double.random(in: -1e3...1e3, using: &generator), span = pow(10, Double.random(in: -3...8, using: &generator))
            let ticks = SVGChart.niceTicks(min: low, max: low + span, count: 5)
            guard ticks.count >= 2 else { continue }
            let measured = ticks[1] - ticks[0], exponent = floor(log10(measured) + 1e-9)
            let mantissa = ([1.0, 2, 5, 10].min { abs(measured / pow(10, exponent) - $0) < abs(measured / pow(10, exponent) - $1) })!
            #expect(abs(measured / pow(10, exponent) - mantissa) < 1e-6, "step \(measured) for \(low)…\(low + span)")
            let step = mantissa * pow(10, exponent)
            #expect(ticks.allSatisfy { abs(($0 / step).rounded() - $0 / step) < 1e-9 * max(1, abs($0 / step)) }, "\(ticks)")
        }
    }

    @Test("log axes tick at powers of ten, or 1-2-5 within a decade; charts label their axes at 1-2-5 values")
    func axes() {
        #expect(SVGChart.logTicks(minLog: 0, maxLog: 3) == [0, 1, 2, 3])
        #expect(SVGChart.logTicks(minLog: -9, maxLog: 9, count: 5).count <= 7)
        let withinDecade = SVGChart.logTicks(minLog: 0, maxLog: log10(60)).map { (pow(10, $0) * 1000).rounded() / 1000 }
        #expect(withinDecade == [1, 2, 5, 10, 20, 50])
        #expect(SVGChart.logTicks(minLog: .nan, maxLog: 1).isEmpty && SVGChart.logTicks(minLog: 1, maxLog: 1) == [1])
        // A chart up to 37.4 over 59.9 s: the y axis ends on a labelled 40; no 15.8 or 26.6 anywhere.
        let points = (0...599).map { (x: Double($0) / 10, y: 37.4 * Double($0) / 599) }
        let svg = SVGChart(title: "t", xLabel: "s", yLabel: "ms", series: [.init(name: "a", points: points)]).render()
        func labels(_ anchor: String) -> [String] {
            let regex = try! NSRegularExpression(pattern: "text-anchor=\"\(anchor)\">([^<]*)<")
            return regex.matches(in: svg, range: NSRange(svg.startIndex..., in: svg)).map { String(svg[Range($0.range(at: 1), in: svg)!]) }
                .filter { Double($0) != nil }
        }
        #expect(labels("end") == ["0", "10", "20", "30", "40"])
        #expect(labels("middle") == ["0", "10", "20", "30", "40", "50"])
        var nan = SVGChart(title: "t", xLabel: "x", yLabel: "y", series: [.init(name: "a", points: [(0, .nan), (1, 2), (.infinity, 3)])])
        nan.logY = true
        #expect(nan.render().hasPrefix("<svg"))
    }
}
