import TracebenchMeasure
import Foundation
import TracebenchScenario

extension DurationSpec {
    /// Draws one duration in (unscaled) milliseconds, never negative.
    public func sample(using random: inout SeededGenerator) -> Double {
        switch distribution {
        case .fixed:
            return max(0, meanMs)
        case .uniform:
            return minMs + (maxMs - minMs) * random.nextUnit()
        case .exponential:
            return -meanMs * log(1 - random.nextUnit())
        case .lognormal:
            // Mean of a log-normal is exp(mu + sigma²/2): choose mu so the mean is meanMs.
            let mu = log(max(meanMs, 1e-9)) - sigma * sigma / 2
            return exp(mu + sigma * Self.standardNormal(&random))
        }
    }

    /// A standard normal variate (Box–Muller).
    static func standardNormal(_ random: inout SeededGenerator) -> Double {
        let u1 = max(random.nextUnit(), Double.leastNonzeroMagnitude)
        let u2 = random.nextUnit()
        return sqrt(-2 * log(u1)) * cos(2 * Double.pi * u2)
    }
}
