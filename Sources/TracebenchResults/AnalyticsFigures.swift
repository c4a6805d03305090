import TracebenchMeasure

/// Where the time goes (results key `critical_path`): per ``SegmentKey`` (`service/span`, or `queue`), its part of
/// the end-to-end time on the critical path of every whole trace of the run's jobs.
public struct CriticalPathFigures: Codable, Sendable, Equatable {
    /// Whole traces analysed (one root, every parent present).
    public var traces = 0
    /// Per segment key.
    public var segments: [String: PathSegment] = [:]
    /// The same shares within end-to-end latency bands (`p0-p50`, `p50-p90`, `p90-p99`, `p99-p100`): what the slowest
    /// traces spend their time on versus the typical ones.
    public var bands: [PathBand] = []

    public init() {}

    enum CodingKeys: String, CodingKey { case traces, segments, bands }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        traces = try c(.traces, 0)
        segments = try c(.segments, [:])
        bands = try c(.bands, [])
    }

    /// Segment keys by share, largest first (ties by name).
    public var ranked: [(key: String, segment: PathSegment)] {
        segments.sorted { ($0.value.share.estimate, $1.key) > ($1.value.share.estimate, $0.key) }.map { ($0.key, $0.value) }
    }
}

/// One segment of the critical path, over the analysed traces.
public struct PathSegment: Codable, Sendable, Equatable {
    /// Mean over traces of this segment's fraction of the trace's end-to-end time, with a bootstrap 95 % interval
    /// (`samples` = traces). The shares of all segments add up to 1.
    public var share: DifferenceEstimate
    /// Traces in which this segment is on the critical path at all.
    public var onPath: ProportionEstimate
    /// Its time on the path (µs), over the traces where it is on it.
    public var contribution: LatencySummary

    public init(share: DifferenceEstimate, onPath: ProportionEstimate, contribution: LatencySummary) {
        self.share = share
        self.onPath = onPath
        self.contribution = contribution
    }

    enum CodingKeys: String, CodingKey { case share, onPath = "on_path", contribution }
}

/// The critical-path shares of the traces whose end-to-end time falls in one percentile band.
public struct PathBand: Codable, Sendable, Equatable {
    /// `p0-p50`, `p50-p90`, `p90-p99` or `p99-p100`.
    public var band: String
    public var traces: Int
    /// Segment key → mean share within the band.
    public var shares: [String: Double]

    public init(band: String, traces: Int, shares: [String: Double]) {
        self.band = band
        self.traces = traces
        self.shares = shares
    }
}

/// The service dependency graph of the run (results key `topology`), from the spans of the run's traces: an edge
/// for every parent span whose child is in another service (across the queue too: the enqueuing span's service →
/// the claiming span's).
public struct TopologyFigures: Codable, Sendable, Equatable {
    /// Traces the graph was built from.
    public var traces = 0
    /// Per `service.name`.
    public var nodes: [String: ServiceNode] = [:]
    /// Per `caller->callee` (``SegmentKey/edge(caller:callee:)``).
    public var edges: [String: ServiceEdge] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey { case traces, nodes, edges }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        traces = try c(.traces, 0)
        nodes = try c(.nodes, [:])
        edges = try c(.edges, [:])
    }
}

/// One service of the topology.
public struct ServiceNode: Codable, Sendable, Equatable {
    public var spans: Int
    /// The service's spans' own time (duration less their children's), summed, µs.
    public var selfTimeUs: UInt64

    public init(spans: Int, selfTimeUs: UInt64) {
        self.spans = spans
        self.selfTimeUs = selfTimeUs
    }

    enum CodingKeys: String, CodingKey { case spans, selfTimeUs = "self_time_us" }
}

/// One caller → callee edge of the topology.
public struct ServiceEdge: Codable, Sendable, Equatable {
    public var caller: String
    public var callee: String
    /// Child spans in the callee under a parent in the caller.
    public var calls: Int
    /// Traces holding the edge, of the traces the graph was built from.
    public var traceShare: ProportionEstimate
    /// Calls whose callee span has status ERROR (exact 95 % interval).
    public var errorShare: ProportionEstimate
    /// The callee spans' durations, µs.
    public var latency: LatencySummary

    public init(caller: String, callee: String, calls: Int, traceShare: ProportionEstimate, errorShare: ProportionEstimate, latency: LatencySummary) {
        self.caller = caller
        self.callee = callee
        self.calls = calls
        self.traceShare = traceShare
        self.errorShare = errorShare
        self.latency = latency
    }

    enum CodingKeys: String, CodingKey { case caller, callee, calls, traceShare = "trace_share", errorShare = "error_share", latency }
}

/// Where the errors come from (results key `errors`).
public struct ErrorFigures: Codable, Sendable, Equatable {
    /// Whole traces holding at least one ERROR span: the denominator of every root cause's share.
    public var traces = 0
    /// Per ``SegmentKey``: spans with status ERROR none of whose children is ERROR.
    public var rootCauses: [String: RootCause] = [:]

    public init() {}

    enum CodingKeys: String, CodingKey { case traces, rootCauses = "root_causes" }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        traces = try c(.traces, 0)
        rootCauses = try c(.rootCauses, [:])
    }

    /// Root causes by share, largest first (ties by name).
    public var ranked: [(key: String, cause: RootCause)] {
        rootCauses.sorted { ($0.value.share.ratio, $1.key) > ($1.value.share.ratio, $0.key) }.map { ($0.key, $0.value) }
    }
}

/// One root cause of errors.
public struct RootCause: Codable, Sendable, Equatable {
    /// Root-cause spans of this key.
    public var spans: Int
    /// Error traces it explains (holds at least one of its root-cause spans), exact 95 % interval.
    public var share: ProportionEstimate
    /// How far its errors propagated: ERROR ancestors in an unbroken chain above each root-cause span.
    public var propagation: ErrorPropagation

    public init(spans: Int, share: ProportionEstimate, propagation: ErrorPropagation) {
        self.spans = spans
        self.share = share
        self.propagation = propagation
    }
}

/// The chain of ERROR ancestors above root-cause spans.
public struct ErrorPropagation: Codable, Sendable, Equatable {
    /// Ancestors marked ERROR, mean over the root-cause spans.
    public var meanLevels: Double
    public var maxLevels: Int
    /// Root-cause spans whose ERROR chain reached the trace's root span.
    public var reachedRoot: Int

    public init(meanLevels: Double, maxLevels: Int, reachedRoot: Int) {
        self.meanLevels = meanLevels
        self.maxLevels = maxLevels
        self.reachedRoot = reachedRoot
    }

    enum CodingKeys: String, CodingKey { case meanLevels = "mean_levels", maxLevels = "max_levels", reachedRoot = "reached_root" }
}
