import Foundation
import TracebenchMeasure
import TracebenchMetrics

/// How much one run's figures move between runs of the same build, scenario and machine (`kind: noise`), measured
/// from A/A runs (`tracebench noise RUNS… --out FILE`). Resampling within one run cannot see this noise (the
/// machine, Redis, scheduling): `compare --noise FILE` adds it to every single-run comparison, and without it a
/// single-run change is never called a regression.
public struct NoiseProfile: Codable, Sendable {
    /// The results schema version the profile was written with (1 when absent).
    public var schemaVersion = ResultsSchema.version
    /// Always `noise`.
    public var kind = ResultsKind.noise
    /// The first run's scenario file SHA-256 (`scenario_file.sha256`).
    public var scenarioSHA256 = ""
    /// The first run's host fingerprint (`environment.host_fingerprint`).
    public var hostFingerprint = ""
    /// Number of A/A runs the profile was measured from.
    public var runs = 0
    /// The runs' results files, as given.
    public var files: [String] = []
    /// Metric path → standard deviation of one run's estimate across the runs, relative to their mean.
    public var relativeSD: [String: Double] = [:]
    /// Latency phase → the largest Kolmogorov–Smirnov distance between any two of the runs.
    public var shapeDistance: [String: Double] = [:]

    /// An empty profile; `tracebench noise` fills it.
    public init() {}

    enum CodingKeys: String, CodingKey {
        case schemaVersion = "schema_version", kind, scenarioSHA256 = "scenario_sha256", hostFingerprint = "host_fingerprint", runs, files
        case relativeSD = "relative_sd", shapeDistance = "shape_distance"
    }

    /// Reads any schema version; absent keys take their defaults.
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
}
