import Foundation
import TracebenchMeasure
import TracebenchMetrics

/// How much one run's figures move between runs of the same build, scenario and machine (`kind: noise`), measured
/// from A/A runs (`tracebench noise RUNS… --out FILE`). Resampling within one run cannot see this noise (the
/// machine, Redis, scheduling): `compare --noise FILE` adds it to every single-run comparison, and without it a
/// single-run change is never called a regression.
public struct NoiseProfile: Codable, Sendable {
    public var schemaVersion = ResultsSchema.version
    public var kind = ResultsKind.noise
    public var scenarioSHA256 = ""
    public var hostFingerprint = ""
    public var runs = 0
    public var files: [String] = []
    /// Metric path → standard deviation of one run's estimate across the runs, relative to their mean.
    public var relativeSD: [String: Double] = [:]
    /// Latency phase → the largest Kolmogorov–Smirnov distance between any two of the runs.
    public var shapeDistance: [String: Double] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", kind, scenarioSHA256 = "scenario_sha256", hostFingerprint = "host_fingerprint", runs, files
        case relativeSD = "relative_sd", shapeDistance = "shape_distance"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        schemaVersion = try c(.schemaVersion, 1)
        kind = try c(.kind, .noise)
        scenarioSHA256 = try c(.scenarioSHA256, "")
        hostFingerprint = try c(.hostFingerprint, "")
        runs = try c(.runs, 0)
        files = try c(.files, [])
        relativeSD = try c(.relativeSD, [:])
        shapeDistance = try c(.shapeDistance, [:])
    }

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
