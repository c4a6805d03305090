import Foundation
import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// The change of one metric between the sides, before Holm's correction: point estimates, and a way to put an
/// interval on the difference at any level.
struct ChangeEstimate {
    let metric: ResolvedMetric
    let base: MetricObservation
    let candidate: MetricObservation
    let samples: Int
    let method: String
    /// The p-value of "no change"; nil when no interval can be made.
    let pValue: Double?
    /// Whether the interval includes run-to-run noise (several runs per side, or an A/A noise profile). Without it
    /// a significant change is reported `inconclusive`, never a regression.
    let noiseKnown: Bool
    /// The difference (candidate − base) and its interval at a level.
    let interval: (Double) -> (low: Double, high: Double)

    var delta: Double { candidate.estimate - base.estimate }

    static func make(_ metric: ResolvedMetric, base: Comparator.Side, candidate: Comparator.Side, options: Comparator.Options,
                     bootstraps: [String: BlockBootstrap], noise: NoiseProfile?) -> ChangeEstimate? {
        let baseObservations = base.compactMap { MetricReader.observe(metric, in: $0.results) }
        let candidateObservations = candidate.compactMap { MetricReader.observe(metric, in: $0.results) }
        guard baseObservations.count == base.count, candidateObservations.count == candidate.count,
              !baseObservations.isEmpty, !candidateObservations.isEmpty else { return nil }
        if base.count >= 2, candidate.count >= 2 {
            return replicated(metric, base: baseObservations.map(\.estimate), candidate: candidateObservations.map(\.estimate))
        }
        let b = baseObservations[0], c = candidateObservations[0]
        let delta = c.estimate - b.estimate
        let z95 = Distributions.normalQuantile(0.975)
        // Within the runs: a block bootstrap for percentiles, each side's own interval for the rest.
        var within: (low: Double, high: Double)?
        var withinP: Double?
        var method: String
        var samples = min(b.sampleCount, c.sampleCount)
        if let percentile = metric.percentile, let phase = metric.parts["phase"], let bootstrap = bootstraps[phase] {
            within = bootstrap.interval(percentile / 100, level: 0.95)
            withinP = bootstrap.pValue(percentile / 100)
            method = "block bootstrap over \(bootstrap.blocks) intervals"
            samples = Int(min(b.histogramCount, c.histogramCount))
        } else if let seBase = b.standardError, let seCandidate = c.standardError {
            let se = (seBase * seBase + seCandidate * seCandidate).squareRoot()
            within = (delta - z95 * se, delta + z95 * se)
            withinP = Distributions.normalTwoSidedPValue(estimate: delta, null: 0, standardError: se)
            method = "each side's own interval"
        } else {
            method = "one run per side"
        }
        // Between runs: the A/A noise profile, when there is one for this metric.
        if let noise, noise.runs >= 2, let relative = noise.relativeSD[metric.path] {
            let seRuns = ((relative * b.estimate) * (relative * b.estimate) + (relative * c.estimate) * (relative * c.estimate)).squareRoot()
            let seWithin = within.map { ($0.high - $0.low) / (2 * z95) } ?? 0
            let se = max(seRuns, seWithin)
            // Student's t when the A/A spread (estimated from few runs) dominates, the normal otherwise.
            let df = seRuns > seWithin ? Double(noise.runs - 1) : 1e6
            let p = se > 0 ? StudentT.twoSidedPValue(abs(delta) / se, degreesOfFreedom: df) : (delta == 0 ? 1 : 0)
            return ChangeEstimate(metric: metric, base: b, candidate: c, samples: samples,
                                  method: method + "; run-to-run noise from \(noise.runs) A/A runs", pValue: p, noiseKnown: true, interval: { level in
                let q = StudentT.quantile(1 - (1 - level) / 2, degreesOfFreedom: df)
                return (delta - q * se, delta + q * se)
            })
        }
        guard let within, let withinP else {
            return ChangeEstimate(metric: metric, base: b, candidate: c, samples: 1, method: method + ", no interval", pValue: nil,
                                  noiseKnown: false, interval: { _ in (delta, delta) })
        }
        let width95 = (within.high - within.low) / (2 * z95)
        let center = (within.high + within.low) / 2
        return ChangeEstimate(metric: metric, base: b, candidate: c, samples: samples,
                              method: method + "; run-to-run noise unknown (give --noise)", pValue: withinP, noiseKnown: false, interval: { level in
            let z = Distributions.normalQuantile(1 - (1 - level) / 2)
            return (center - z * width95, center + z * width95)
        })
    }

    /// Several runs per side: the runs are the replicates (Welch's t on the per-run figures).
    static func replicated(_ metric: ResolvedMetric, base: [Double], candidate: [Double]) -> ChangeEstimate {
        func meanAndVariance(_ values: [Double]) -> (Double, Double) {
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(max(values.count - 1, 1))
            return (mean, variance)
        }
        let (mb, vb) = meanAndVariance(base), (mc, vc) = meanAndVariance(candidate)
        let nb = Double(base.count), nc = Double(candidate.count)
        let se = (vb / nb + vc / nc).squareRoot()
        let df = se > 0 ? pow(se, 4) / (pow(vb / nb, 2) / (nb - 1) + pow(vc / nc, 2) / (nc - 1)) : nb + nc - 2
        let delta = mc - mb
        let t = se > 0 ? abs(delta) / se : (delta == 0 ? 0 : .infinity)
        let p = t.isInfinite ? 0 : StudentT.twoSidedPValue(t, degreesOfFreedom: df)
        func side(_ mean: Double, _ variance: Double, _ n: Double) -> MetricObservation {
            let half = StudentT.quantile(0.975, degreesOfFreedom: n - 1) * (variance / n).squareRoot()
            return MetricObservation(estimate: mean, evidence: .interval95(low: mean - half, high: mean + half))
        }
        return ChangeEstimate(metric: metric, base: side(mb, vb, nb), candidate: side(mc, vc, nc), samples: min(base.count, candidate.count),
                              method: "\(base.count) and \(candidate.count) runs as replicates (Welch)", pValue: p, noiseKnown: true, interval: { level in
            let q = StudentT.quantile(1 - (1 - level) / 2, degreesOfFreedom: df)
            return (delta - q * se, delta + q * se)
        })
    }

    /// The verdict, once Holm has given this metric its level.
    func comparison(decision: (level: Double, rejected: Bool)?, options: Comparator.Options) -> MetricComparison {
        let level = decision?.level ?? options.alpha
        let bounds = interval(1 - level)
        let scale = base.estimate != 0 ? 100 / abs(base.estimate) : 0
        let baseBounds = base.interval(level: 0.95), candidateBounds = candidate.interval(level: 0.95)
        let percent = (low: bounds.low * scale, high: bounds.high * scale)
        // Ratios (completeness, sampling, drops) move in percentage points: their floor is absolute.
        let clearsFloor = metric.unit == .ratio
            ? bounds.low > options.ratioFloor || bounds.high < -options.ratioFloor
            : percent.low > options.noiseFloorPercent || percent.high < -options.noiseFloorPercent
        var verdict = MetricComparison.Verdict.unchanged
        if decision == nil {
            verdict = delta == 0 ? .unchanged : .inconclusive
        } else if decision!.rejected, base.estimate != 0, clearsFloor {
            let definition = MetricCatalog.definitions.first { $0.template == metric.template }
            if !noiseKnown {
                verdict = .inconclusive
            } else if metric.template.hasPrefix("sampling.") || definition?.directed == false {
                verdict = .changed
            } else {
                let lowerIsBetter = definition?.lowerIsBetter ?? true
                verdict = (delta > 0) == lowerIsBetter ? .regression : .improvement
            }
        }
        return MetricComparison(
            metric: metric.path, group: metric.segments.first ?? "", unit: metric.unit,
            base: base.estimate, baseLow: baseBounds.low, baseHigh: baseBounds.high,
            candidate: candidate.estimate, candidateLow: candidateBounds.low, candidateHigh: candidateBounds.high,
            deltaPercent: delta * scale, deltaPercentLow: percent.low, deltaPercentHigh: percent.high,
            delta: delta, deltaLow: bounds.low, deltaHigh: bounds.high, pValue: pValue ?? 1, confidence: 1 - level,
            samples: samples, verdict: verdict, method: method
        )
    }
}

extension MetricObservation {
    /// The standard error behind the observation's interval (nil for exact figures and histograms).
    var standardError: Double? {
        let z = Distributions.normalQuantile(0.975)
        switch evidence {
        case let .proportion(successes, trials):
            let p = Double(successes) / Double(max(trials, 1))
            // Never 0: a side at 100 % still has an Agresti–Coull-like uncertainty.
            return max(p * (1 - p), 1 / Double(max(trials, 1))).squareRoot() / Double(max(trials, 1)).squareRoot()
        case let .interval95(low, high): return (high - low) / (2 * z)
        case let .poisson(count, scale): return Double(max(count, 1)).squareRoot() * scale
        default: return nil
        }
    }

    var sampleCount: Int {
        switch evidence {
        case let .proportion(_, trials): trials
        case let .poisson(count, _): count
        case let .quantile(histogram, _): Int(clamping: histogram.count)
        default: 1
        }
    }

    var histogramCount: UInt64 {
        if case let .quantile(histogram, _) = evidence { return histogram.count }
        return 0
    }
}
