import Foundation
import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// The one threshold engine: runs, `gate`, the capacity sweep's limits and the overhead budgets are all judged here.
///
/// A threshold on an exact figure is judged on the figure. Thresholds on figures with sampling uncertainty form
/// one family: each gets the p-value dual to its interval against its limit, Holm's step-down procedure assigns
/// levels α/m, α/(m−1), … in order of p, and a threshold is decided (pass or fail, by the side its interval lies
/// on) only when its p-value clears its level and every smaller one did; otherwise it is inconclusive (for
/// `contains`: it passes, as nothing excludes the value). So the chance that any threshold of the family is
/// judged wrongly stays at or below α.
public enum Judge {
    public static func evaluate(_ set: ThresholdSet, on files: [(path: String, results: RunResults)]) -> GateVerdict {
        evaluate(families: files.map { ($0.path, $0.results, set.thresholds) }, alpha: set.alpha)
    }

    /// Several results files, each with its thresholds, judged as one family at `alpha`.
    public static func evaluate(families: [(path: String, results: RunResults, thresholds: [ThresholdSpec])], alpha: Double) -> GateVerdict {
        struct Pending { var index: Int; var observation: MetricObservation; var target: Double; var windows: Int }
        var verdict = GateVerdict()
        verdict.alpha = alpha
        var pending: [Pending] = []
        for (path, results, thresholds) in families {
            for spec in thresholds {
                guard let resolved = try? MetricCatalog.resolve(spec.metric) else {
                    // Only a spec built in code can get here (loaded ones are checked): judged, never skipped.
                    var outcome = ThresholdOutcome(spec: spec, outcome: .notMeasured, unit: .count, evidence: .exact)
                    outcome.resultsFile = path
                    outcome.message = "\(spec.metric) is not a metric path this version knows: not measured"
                    verdict.thresholds.append(outcome)
                    continue
                }
                var outcome = ThresholdOutcome(spec: spec, outcome: .notMeasured, unit: resolved.unit, evidence: resolved.evidence)
                outcome.resultsFile = path
                let target = spec.condition.referencesConfigured ? results.sampling.configuredRatio : (spec.condition.value ?? 0)
                outcome.target = target
                var windows = 1
                let observed: MetricObservation?
                if let seconds = spec.overSeconds {
                    let worst = MetricWindows.worst(resolved, in: results, seconds: seconds, condition: spec.condition)
                    observed = worst?.observation
                    windows = worst?.windows ?? 1
                } else {
                    observed = MetricReader.observe(resolved, in: results)
                }
                guard let observation = observed else {
                    outcome.message = "\(spec.metric) was not measured in this run" + (spec.overSeconds == nil ? "" : " (no per-interval series)")
                    verdict.thresholds.append(outcome)
                    continue
                }
                outcome.estimate = observation.estimate
                if observation.isStatistical {
                    // Bonferroni over windows: the worst of `windows` looks is as surprising as its p-value × windows.
                    outcome.pValue = min(1, observation.pValue(against: target) * Double(windows))
                    pending.append(Pending(index: verdict.thresholds.count, observation: observation, target: target, windows: windows))
                } else {
                    outcome.outcome = spec.condition.holds(observation.estimate, target: target) ? .pass : .fail
                    outcome.ciLow = observation.estimate
                    outcome.ciHigh = observation.estimate
                    outcome.message = describe(outcome, note: observation.note)
                }
                verdict.thresholds.append(outcome)
            }
        }
        verdict.familySize = pending.count
        let holm = Distributions.holm(pValues: pending.map { verdict.thresholds[$0.index].pValue ?? 1 }, alpha: alpha)
        for (item, decision) in zip(pending, holm) {
            var outcome = verdict.thresholds[item.index]
            let bounds = item.observation.interval(level: 1 - decision.level / Double(item.windows))
            outcome.confidence = 1 - decision.level / Double(item.windows)
            outcome.ciLow = bounds.low
            outcome.ciHigh = bounds.high
            let condition = outcome.spec.condition
            let allGood = condition.holds(bounds.low, target: item.target) && condition.holds(bounds.high, target: item.target)
            let allBad = !condition.holds(bounds.low, target: item.target) && !condition.holds(bounds.high, target: item.target)
            switch condition.op {
            case .contains, .equal:
                outcome.outcome = decision.rejected ? .fail : .pass
            case .notEqual:
                outcome.outcome = decision.rejected ? .pass : .inconclusive
            default:
                outcome.outcome = decision.rejected && allGood ? .pass : decision.rejected && allBad ? .fail : .inconclusive
            }
            outcome.message = describe(outcome, note: item.observation.note)
            verdict.thresholds[item.index] = outcome
        }
        verdict.outcome = verdict.thresholds.contains { $0.outcome == .fail || $0.outcome == .notMeasured } ? .fail
            : verdict.thresholds.contains { $0.outcome == .inconclusive } ? .inconclusive : .pass
        return verdict
    }

    /// One results file, its own thresholds.
    public static func evaluate(_ set: ThresholdSet, on results: RunResults) -> GateVerdict {
        evaluate(set, on: [("", results)])
    }

    /// `meets_target`, `meets_current` or `over_budget` for one arm's per-request overhead: each budget is a
    /// threshold of its own (`< 2 ms`, `< 5 ms`) judged on the stored 95 % interval.
    public static func budgetVerdict(perRequest: OverheadFigure, budgets: Budgets) -> String {
        let observation = MetricObservation(estimate: perRequest.estimate, evidence: .interval95(low: perRequest.ciLow, high: perRequest.ciHigh))
        func passes(_ limitMs: Double) -> Bool {
            // One threshold alone: α = 0.05, so the 95 % interval decides.
            observation.interval(level: 0.95).high < limitMs * 1000
        }
        if passes(budgets.targetMs) { return "meets_target" }
        if passes(budgets.currentMs) { return "meets_current" }
        return "over_budget"
    }

    static func describe(_ o: ThresholdOutcome, note: String) -> String {
        let unit = o.unit
        var text = "\(o.spec.metric) = \(o.estimate.map(unit.format) ?? "—")"
        if let low = o.ciLow, let high = o.ciHigh, o.evidence != .exact, note.isEmpty {
            text += " [\(unit.format(low)), \(unit.format(high))] at \(String(format: "%.1f", o.confidence * 100)) %"
        }
        text += "; needs \(o.spec.condition.text.trimmingCharacters(in: .whitespaces))"
        if o.spec.condition.referencesConfigured, let target = o.target { text += " (\(unit.format(target)))" }
        switch o.outcome {
        case .pass: text += ": pass"
        case .fail: text += ": FAIL"
        case .inconclusive: text += ": inconclusive (the interval straddles the limit)"
        case .notMeasured: text += ": not measured"
        }
        return note.isEmpty ? text : text + " (\(note))"
    }
}
