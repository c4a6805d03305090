import Foundation
import TracebenchJudge
import TracebenchMetrics
import TracebenchResults

/// Reporters over a ``ComparisonReport``: a benchstat-like table for the terminal and Markdown.
public enum ComparisonText {
    static func verdictText(_ m: MetricComparison) -> String {
        switch m.verdict {
        case .unchanged: "~"
        case .regression: "REGRESSION"
        case .improvement: "improvement"
        case .changed: "changed"
        case .inconclusive: "inconclusive"
        }
    }

    static func headline(_ r: ComparisonReport) -> String {
        let count = { (v: MetricComparison.Verdict) in r.metrics.count { $0.verdict == v } }
        return "compare: \(count(.regression)) regressions, \(count(.improvement)) improvements, \(count(.changed)) changed, "
            + "\(count(.unchanged)) unchanged (~), \(count(.inconclusive)) inconclusive; Holm over \(r.familySize) metrics at α \(r.alpha), "
            + "noise floor ±\(r.noiseFloorPercent)% (ratios ±\(r.ratioFloor * 100) points); "
            + (r.baseFiles.count >= 2 && r.candidateFiles.count >= 2 ? "runs as replicates"
                : r.noiseProfileRuns > 0 ? "run-to-run noise from \(r.noiseProfileRuns) A/A runs" : "run-to-run noise unknown: single-run changes are at most inconclusive")
    }

    static func percent(_ m: MetricComparison) -> String {
        m.verdict == .inconclusive && m.deltaPercentLow == m.deltaPercentHigh
            ? String(format: "%+.1f%%", m.deltaPercent)
            : String(format: "%+.1f%% [%+.1f, %+.1f]", m.deltaPercent, m.deltaPercentLow, m.deltaPercentHigh)
    }

    public static func table(_ r: ComparisonReport) -> String {
        var lines = [headline(r)]
        for mismatch in r.mismatches { lines.append("warning: \(mismatch)") }
        // The metric column fits the longest path (critical-path and topology paths run long), never cutting one.
        let width = max(36, (r.metrics.map(\.metric.count).max() ?? 0) + 2)
        lines.append("metric".padding(toLength: width, withPad: " ", startingAt: 0) + "base".padding(toLength: 14, withPad: " ", startingAt: 0)
                     + "candidate".padding(toLength: 14, withPad: " ", startingAt: 0) + "Δ% [interval]".padding(toLength: 28, withPad: " ", startingAt: 0)
                     + "p".padding(toLength: 9, withPad: " ", startingAt: 0) + "verdict")
        for m in r.metrics {
            lines.append(m.metric.padding(toLength: width, withPad: " ", startingAt: 0)
                         + m.unit.format(m.base).padding(toLength: 14, withPad: " ", startingAt: 0)
                         + m.unit.format(m.candidate).padding(toLength: 14, withPad: " ", startingAt: 0)
                         + percent(m).padding(toLength: 28, withPad: " ", startingAt: 0)
                         + String(format: "%.3g", m.pValue).padding(toLength: 9, withPad: " ", startingAt: 0) + verdictText(m))
        }
        for (group, ratio) in r.geomeans.sorted(by: { $0.key < $1.key }) {
            lines.append(String(format: "geomean %@ ×%.3f", group, ratio))
        }
        for shape in r.shapes {
            let verdict = shape.changed ? String(format: " — distribution changed (A/A runs differ by at most %.3f)", shape.aaStatistic)
                : shape.inconclusive ? " — inconclusive (no A/A noise profile)" : " ~"
            lines.append(String(format: "shape %@: KS D = %.3f, p = %.3g", shape.phase, shape.statistic, shape.pValue) + verdict)
        }
        return lines.joined(separator: "\n")
    }

    public static func markdown(_ r: ComparisonReport) -> String {
        var lines = ["### tracebench compare", "", headline(r), ""]
        for mismatch in r.mismatches { lines.append("> warning: \(mismatch)") }
        lines += ["| metric | base [95 %] | candidate [95 %] | Δ % [interval] | p | verdict | method |", "|---|---|---|---|---|---|---|"]
        for m in r.metrics {
            let base = "\(m.unit.format(m.base)) [\(m.unit.format(m.baseLow)), \(m.unit.format(m.baseHigh))]"
            let candidate = "\(m.unit.format(m.candidate)) [\(m.unit.format(m.candidateLow)), \(m.unit.format(m.candidateHigh))]"
            lines.append("| `\(m.metric)` | \(base) | \(candidate) | \(percent(m)) | \(String(format: "%.3g", m.pValue)) | \(verdictText(m)) | \(m.method) |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
