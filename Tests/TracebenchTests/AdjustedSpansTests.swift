import Testing
import TracebenchMeasure
@testable import TracebenchAnalysis

/// The adjusted span count's standard error against the spread it claims, on a known population: 2,000 traces whose
/// API keeps 2 spans at 10 % and whose worker keeps 3 spans at 5 % on the same trace id (nested, as consistent samplers
/// are), sampled 400 times with seeded draws.
@Suite("adjusted span count", .computeOnly)
struct AdjustedSpansTests {
    @Test("the estimate finds the 10,000 spans and its variance matches the estimates' own spread (nested samplers)")
    func varianceMatchesTheSpreadOfEstimates() {
        var random = SeededGenerator(seed: 11)
        var estimates: [Double] = [], claimed: [Double] = []
        for _ in 0..<400 {
            var estimate = 0.0, variance = 0.0
            for _ in 0..<2000 {
                let draw = random.nextUnit()
                var kept: [Double: Int] = [:]
                if draw < 0.1 { kept[0.1] = 2 }
                if draw < 0.05 { kept[0.05] = 3 }
                guard !kept.isEmpty else { continue }
                let trace = TraceFold.adjustedSpans(kept)
                estimate += trace.estimate
                variance += trace.variance
            }
            estimates.append(estimate)
            claimed.append(variance)
        }
        let mean = estimates.reduce(0, +) / Double(estimates.count)
        let spread = estimates.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(estimates.count - 1)
        let meanClaimed = claimed.reduce(0, +) / Double(claimed.count)
        // Unbiased: within 4 standard errors of the mean of 400 estimates.
        #expect(abs(mean - 10_000) < 4 * (spread / 400).squareRoot(), "mean \(mean)")
        // The variance the estimator claims is the spread it has (630,000 by the formula); without the nested clusters'
        // covariance it would claim 414,000, two thirds of it.
        #expect((0.85...1.18).contains(meanClaimed / spread), "claimed \(meanClaimed), spread \(spread)")
        #expect((0.85...1.18).contains(meanClaimed / 630_000), "claimed \(meanClaimed)")
    }
}
