import Foundation
import TracebenchMetrics
import TracebenchResults

/// Measuring a noise profile from A/A runs: the judgement half of `kind: noise` (the file format is in
/// TracebenchResults).
extension NoiseProfile {
    /// The profile of two or more runs of one build, scenario and machine.
    public static func measure(_ runs: Comparator.Side) -> NoiseProfile {
        var profile = NoiseProfile()
        profile.runs = runs.count
        profile.files = runs.map(\.path)
        profile.scenarioSHA256 = runs.first?.results.scenarioFile.sha256 ?? ""
        profile.hostFingerprint = runs.first?.results.environment.hostFingerprint ?? ""
        guard runs.count >= 2 else { return profile }
        for path in Comparator.metricPaths(base: runs, candidate: []) {
            guard let metric = try? MetricCatalog.resolve(path) else { continue }
            let values = runs.compactMap { MetricReader.observe(metric, in: $0.results)?.estimate }
            guard values.count == runs.count else { continue }
            let mean = values.reduce(0, +) / Double(values.count)
            let variance = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(values.count - 1)
            if mean != 0 { profile.relativeSD[path] = variance.squareRoot() / abs(mean) }
        }
        for phase in MetricCatalog.phases {
            let histograms = runs.compactMap { Comparator.merged([$0], phase) }
            guard histograms.count == runs.count else { continue }
            var largest = 0.0
            for i in histograms.indices { for j in histograms.indices where j > i { largest = max(largest, KolmogorovSmirnov.test(histograms[i], histograms[j]).statistic) } }
            profile.shapeDistance[phase] = largest
        }
        return profile
    }
}
