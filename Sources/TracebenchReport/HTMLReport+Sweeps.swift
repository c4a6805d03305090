import Foundation
import TracebenchJudge
import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// The capacity-planning and comparison reports.
extension HTMLReport {
    // MARK: A capacity sweep

    public static func capacity(_ s: CapacitySummary, path: String) -> (html: String, markdown: String) {
        if s.mode == "jobs" { return jobsCapacity(s, path: path) }
        let offered = s.steps.map(\.spansPerSecond)
        func series(_ name: String, _ values: [Double]) -> SVGChart.Series { .init(name: name, points: zip(offered, values).map { ($0, $1) }) }
        let knee = s.kneeSpansPerSecond.map { [(x: $0, label: "knee \(SVGChart.number($0)) spans/s (\(s.limitedBy == .collector ? "the collector's" : "at least"))")] } ?? []
        func chart(_ title: String, _ y: String, _ lines: [SVGChart.Series], limit: (Double, String)? = nil) -> String {
            var c = SVGChart(title: title, xLabel: "offered spans/s", yLabel: y, series: lines)
            c.verticalMarks = knee
            if let limit { c.horizontalMarks = [(limit.0, limit.1)] }
            return c.render()
        }
        let plan = planRows(s)
        var html = "<h1>Capacity plan: \(SVGChart.escape(s.scenario))</h1><p class=\"note\">\(SVGChart.escape(path)) · tracebench \(s.environment.gitRevision) · \(SVGChart.escape(s.environment.cpuModel)), \(s.environment.cpuCount) cores</p>"
        html += "<h2>Plan</h2>" + table(["", ""], plan.map { [SVGChart.escape($0.0), SVGChart.escape($0.1)] })
        html += "<h2>Offered and achieved</h2>" + chart("spans/s through the collector", "spans/s", [series("offered", offered), series("achieved (at the sink)", s.steps.map(\.spansPerSecondOut))])
        html += "<h2>The collector's cost</h2>" + chart("collector CPU (average, % of one core)", "%", [series("CPU", s.steps.map(\.collectorCPUPercentAvg))])
        html += chart("collector RSS (max)", "MiB", [series("RSS", s.steps.map { Double($0.collectorRSSBytesMax) / 1_048_576 })])
        html += chart("visibility p99 (span end → stored)", "ms", [series("visibility p99", s.steps.map(\.visibilityP99Ms))])
        html += "<h2>Steps</h2>" + table(["offered spans/s", "verdict", "out spans/s", "drops", "visibility p99", "CPU", "RSS", "why"], s.steps.map { step in
            [SVGChart.number(step.spansPerSecond), step.passed ? "<span class=\"pass\">pass</span>" : "<span class=\"fail\">FAIL (\(step.limitedBy))</span>",
             SVGChart.number(step.spansPerSecondOut), String(format: "%.4f", step.dropRatio), String(format: "%.0f ms", step.visibilityP99Ms),
             String(format: "%.0f %%", step.collectorCPUPercentAvg), String(format: "%.0f MiB", Double(step.collectorRSSBytesMax) / 1_048_576),
             SVGChart.escape(step.reasons.joined(separator: "; "))]
        })
        let markdown = "# Capacity plan: \(s.scenario)\n\n" + markdownTable(["", ""], plan.map { [$0.0, $0.1] }) + "\n\n"
            + markdownTable(["offered spans/s", "verdict", "out spans/s", "visibility p99 ms", "CPU %", "RSS MiB"], s.steps.map {
                [SVGChart.number($0.spansPerSecond), $0.passed ? "pass" : "FAIL (\($0.limitedBy))", SVGChart.number($0.spansPerSecondOut),
                 String(format: "%.0f", $0.visibilityP99Ms), String(format: "%.0f", $0.collectorCPUPercentAvg), String(format: "%.0f", Double($0.collectorRSSBytesMax) / 1_048_576)]
            }) + "\n"
        return (page(title: "Capacity plan: \(s.scenario)", body: html), markdown)
    }

    static func planRows(_ s: CapacitySummary) -> [(String, String)] {
        let lowerBound = s.limitedBy != .collector
        var rows = [("what ended the sweep", s.limitedBy == .collector ? "a collector limit broke" : s.limitedBy == .sender ? "the sender on this machine fell behind: the knee is a lower bound" : s.limitedBy == .maxSteps ? "every step passed: the knee is a lower bound" : s.limitedBy.rawValue)]
        if let knee = s.kneeSpansPerSecond, let traces = s.kneeTracesPerMinute {
            rows.append(("knee", "\(lowerBound ? "at least " : "")\(SVGChart.number(knee)) spans/s, \(SVGChart.number(traces)) traces/min"))
        } else {
            rows.append(("knee", "no step passed"))
        }
        rows.append(("target", "\(SVGChart.number(s.targetTracesPerMinute)) traces/min"))
        if let needed = s.collectorsNeeded { rows.append(("collectors needed", "\(needed)\(lowerBound ? " (at most: the knee is a lower bound)" : "")")) }
        if let storage = s.storageBytesPerDay { rows.append(("storage per day", String(format: "%.1f MB at the target rate (bytes per trace as measured; sampling as configured in the scenario)", storage / 1e6))) }
        return rows
    }

    /// The pipeline's capacity (`capacity.mode: jobs`).
    static func jobsCapacity(_ s: CapacitySummary, path: String) -> (html: String, markdown: String) {
        let offered = s.steps.map(\.jobsPerSecond)
        func series(_ name: String, _ values: [Double]) -> SVGChart.Series { .init(name: name, points: zip(offered, values).map { ($0, $1) }) }
        let kneeRate = s.kneeJobsPerMinute.map { $0 / 60 }
        func chart(_ title: String, _ y: String, _ lines: [SVGChart.Series], limit: Double? = nil) -> String {
            var c = SVGChart(title: title, xLabel: "offered jobs/s", yLabel: y, series: lines)
            c.verticalMarks = kneeRate.map { [(x: $0, label: "knee \(SVGChart.number($0)) jobs/s (\(s.limitedBy == .pipeline ? "the pipeline's" : "at least"))")] } ?? []
            if let limit { c.horizontalMarks = [(limit, "limit")] }
            return c.render()
        }
        var plan = [("what ended the sweep", s.limitedBy == .pipeline ? "a pipeline limit broke" : s.limitedBy == .sender ? "the load generator on this machine fell behind: the knee is a lower bound" : s.limitedBy == .maxSteps ? "every step passed: the knee is a lower bound" : s.limitedBy.rawValue)]
        plan.append(("knee", s.kneeJobsPerMinute.map { "\(s.limitedBy == .pipeline ? "" : "at least ")\(SVGChart.number($0)) jobs/min, \(s.kneeTracesPerMinute.map { SVGChart.number($0) + " traces/min" } ?? "traces/min not measured")" } ?? "no step passed"))
        if let target = s.targetJobsPerMinute { plan.append(("target", "\(SVGChart.number(target)) jobs/min")) }
        if let workers = s.workersNeeded { plan.append(("workers needed", "\(workers) at the knee's rate per worker")) }
        if let storage = s.storageBytesPerDay { plan.append(("storage per day", String(format: "%.1f MB of traces at the target, with the scenario's sampling", storage / 1e6))) }
        var html = "<h1>Pipeline capacity plan: \(SVGChart.escape(s.scenario))</h1><p class=\"note\">\(SVGChart.escape(path)) · tracebench \(s.environment.gitRevision) · \(SVGChart.escape(s.environment.cpuModel)), \(s.environment.cpuCount) cores</p>"
        html += "<h2>Plan</h2>" + table(["", ""], plan.map { [SVGChart.escape($0.0), SVGChart.escape($0.1)] })
        html += "<h2>Offered and completed</h2>" + chart("jobs/s through the pipeline", "jobs/s", [series("offered", offered), series("completed", s.steps.map(\.jobsCompletedPerSecond))])
        html += "<h2>Latency against load</h2>" + chart("p99 (ms)", "ms", [series("queue wait p99", s.steps.map(\.queueWaitP99Ms)), series("end-to-end p99", s.steps.map(\.endToEndP99Ms))])
        html += chart("largest SDK process RSS", "MiB", [series("API and workers", s.steps.map { Double($0.sdkRSSBytesMax) / 1_048_576 })])
        html += "<h2>Steps</h2>" + table(["offered jobs/s", "verdict", "completed jobs/s", "queue wait p99", "end-to-end p99", "traces/min", "why"], s.steps.map { step in
            [SVGChart.number(step.jobsPerSecond), step.passed ? "<span class=\"pass\">pass</span>" : "<span class=\"fail\">FAIL (\(step.limitedBy))</span>",
             String(format: "%.1f", step.jobsCompletedPerSecond), String(format: "%.0f ms", step.queueWaitP99Ms), String(format: "%.0f ms", step.endToEndP99Ms),
             SVGChart.number(step.tracesPerMinute), SVGChart.escape(step.reasons.joined(separator: "; "))]
        })
        let markdown = "# Pipeline capacity plan: \(s.scenario)\n\n" + markdownTable(["", ""], plan.map { [$0.0, $0.1] }) + "\n"
        return (page(title: "Pipeline capacity plan: \(s.scenario)", body: html), markdown)
    }

    // MARK: A comparison

    public static func comparison(_ c: ComparisonReport, base: TracebenchJudge.Comparator.Side, candidate: TracebenchJudge.Comparator.Side) -> (html: String, markdown: String) {
        var html = "<h1>tracebench compare</h1><p class=\"note\">base: \(SVGChart.escape(c.baseFiles.joined(separator: ", "))) · candidate: \(SVGChart.escape(c.candidateFiles.joined(separator: ", ")))</p>"
        html += "<p>\(SVGChart.escape(ComparisonText.headline(c)))</p>"
        for mismatch in c.mismatches { html += "<p class=\"fail\">\(SVGChart.escape(mismatch))</p>" }
        html += table(["metric", "base", "candidate", "Δ % [interval]", "p", "verdict"], c.metrics.map { m in
            let style = m.verdict == .regression ? "fail" : m.verdict == .improvement ? "pass" : m.verdict == .inconclusive ? "inconclusive" : ""
            return ["<code>\(m.metric)</code>", m.unit.format(m.base), m.unit.format(m.candidate), ComparisonText.percent(m), String(format: "%.3g", m.pValue),
                    "<span class=\"\(style)\">\(ComparisonText.verdictText(m))</span>"]
        })
        let baseLatency = base.count == 1 ? base[0].results.latency : [:], candidateLatency = candidate.count == 1 ? candidate[0].results.latency : [:]
        if !baseLatency.isEmpty, !candidateLatency.isEmpty {
            html += "<h2>Distributions, overlaid</h2>" + percentilePlot(baseLatency, name: "base", overlay: candidateLatency, overlayName: "candidate")
        }
        if !c.shapes.isEmpty {
            html += "<h2>Shape (Kolmogorov–Smirnov)</h2>" + table(["phase", "D", "p", "A/A max D", "verdict"], c.shapes.map {
                [$0.phase, String(format: "%.3f", $0.statistic), String(format: "%.3g", $0.pValue), String(format: "%.3f", $0.aaStatistic),
                 $0.changed ? "<span class=\"fail\">changed</span>" : $0.inconclusive ? "<span class=\"inconclusive\">inconclusive</span>" : "~"]
            })
        }
        return (page(title: "tracebench compare", body: html), ComparisonText.markdown(c))
    }
}
