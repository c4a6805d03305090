import Foundation
import TracebenchJudge
import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// The short human summary printed after a run.
public enum Summary {
    public static func text(_ results: RunResults, path: String, promises: ThresholdSet = Promises.designDocument) -> String {
        var lines: [String] = []
        let board = results.listen == nil ? Promises.scoreboard(results, promises: promises) : GateVerdict()
        let failed = board.failures
        let status = failed > 0 ? "\(results.status) (the run completed) — \(failed) promise\(failed == 1 ? "" : "s") FAIL" : "\(results.status)"
        lines.append("tracebench \(results.scenarioName): \(status) — results in \(path)")
        lines.append(contentsOf: promiseLines(board))
        lines.append(contentsOf: RunFigureRows.load(results).map(\.line))
        lines.append("  latency   (ms)          p50      p90      p99      max    count")
        for row in RunFigureTables.latency(results) {
            lines.append("            " + row.phase.padding(toLength: 12, withPad: " ", startingAt: 0)
                + row.cells.map { $0.leftPadded(9) }.joined() + String(row.count).leftPadded(9))
        }
        lines.append(contentsOf: analyticsLines(results))
        lines.append(contentsOf: RunFigureRows.rig(results).map(\.line))
        let overhead = RunFigureTables.overhead(results)
        if let first = overhead.first {
            lines.append("  overhead  (µs, arm − \(results.overhead?[first.arm]?.baseline ?? "baseline"); median [95 % CI], p99)")
            for (index, row) in overhead.enumerated() {
                let opensArm = index == 0 || overhead[index - 1].arm != row.arm
                let lead = opensArm ? "    " + row.arm.padding(toLength: 5, withPad: " ", startingAt: 0) + " " : String(repeating: " ", count: 10)
                lines.append(lead + row.figure.padding(toLength: 12, withPad: " ", startingAt: 0) + row.text)
            }
        }
        if let verdict = results.thresholds, !verdict.thresholds.isEmpty {
            lines.append("  thresholds \(verdict.outcome.rawValue.uppercased()) — \(verdict.count(.pass)) pass, \(verdict.count(.fail)) fail, \(verdict.count(.inconclusive)) inconclusive, \(verdict.count(.notMeasured)) not measured (Holm, family of \(verdict.familySize) at α \(verdict.alpha))")
            for outcome in verdict.thresholds { lines.append("    \(GateReport.mark(outcome.outcome)) \(outcome.message)") }
        }
        for problem in results.problems { lines.append("  problem   [\(problem.kind)] \(problem.message)") }
        return lines.joined(separator: "\n")
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
