import Foundation
import TracebenchJudge
import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// `tracebench report`: one self-contained offline HTML page (inline SVG, inline CSS, no script, no CDN) and a
/// Markdown twin, for a run, a comparison or a capacity sweep. Long series are downsampled with LTTB.
public enum HTMLReport {
    /// Points kept per line on a chart.
    static let maximumPoints = 400

    static func page(title: String, body: String) -> String {
        """
        <!doctype html>
        <html lang="en"><head><meta charset="utf-8"><title>\(SVGChart.escape(title))</title>
        <style>body{font-family:sans-serif;margin:24px;color:#222;max-width:1100px}h1{font-size:22px}h2{font-size:17px;margin-top:28px;border-bottom:1px solid #ddd}
        table{border-collapse:collapse;font-size:13px;margin:8px 0}td,th{border:1px solid #ddd;padding:3px 8px;text-align:left}th{background:#f4f4f4}
        .pass{color:#2a7d2a}.fail{color:#c62828;font-weight:bold}.inconclusive{color:#b26a00}.note{color:#555;font-size:13px}svg{display:block;margin:8px 0}</style>
        </head><body>\(body)</body></html>
        """
    }

    static func table(_ header: [String], _ rows: [[String]]) -> String {
        "<table><tr>" + header.map { "<th>\(SVGChart.escape($0))</th>" }.joined() + "</tr>"
            + rows.map { "<tr>" + $0.map { "<td>\($0)</td>" }.joined() + "</tr>" }.joined() + "</table>"
    }

    static func markdownTable(_ header: [String], _ rows: [[String]]) -> String {
        (["| " + header.joined(separator: " | ") + " |", "|" + String(repeating: "---|", count: header.count)]
            + rows.map { "| " + $0.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |" }).joined(separator: "\n")
    }

    // MARK: A run

    public static func run(_ r: RunResults, path: String, promises: ThresholdSet = Promises.designDocument) -> (html: String, markdown: String) {
        // The status says the run completed; it is never a green "ok" above a failed promise.
        let board = r.listen == nil ? Promises.scoreboard(r, promises: promises) : GateVerdict()
        let failed = board.failures
        let heading = failed > 0 ? "\(r.status) — \(failed) promise\(failed == 1 ? "" : "s") failed" : "\(r.status)"
        let headingClass = r.status != RunStatus.ok ? "fail" : failed > 0 ? "inconclusive" : "pass"
        var html = "<h1>tracebench \(SVGChart.escape(r.scenarioName)): <span class=\"\(headingClass)\">\(heading)</span></h1>"
        html += "<p class=\"note\">\(SVGChart.escape(path)) · run \(r.runID) · \(r.startedAt) · tracebench \(r.environment.gitRevision) · swift-otel \(r.environment.swiftOTelVersion) · \(SVGChart.escape(r.environment.cpuModel)), \(r.environment.cpuCount) cores</p>"
        var markdown = "# tracebench \(r.scenarioName): \(heading)\n"
        if !board.thresholds.isEmpty {
            let rows = board.thresholds.map { [$0.outcome.rawValue, $0.spec.label, $0.message] }
            html += "<h2>Promises: \(board.tally)</h2>" + table(["outcome", "promise", "measured"], rows.map { row in
                ["<span class=\"\(row[0] == "pass" ? "pass" : row[0] == "fail" ? "fail" : "inconclusive")\">\(row[0])</span>", SVGChart.escape(row[1]), SVGChart.escape(row[2])]
            })
            markdown += "\n## Promises: \(board.tally)\n\n" + markdownTable(["outcome", "promise", "measured"], rows.map { [$0[0], "`\($0[1])`", $0[2]] }) + "\n"
        }
        let figures = figureSections(r)
        html += figures.html
        markdown += figures.markdown
        if let verdict = r.thresholds, !verdict.thresholds.isEmpty {
            html += "<h2>Thresholds: \(verdict.outcome.rawValue)</h2>" + table(["outcome", "threshold", "measured"], verdict.thresholds.map {
                ["<span class=\"\($0.outcome == .pass ? "pass" : $0.outcome == .inconclusive ? "inconclusive" : "fail")\">\($0.outcome.rawValue)</span>",
                 SVGChart.escape($0.spec.label), SVGChart.escape($0.message)]
            })
            markdown += "\n## Thresholds: \(verdict.outcome.rawValue)\n\n" + markdownTable(["outcome", "threshold", "measured"], verdict.thresholds.map {
                [$0.outcome.rawValue, "`\($0.spec.label)`", $0.message]
            }) + "\n"
        }
        if !r.problems.isEmpty {
            html += "<h2>Problems</h2><ul>" + r.problems.map { "<li><b>\($0.kind)</b> \(SVGChart.escape($0.message))</li>" }.joined() + "</ul>"
            markdown += "\n## Problems\n\n" + r.problems.map { "- **\($0.kind)** \($0.message)" }.joined(separator: "\n") + "\n"
        }
        let analytics = analytics(r)
        html += analytics.html
        markdown += analytics.markdown
        html += "<h2>Latency over time</h2>" + latencyOverTime(r)
        html += "<h2>Throughput over time</h2>" + ratesOverTime(r)
        html += "<h2>Latency distribution (HDR percentile plot)</h2>" + percentilePlot(r.latency, name: nil)
        html += "<h2>Memory per process</h2>" + memoryOverTime(r)
        if let overhead = r.overhead, !overhead.isEmpty {
            let rows = RunFigureTables.overhead(r)
            let baseline = rows.first.flatMap { overhead[$0.arm]?.baseline } ?? "baseline"
            let heading = "Tracing overhead (arm − \(baseline), median with 95 % interval)"
            html += "<h2>\(SVGChart.escape(heading))</h2>" + table(RunFigureTables.overheadHeader, rows.map { $0.cells.map(SVGChart.escape) }) + overheadChart(overhead)
            markdown += "\n## \(heading)\n\n" + markdownTable(RunFigureTables.overheadHeader, rows.map(\.cells)) + "\n"
        }
        return (page(title: "tracebench \(r.scenarioName)", body: html), markdown)
    }

    /// The summary's figure rows as one table and its latency as another: every figure the text summary prints
    /// (the overhead table follows with its chart).
    static func figureSections(_ r: RunResults) -> (html: String, markdown: String) {
        let rows = summaryRows(r).map { [$0.label, $0.value] }
        var html = "<h2>Summary</h2>" + table(["figure", "value"], rows.map { $0.map(SVGChart.escape) })
        var markdown = "\n## Summary\n\n" + markdownTable(["figure", "value"], rows) + "\n"
        let latency = RunFigureTables.latency(r).map { [$0.phase] + $0.cells + ["\($0.count)"] }
        if !latency.isEmpty {
            html += "<h2>Latency</h2>" + table(RunFigureTables.latencyHeader, latency.map { $0.map(SVGChart.escape) })
            markdown += "\n## Latency\n\n" + markdownTable(RunFigureTables.latencyHeader, latency) + "\n"
        }
        return (html, markdown)
    }

    /// The rows of the report's summary table: the text summary's load, trace and rig rows.
    static func summaryRows(_ r: RunResults) -> [FigureRow] {
        RunFigureRows.load(r) + RunFigureRows.rig(r)
    }

    static func latencyOverTime(_ r: RunResults) -> String {
        guard let series = r.series else { return "<p class=\"note\">No per-interval series in this file (schema 1).</p>" }
        return MetricCatalog.phases.compactMap { phase -> String? in
            guard let encoded = series.latency[phase] else { return nil }
            var p50: [(x: Double, y: Double)] = [], p99: [(x: Double, y: Double)] = []
            for (index, text) in encoded.enumerated() where !text.isEmpty {
                guard let histogram = try? LatencyHistogram(encoded: text), histogram.count > 0 else { continue }
                let x = Double(index) * series.intervalSeconds
                p50.append((x, Double(histogram.value(atPercentile: 50)) / 1000))
                p99.append((x, Double(histogram.value(atPercentile: 99)) / 1000))
            }
            guard !p50.isEmpty else { return nil }
            return SVGChart(title: "\(phase): p50 and p99 per \(series.intervalSeconds) s", xLabel: "seconds since the load started", yLabel: "ms", series: [
                .init(name: "p50", points: SVGChart.downsample(p50, threshold: maximumPoints)),
                .init(name: "p99", points: SVGChart.downsample(p99, threshold: maximumPoints)),
            ]).render()
        }.joined()
    }

    static func ratesOverTime(_ r: RunResults) -> String {
        guard let series = r.series else { return "" }
        let lines = [IntervalSeries.Counter.submitted, IntervalSeries.Counter.completed, IntervalSeries.Counter.spansAtSink, IntervalSeries.Counter.droppedArrivals]
            .compactMap { name -> SVGChart.Series? in
                guard let counts = series.counters[name], counts.contains(where: { $0 > 0 }) else { return nil }
                let points = counts.enumerated().map { (Double($0.offset) * series.intervalSeconds, Double($0.element) / series.intervalSeconds) }
                return .init(name: name.replacingOccurrences(of: "_", with: " ") + " /s", points: SVGChart.downsample(points, threshold: maximumPoints))
            }
        return lines.isEmpty ? "" : SVGChart(title: "per second", xLabel: "seconds since the load started", yLabel: "per second", series: lines).render()
    }

    /// The HDR percentile plot of each phase: value against percentile on a 1/(1−q) axis.
    static func percentilePlot(_ latency: [String: LatencySummary], name: String?, overlay: [String: LatencySummary]? = nil, overlayName: String = "") -> String {
        let percentiles = [0.0, 10, 25, 50, 75, 90, 95, 99, 99.5, 99.9, 99.95, 99.99, 99.999]
        func line(_ summary: LatencySummary?, _ label: String) -> SVGChart.Series? {
            guard let text = summary?.histogram, let histogram = try? LatencyHistogram(encoded: text), histogram.count > 0 else { return nil }
            let usable = percentiles.filter { $0 < 100 - 100 / Double(histogram.count) || $0 <= 50 }
            return .init(name: label, points: usable.map { ($0, Double(histogram.value(atPercentile: $0)) / 1000) })
        }
        return MetricCatalog.phases.compactMap { phase -> String? in
            let lines = [line(latency[phase], name ?? phase), overlay.flatMap { line($0[phase], overlayName) }].compactMap { $0 }
            guard !lines.isEmpty else { return nil }
            var chart = SVGChart(title: "\(phase) by percentile", xLabel: "percentile (log scale on 1 / (1 − q))", yLabel: "ms", series: lines)
            chart.percentileX = true
            return chart.render()
        }.joined()
    }

    static func memoryOverTime(_ r: RunResults) -> String {
        let lines = r.resources.sorted { $0.key < $1.key }.compactMap { name, usage -> SVGChart.Series? in
            guard !usage.rssTimeline.isEmpty else { return nil }
            return .init(name: name, points: SVGChart.downsample(usage.rssTimeline.map { ($0.seconds, Double($0.rssBytes) / 1_048_576) }, threshold: maximumPoints))
        }
        guard !lines.isEmpty else { return "<p class=\"note\">No RSS timeline in this file.</p>" }
        var chart = SVGChart(title: "RSS per process", xLabel: "seconds since sampling started", yLabel: "MiB", series: lines)
        // Processes sharing a ceiling share one line and one label (labels drawn on top of each other read as none).
        let byLimit = Dictionary(grouping: (r.ceilings ?? [:]).sorted { $0.key < $1.key }, by: \.value.limitBytes)
        chart.horizontalMarks = byLimit.keys.sorted().map { limit in
            (Double(limit) / 1_048_576, "ceiling " + byLimit[limit]!.map(\.key).joined(separator: ", "))
        }
        return chart.render()
    }

    static func overheadChart(_ overhead: [String: ArmOverhead]) -> String {
        // Per job and per span are not measured in black-box runs: those points are left out, never drawn at 0.
        let kinds: [(String, (ArmOverhead) -> OverheadFigure?)] = [("per request", \.perRequestUs), ("per job", \.perJobUs), ("per span", \.perSpanUs)]
        let lines = overhead.keys.sorted().map { arm -> SVGChart.Series in
            let figures = kinds.enumerated().compactMap { kind in kind.element.1(overhead[arm]!).map { (x: Double(kind.offset), figure: $0) } }
            return .init(name: arm, points: figures.map { ($0.x, $0.figure.estimate) }, errorBars: figures.map { ($0.figure.ciLow, $0.figure.ciHigh) })
        }
        let legend = kinds.enumerated().map { "\($0.offset) = \($0.element.0)" }.joined(separator: ", ")
        var chart = SVGChart(title: "arm − baseline, median with 95 % interval (µs)", xLabel: legend, yLabel: "µs", series: lines)
        chart.xTickValues = kinds.indices.map(Double.init)
        return chart.render()
    }
}
