import Foundation
import TracebenchResults
import TracebenchVocabulary

extension RunFigureRows {
    /// The trace rows of a black-box run: every job's outcome, what partial traces lacked, and only the figures a
    /// black-box run measures (spans created and exported inside the user's system are not known).
    static func targetRows(_ results: RunResults, _ target: TargetFigures) -> [FigureRow] {
        let t = results.traces
        let outcomes = TraceOutcome.allCases.reversed().map { "\($0.rawValue) \(target.count($0))" }.joined(separator: ", ")
        var rows = [FigureRow("outcomes", "\(outcomes) (of \(results.jobs.submitted) jobs)")]
        if !target.missing.isEmpty {
            let missing = target.missing.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(5).map { "\($0.key) ×\($0.value)" }
            rows.append(FigureRow("missing", missing.joined(separator: ", ")))
        }
        let completeness = t.completeness.map { String(format: "%.2f%%", $0 * 100) } ?? notMeasured
        rows.append(FigureRow("traces", String(format: "expected %d, received %d, complete %d (%@), orphan spans %d, broken context %d (%@)",
                                               t.expected, t.received, t.complete, completeness, t.orphanSpans, t.brokenContext,
                                               proportion(t.brokenContextShare, of: false))))
        rows.append(FigureRow("errors", String(format: "%d error spans in %d traces; %d jobs failed in the ledger", t.errorSpans, t.tracesWithErrors, results.jobs.failed)))
        let s = results.sampling
        if let observed = s.observedRatio, s.trials > 0 {
            rows.append(FigureRow("sampling", String(format: "configured %.3f, observed %.4f [%.4f, %.4f] over %d of the system's own decisions",
                                                     s.configuredRatio, observed, s.ciLow, s.ciHigh, s.trials)))
        } else {
            rows.append(FigureRow("sampling", "\(notMeasured) (the correlation channel carried no sampled flag)"))
        }
        let late = results.spans.late.map { ", \($0) late (after their trace's deadline, not judged)" } ?? ""
        rows.append(FigureRow("spans", "received \(results.spans.received) owned by a job\(late), \(target.duplicateSpans) duplicates, \(target.unownedSpans) unowned "
            + "(background traffic); created and exported are not measured in a black-box run"))
        return rows
    }

    /// The rows of a `tracebench listen` file: the structure of what arrived, and completeness against `--expect`.
    static func listenRows(_ results: RunResults, _ listen: ListenFigures) -> [FigureRow] {
        let t = results.traces
        let services = listen.services.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(8)
            .map { "\($0.key.isEmpty ? "(no service.name)" : $0.key) \($0.value)" }.joined(separator: ", ")
        return [
            FigureRow("listened", String(format: "%.1f s: %d spans in %d traces, %d roots, %d traces without a root", listen.windowSeconds,
                                         results.spans.received, t.received, listen.roots, listen.tracesWithoutRoot)),
            FigureRow("traces", "orphan spans \(t.orphanSpans), duplicates \(listen.duplicateSpans), max depth \(t.maxDepth); "
                + (t.completeness.map { String(format: "complete %d of %d (%.2f%%) against --expect", t.complete, t.expected, $0 * 100) }
                    ?? "completeness not measured (no ground truth; --expect gives one)")),
            FigureRow("errors", "\(t.errorSpans) error spans in \(t.tracesWithErrors) traces"),
            FigureRow("services", services.isEmpty ? "none" : services),
        ] + (listen.missing.map { missing in
            missing.isEmpty ? [] : [FigureRow("missing", missing.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { "\($0.key) ×\($0.value)" }
                .joined(separator: ", "))]
        } ?? [])
    }
}
