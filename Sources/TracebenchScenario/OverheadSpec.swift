/// An A/B measurement of what tracing costs: the same pipeline and arrivals with tracing off (the first arm, the
/// baseline) against each instrumented arm.
///
/// Two effects, reported separately: inline latency overhead (each job is assigned an arm at random by the
/// seeded generator and carries it through API and worker, so machine drift hits every arm alike), and resource
/// overhead (CPU and RSS per 1,000 jobs, including the batch processor and exporter: whole processes in one arm,
/// interleaved blocks, ABAB…).
public struct OverheadSpec: Codable, Sendable, Equatable {
    /// Tracing modes compared; the first is the baseline (normally `off`). Two to four distinct modes.
    public var arms: [TracingSpec.Mode]
    /// Blocks per arm in the resource phase (0 skips it).
    public var blocks: Int
    /// Length of each resource block, in seconds of offered load.
    public var blockSeconds: Double
    /// Bootstrap resamples behind each interval.
    public var bootstrapIterations: Int
    /// Black-box runs (`target:`): the arms as launch environments of the user's own system, the first the baseline
    /// (e.g. `{name: off, env: {OTEL_SDK_DISABLED: "true"}}` against `{name: otlp}`), run in alternating blocks; empty
    /// for the built-in pipeline, whose arms are ``arms``.
    public var environments: [EnvironmentArm]

    public init(arms: [TracingSpec.Mode] = [.off, .sdk, .otlp], blocks: Int = 3, blockSeconds: Double = 8, bootstrapIterations: Int = 1000,
                environments: [EnvironmentArm] = []) {
        self.arms = arms
        self.blocks = blocks
        self.blockSeconds = blockSeconds
        self.bootstrapIterations = bootstrapIterations
        self.environments = environments
    }

    /// The arms' names, the baseline first: the environment arms' in a black-box run, the tracing modes otherwise.
    public var armNames: [String] { environments.isEmpty ? arms.map(\.rawValue) : environments.map(\.name) }
}

/// One arm of a black-box overhead measurement: the user's system launched with `target.launch.env` and then `env`.
public struct EnvironmentArm: Codable, Sendable, Equatable {
    /// The arm's name in the results (`overhead.<name>`); `otlp` is the one the design document's promises judge.
    public var name: String
    /// Environment set on top of `target.launch.env` (placeholders allowed).
    public var env: [String: String]

    public init(name: String, env: [String: String] = [:]) {
        self.name = name
        self.env = env
    }
}

/// Deliberate, known cost added to the traced arms, so a test can prove the overhead method measures it.
public struct CalibrationSpec: Codable, Sendable, Equatable {
    /// Busy-waits this many microseconds inside every span the worker's job steps create in non-`off` arms.
    public var injectMicrosPerSpan: Double

    public init(injectMicrosPerSpan: Double = 0) {
        self.injectMicrosPerSpan = injectMicrosPerSpan
    }
}
