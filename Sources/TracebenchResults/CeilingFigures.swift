import TracebenchMeasure

/// One process's memory against its ceiling.
public struct CeilingFigure: Codable, Sendable, Equatable {
    /// The ceiling, bytes: the scenario's `ceilings` MiB for the process (or its family: `worker` for `worker-N`) × 1,048,576.
    public var limitBytes: UInt64
    /// The process's largest RSS over the run (`resources.<name>.peak_rss_bytes`), bytes.
    public var peakBytes: UInt64
    /// Whether RSS went over the limit: a sampled RSS above it, or the peak above it.
    public var breached: Bool
    /// Seconds since the run's monitor started when RSS first went over the limit.
    public var firstBreachS: Double?

    /// A figure from its parts.
    public init(limitBytes: UInt64, peakBytes: UInt64, breached: Bool, firstBreachS: Double?) {
        self.limitBytes = limitBytes
        self.peakBytes = peakBytes
        self.breached = breached
        self.firstBreachS = firstBreachS
    }

    enum CodingKeys: String, CodingKey {
        case limitBytes = "limit_bytes", peakBytes = "peak_bytes", breached, firstBreachS = "first_breach_s"
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(limitBytes: try c(.limitBytes, 0), peakBytes: try c(.peakBytes, 0), breached: try c(.breached, false),
                  firstBreachS: try c.decodeIfPresent(Double.self, forKey: .firstBreachS))
    }

    /// Ceilings for every watched process that has one (`worker` applies to every `worker-N`).
    public static func evaluate(ceilingsMiB: [String: Double], usage: [String: ProcessUsage]) -> [String: CeilingFigure] {
        var result: [String: CeilingFigure] = [:]
        for (name, process) in usage {
            let family = name.split(separator: "-").first.map(String.init) ?? name
            guard let mib = ceilingsMiB[name] ?? ceilingsMiB[family] else { continue }
            let limit = UInt64(mib * 1_048_576)
            let first = process.rssTimeline.first { $0.rssBytes > limit }
            result[name] = CeilingFigure(limitBytes: limit, peakBytes: process.peakRssBytes,
                                         breached: first != nil || process.peakRssBytes > limit, firstBreachS: first?.seconds)
        }
        return result
    }
}

/// A collector stall (SIGSTOP … SIGCONT) and how much the SDK processes' memory grew meanwhile.
public struct StallFigures: Codable, Sendable, Equatable {
    /// Seconds since the run's monitor started (the RSS timelines' time zero).
    public var pausedAtS: Double
    /// When the collector was resumed (SIGCONT), seconds on the same clock.
    public var resumedAtS: Double
    /// Per process: largest RSS from the pause until 10 s after the resume, minus RSS at the pause.
    public var rssGrowthBytes: [String: Int64]

    enum CodingKeys: String, CodingKey { case pausedAtS = "paused_at_s", resumedAtS = "resumed_at_s", rssGrowthBytes = "rss_growth_bytes" }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pausedAtS = try c(.pausedAtS, 0)
        resumedAtS = try c(.resumedAtS, 0)
        rssGrowthBytes = try c(.rssGrowthBytes, [:])
    }

    /// The stall's figures from the RSS timelines in `usage`: every process but the collector, if sampled by the pause.
    public init(pausedAtS: Double, resumedAtS: Double, usage: [String: ProcessUsage]) {
        self.pausedAtS = pausedAtS
        self.resumedAtS = resumedAtS
        var growth: [String: Int64] = [:]
        for (name, process) in usage where name != "collector" {
            guard let before = process.rssTimeline.last(where: { $0.seconds <= pausedAtS }) else { continue }
            let during = process.rssTimeline.filter { $0.seconds >= pausedAtS && $0.seconds <= resumedAtS + 10 }
            let peak = during.map(\.rssBytes).max() ?? before.rssBytes
            growth[name] = Int64(peak) - Int64(before.rssBytes)
        }
        rssGrowthBytes = growth
    }
}
