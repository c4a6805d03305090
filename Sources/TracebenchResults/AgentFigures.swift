/// A multi-host run's agents (`load.agents`, issue 15): one entry per host that offered a share of the schedule, what
/// its share did, how well its start was synchronized, and — for an agent lost mid-run — exactly what its share did
/// not offer. The run's own figures (jobs, `latency.submit`, `load.lag`) are every share merged: counts summed,
/// histograms added bucket by bucket, never percentiles averaged.
public struct AgentFigures: Codable, Sendable, Equatable {
    /// One agent and its share.
    public struct Agent: Codable, Sendable, Equatable {
        /// The name it gave (`--name`, default its host name and pid).
        public var name: String
        /// The host it ran on, and its processor count.
        public var hostname = ""
        public var cores = 0
        public var share = 0
        public var weight = 1
        /// The control Redis's clock minus the agent's (µs), and that estimate's uncertainty (half its best round trip).
        public var clockOffsetMicros: Int64 = 0
        public var clockUncertaintyMicros: Int64 = 0
        /// How late its first arrival was dispatched against its intended instant (µs, its own clock); nil: it never
        /// dispatched one.
        public var firstArrivalLateMicros: Int64?
        /// Arrivals of its share in the schedule, and what it reported of them.
        public var planned = 0
        public var sent = 0
        public var accepted = 0
        public var errors = 0
        public var dropped = 0
        public var intervalsReported = 0
        /// It stopped renewing its heartbeat before it finished.
        public var lost = false
        /// A lost agent's arrivals after its last reported interval that it had not dispatched (by its last heartbeat),
        /// and the ones it had dispatched whose outcome never came back.
        public var notOffered = 0
        public var unknownOutcome = 0
        /// Roles [workers]: the built-in pipeline's worker processes it ran, their CPU (s, summed) and largest peak RSS
        /// (bytes) — null when not measured.
        public var workers = 0
        public var workersCPUSeconds: Double?
        public var workersPeakRSSBytes: UInt64?
        /// Roles [workers, collector]: its host's collector's CPU (s) and peak RSS (bytes); null without one.
        public var collectorCPUSeconds: Double?
        public var collectorPeakRSSBytes: UInt64?

        public init(name: String) { self.name = name }

        enum CodingKeys: String, CodingKey {
            case name, hostname, cores, share, weight, planned, sent, accepted, errors, dropped, lost
            case clockOffsetMicros = "clock_offset_us", clockUncertaintyMicros = "clock_uncertainty_us"
            case firstArrivalLateMicros = "first_arrival_late_us", intervalsReported = "intervals_reported"
            case notOffered = "not_offered", unknownOutcome = "unknown_outcome", workers
            case workersCPUSeconds = "workers_cpu_seconds", workersPeakRSSBytes = "workers_peak_rss_bytes"
            case collectorCPUSeconds = "collector_cpu_seconds", collectorPeakRSSBytes = "collector_peak_rss_bytes"
        }

        /// Reads any schema version; absent keys take their defaults.
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            name = try c(.name, "")
            hostname = try c(.hostname, "")
            cores = try c(.cores, 0)
            share = try c(.share, 0)
            weight = try c(.weight, 1)
            clockOffsetMicros = try c(.clockOffsetMicros, 0)
            clockUncertaintyMicros = try c(.clockUncertaintyMicros, 0)
            firstArrivalLateMicros = try c.decodeIfPresent(Int64.self, forKey: .firstArrivalLateMicros)
            planned = try c(.planned, 0)
            sent = try c(.sent, 0)
            accepted = try c(.accepted, 0)
            errors = try c(.errors, 0)
            dropped = try c(.dropped, 0)
            intervalsReported = try c(.intervalsReported, 0)
            lost = try c(.lost, false)
            notOffered = try c(.notOffered, 0)
            unknownOutcome = try c(.unknownOutcome, 0)
            workers = try c(.workers, 0)
            workersCPUSeconds = try c.decodeIfPresent(Double.self, forKey: .workersCPUSeconds)
            workersPeakRSSBytes = try c.decodeIfPresent(UInt64.self, forKey: .workersPeakRSSBytes)
            collectorCPUSeconds = try c.decodeIfPresent(Double.self, forKey: .collectorCPUSeconds)
            collectorPeakRSSBytes = try c.decodeIfPresent(UInt64.self, forKey: .collectorPeakRSSBytes)
        }

        /// Writes every key; `first_arrival_late_us` as null when the agent dispatched nothing.
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(name, forKey: .name)
            try c.encode(hostname, forKey: .hostname)
            try c.encode(cores, forKey: .cores)
            try c.encode(share, forKey: .share)
            try c.encode(weight, forKey: .weight)
            try c.encode(clockOffsetMicros, forKey: .clockOffsetMicros)
            try c.encode(clockUncertaintyMicros, forKey: .clockUncertaintyMicros)
            try c.encode(firstArrivalLateMicros, forKey: .firstArrivalLateMicros)
            try c.encode(planned, forKey: .planned)
            try c.encode(sent, forKey: .sent)
            try c.encode(accepted, forKey: .accepted)
            try c.encode(errors, forKey: .errors)
            try c.encode(dropped, forKey: .dropped)
            try c.encode(intervalsReported, forKey: .intervalsReported)
            try c.encode(lost, forKey: .lost)
            try c.encode(notOffered, forKey: .notOffered)
            try c.encode(unknownOutcome, forKey: .unknownOutcome)
            try c.encode(workers, forKey: .workers)
            try c.encode(workersCPUSeconds, forKey: .workersCPUSeconds)
            try c.encode(workersPeakRSSBytes, forKey: .workersPeakRSSBytes)
            try c.encode(collectorCPUSeconds, forKey: .collectorCPUSeconds)
            try c.encode(collectorPeakRSSBytes, forKey: .collectorPeakRSSBytes)
        }
    }

    public var agents: [Agent] = []
    /// The start's worst case over the agents: clock uncertainty plus first-arrival lateness (µs); nil before any
    /// agent dispatched.
    public var startSkewMicros: Int64?
    /// `agents.start_tolerance_ms` of the scenario.
    public var startToleranceMillis = 0.0
    /// Width of one reported interval (s).
    public var intervalSeconds = 1.0

    public init() {}

    enum CodingKeys: String, CodingKey {
        case agents = "hosts", startSkewMicros = "start_skew_us", startToleranceMillis = "start_tolerance_ms", intervalSeconds = "interval_s"
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        agents = try c(.agents, [])
        startSkewMicros = try c.decodeIfPresent(Int64.self, forKey: .startSkewMicros)
        startToleranceMillis = try c(.startToleranceMillis, 0)
        intervalSeconds = try c(.intervalSeconds, 1)
    }

    /// Writes every key; `start_skew_us` as null when no agent dispatched.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(agents, forKey: .agents)
        try c.encode(startSkewMicros, forKey: .startSkewMicros)
        try c.encode(startToleranceMillis, forKey: .startToleranceMillis)
        try c.encode(intervalSeconds, forKey: .intervalSeconds)
    }
}
