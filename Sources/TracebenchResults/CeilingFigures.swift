import TracebenchMeasure

/// One process's memory against its ceiling.
public struct CeilingFigure: Codable, Sendable, Equatable {
    public var limitBytes: UInt64
    public var peakBytes: UInt64
    public var breached: Bool
    /// Seconds since the run's monitor started when RSS first went over the limit.
    public var firstBreachS: Double?

    public init(limitBytes: UInt64, peakBytes: UInt64, breached: Bool, firstBreachS: Double?) {
        self.limitBytes = limitBytes
        self.peakBytes = peakBytes
        self.breached = breached
        self.firstBreachS = firstBreachS
    }

    enum CodingKeys: String, CodingKey {
        case limitBytes = "limit_bytes", peakBytes = "peak_bytes", breached, firstBreachS = "first_breach_s"
    }

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
    public var resumedAtS: Double
    /// Per process: largest RSS from the pause until 10 s after the resume, minus RSS at the pause.
    public var rssGrowthBytes: [String: Int64]

    enum CodingKeys: String, CodingKey { case pausedAtS = "paused_at_s", resumedAtS = "resumed_at_s", rssGrowthBytes = "rss_growth_bytes" }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        pausedAtS = try c(.pausedAtS, 0)
        resumedAtS = try c(.resumedAtS, 0)
        rssGrowthBytes = try c(.rssGrowthBytes, [:])
    }

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
