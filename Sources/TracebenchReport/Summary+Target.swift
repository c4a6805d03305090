import Foundation
import TracebenchResults
import TracebenchVocabulary

extension Summary {
    /// The trace lines of a black-box run: every job's outcome, what partial traces lacked, and only the figures a
    /// black-box run measures (spans created and exported inside the user's system are not known).
    static func targetLines(_ results: RunResults, _ target: TargetFigures) -> [String] {
        let t = results.traces
        let outcomes = TraceOutcome.allCases.reversed().map { "\($0.rawValue) \(target.count($0))" }.joined(separator: ", ")
        var lines = ["  outcomes  \(outcomes) (of \(results.jobs.submitted) jobs)"]
        if !target.missing.isEmpty {
            let missing = target.missing.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(5).map { "\($0.key) ×\($0.value)" }
            lines.append("  missing   " + missing.joined(separator: ", "))
        }
        let completeness = t.completeness.map { String(format: "%.2f%%", $0 * 100) } ?? "not measured"
        let broken = t.brokenContextShare
        lines.append(String(format: "  traces    expected %d, received %d, complete %d (%@), orphan spans %d, broken context %d (%.3f [%.3f, %.3f])",
                            t.expected, t.received, t.complete, completeness, t.orphanSpans, t.brokenContext, broken.ratio, broken.ciLow, broken.ciHigh))
        lines.append(String(format: "  errors    %d error spans in %d traces; %d jobs failed in the ledger", t.errorSpans, t.tracesWithErrors, results.jobs.failed))
        let s = results.sampling
        if let observed = s.observedRatio {
            lines.append(String(format: "  sampling  configured %.3f, observed %.4f [%.4f, %.4f] over %d of the system's own decisions",
                                s.configuredRatio, observed, s.ciLow, s.ciHigh, s.trials))
        } else {
            lines.append("  sampling  not measured (the correlation channel carried no sampled flag)")
        }
        lines.append("  spans     received \(results.spans.received) owned by a job, \(target.duplicateSpans) duplicates, \(target.unownedSpans) unowned "
            + "(background traffic); created and exported are not measured in a black-box run")
        return lines
    }

    /// The lines of a `tracebench listen` file: the structure of what arrived (no ground truth, so no completeness).
    static func listenLines(_ results: RunResults, _ listen: ListenFigures) -> [String] {
        let t = results.traces
        let services = listen.services.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.prefix(8)
            .map { "\($0.key.isEmpty ? "(no service.name)" : $0.key) \($0.value)" }.joined(separator: ", ")
        return [
            String(format: "  listened  %.1f s: %d spans in %d traces, %d roots, %d traces without a root", listen.windowSeconds,
                   results.spans.received, t.received, listen.roots, listen.tracesWithoutRoot),
            "  traces    orphan spans \(t.orphanSpans), duplicates \(listen.duplicateSpans), max depth \(t.maxDepth); completeness not measured (no ground truth)",
            "  errors    \(t.errorSpans) error spans in \(t.tracesWithErrors) traces",
            "  services  " + (services.isEmpty ? "none" : services),
        ]
    }
}
