import Foundation
import TracebenchJudge
import TracebenchResults

extension Summary {
    /// "Where the time goes" (the critical path's top segments), the topology's edges and the errors' root causes.
    static func analyticsLines(_ results: RunResults) -> [String] {
        var lines: [String] = []
        if let path = results.criticalPath, path.traces > 0 {
            let shown = path.ranked.prefix(5)
            let width = max(24, shown.map(\.key.count).max() ?? 0)
            lines.append("  where the time goes — the critical path of \(path.traces) whole traces")
            lines.append("            " + "segment".padding(toLength: width, withPad: " ", startingAt: 0) + "  share [95 % interval]   p50 ms   p99 ms  on path")
            for (key, segment) in shown {
                let c = segment.contribution
                let share = String(format: "%5.1f%% [%.1f, %.1f]", segment.share.estimate * 100, segment.share.ciLow * 100, segment.share.ciHigh * 100)
                lines.append("            " + key.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + share.padding(toLength: 21, withPad: " ", startingAt: 0)
                    + String(format: "%9.1f%9.1f%8.1f%%", Double(c.p50) / 1000, Double(c.p99) / 1000, segment.onPath.ratio * 100))
            }
            if path.segments.count > 5 { lines.append("            … \(path.segments.count - 5) more in the results (critical_path.segments)") }
        }
        if let topology = results.topology, !topology.edges.isEmpty {
            let edges = topology.edges.sorted { ($1.value.calls, $0.key) < ($0.value.calls, $1.key) }.prefix(6).map { key, edge in
                String(format: "%@ %d calls, p99 %.1f ms, errors %.1f%%", key, edge.calls, Double(edge.latency.p99) / 1000, edge.errorShare.ratio * 100)
            }
            lines.append("  topology  " + edges.joined(separator: "; "))
        }
        if let errors = results.errors, errors.traces > 0 {
            let causes = errors.ranked.prefix(4).map { key, cause in
                String(format: "%@ %.0f%% [%.0f, %.0f] of error traces, %.1f ERROR ancestors", key, cause.share.ratio * 100,
                       cause.share.ciLow * 100, cause.share.ciHigh * 100, cause.propagation.meanLevels)
            }
            lines.append("  root causes (\(errors.traces) error traces) " + causes.joined(separator: "; "))
        }
        return lines
    }
}

extension Summary {
    /// The promises scoreboard: the tally, every promise judged pass, fail or inconclusive with its figure and reason,
    /// and the ones the run did not measure on one line.
    static func promiseLines(_ board: GateVerdict) -> [String] {
        guard !board.thresholds.isEmpty else { return [] }
        var lines = ["  promises  \(board.tally)"]
        for outcome in board.thresholds where outcome.outcome != .notMeasured {
            let mark = outcome.outcome == .fail ? "FAIL" : outcome.outcome.rawValue
            lines.append("            " + mark.padding(toLength: 13, withPad: " ", startingAt: 0) + outcome.message)
        }
        let unmeasured = board.thresholds.filter { $0.outcome == .notMeasured }.map(\.spec.label)
        if !unmeasured.isEmpty { lines.append("            not measured " + unmeasured.joined(separator: "; ")) }
        return lines
    }
}
