import TracebenchMeasure

/// One overhead figure: the difference (arm − baseline) of medians with its 95 % bootstrap interval, the
/// difference of p99s, and the samples behind it; microseconds.
public struct OverheadFigure: Codable, Sendable, Equatable {
    /// Difference of the medians (arm − baseline), µs.
    public var estimate: Double
    /// Lower bound of the median difference's 95 % bootstrap interval, µs.
    public var ciLow: Double
    /// Upper bound of the median difference's 95 % bootstrap interval, µs.
    public var ciHigh: Double
    /// Difference of the p99s (arm − baseline), µs; no interval.
    public var p99Estimate: Double
    /// Samples in the smaller of the two arms.
    public var samples: Int

    /// The figure of a median and a p99 difference (the p99's interval is dropped).
    public init(median: DifferenceEstimate, p99: DifferenceEstimate) {
        self.init(estimate: median.estimate, ciLow: median.ciLow, ciHigh: median.ciHigh, p99Estimate: p99.estimate, samples: median.samples)
    }

    /// A figure from its parts.
    public init(estimate: Double, ciLow: Double, ciHigh: Double, p99Estimate: Double, samples: Int) {
        self.estimate = estimate
        self.ciLow = ciLow
        self.ciHigh = ciHigh
        self.p99Estimate = p99Estimate
        self.samples = samples
    }

    enum CodingKeys: String, CodingKey {
        case estimate, ciLow = "ci_low", ciHigh = "ci_high", p99Estimate = "p99_estimate", samples
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(estimate: try c(.estimate, 0), ciLow: try c(.ciLow, 0), ciHigh: try c(.ciHigh, 0),
                  p99Estimate: try c(.p99Estimate, 0), samples: try c(.samples, 0))
    }

    /// This figure divided by `divisor` (per job → per span).
    public func divided(by divisor: Double) -> OverheadFigure {
        guard divisor > 0 else { return self }
        return OverheadFigure(estimate: estimate / divisor, ciLow: ciLow / divisor, ciHigh: ciHigh / divisor,
                              p99Estimate: p99Estimate / divisor, samples: samples)
    }

    /// As an estimate with a 95 % interval, for the judge.
    public var difference: DifferenceEstimate { DifferenceEstimate(estimate: estimate, ciLow: ciLow, ciHigh: ciHigh, samples: samples) }
}

/// Median and p99 differences of one latency phase between an arm and the baseline.
public struct PhaseDifference: Codable, Sendable, Equatable {
    /// Difference of the medians (arm − baseline) with its 95 % bootstrap interval, µs.
    public var p50: DifferenceEstimate
    /// Difference of the p99s (arm − baseline) with its 95 % bootstrap interval, µs.
    public var p99: DifferenceEstimate

    /// A phase's differences from their parts.
    public init(p50: DifferenceEstimate, p99: DifferenceEstimate) {
        self.p50 = p50
        self.p99 = p99
    }

    enum CodingKeys: String, CodingKey { case p50, p99 }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let zero = DifferenceEstimate(estimate: 0, ciLow: 0, ciHigh: 0, samples: 0)
        self.init(p50: try c(.p50, zero), p99: try c(.p99, zero))
    }
}

/// What tracing costs in one arm, against the baseline arm.
public struct ArmOverhead: Codable, Sendable, Equatable {
    /// The baseline arm, the first of `overhead.arms` (`off` when absent).
    public var baseline: String
    /// Inline: API server time per request (tracing middleware, `redis-submit-job`, context injection).
    public var perRequestUs: OverheadFigure
    /// Inline: worker time per job from claim to result (context extraction and every worker span). Absent (not
    /// measured) in black-box runs: tracebench cannot time the user's workers.
    public var perJobUs: OverheadFigure?
    /// `per_job_us` ÷ worker spans per job; absent when `per_job_us` is.
    public var perSpanUs: OverheadFigure?
    /// Worker spans per finished job of this arm (warm-up excluded), mean; absent when `per_job_us` is.
    public var spansPerJob: Double?
    /// Inline phases as the client and ledger see them: `submit`, `queue_and_processing`, `end_to_end`.
    public var phases: [String: PhaseDifference]
    /// Resource phase (block A/B): extra CPU µs per job of the API and workers, exporter included.
    public var cpuUsPerJob: DifferenceEstimate?
    /// Resource phase: extra peak RSS of the API and workers together.
    public var rssDeltaBytes: DifferenceEstimate?

    /// An arm's overhead from its parts.
    public init(baseline: String, perRequestUs: OverheadFigure, perJobUs: OverheadFigure?, perSpanUs: OverheadFigure?,
                spansPerJob: Double?, phases: [String: PhaseDifference], cpuUsPerJob: DifferenceEstimate?, rssDeltaBytes: DifferenceEstimate?) {
        self.baseline = baseline
        self.perRequestUs = perRequestUs
        self.perJobUs = perJobUs
        self.perSpanUs = perSpanUs
        self.spansPerJob = spansPerJob
        self.phases = phases
        self.cpuUsPerJob = cpuUsPerJob
        self.rssDeltaBytes = rssDeltaBytes
    }

    enum CodingKeys: String, CodingKey {
        case baseline, perRequestUs = "per_request_us", perJobUs = "per_job_us", perSpanUs = "per_span_us"
        case spansPerJob = "spans_per_job", phases, cpuUsPerJob = "cpu_us_per_job", rssDeltaBytes = "rss_delta_bytes"
    }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let zero = OverheadFigure(estimate: 0, ciLow: 0, ciHigh: 0, p99Estimate: 0, samples: 0)
        self.init(baseline: try c(.baseline, "off"), perRequestUs: try c(.perRequestUs, zero),
                  perJobUs: try c.decodeIfPresent(OverheadFigure.self, forKey: .perJobUs),
                  perSpanUs: try c.decodeIfPresent(OverheadFigure.self, forKey: .perSpanUs),
                  spansPerJob: try c.decodeIfPresent(Double.self, forKey: .spansPerJob), phases: try c(.phases, [:]),
                  cpuUsPerJob: try c.decodeIfPresent(DifferenceEstimate.self, forKey: .cpuUsPerJob),
                  rssDeltaBytes: try c.decodeIfPresent(DifferenceEstimate.self, forKey: .rssDeltaBytes))
    }
}

/// One block of the resource phase: one arm's processes alone for `block_seconds`.
public struct ResourceBlock: Codable, Sendable, Equatable {
    /// The block's number, from 0: an arm's block is paired with the baseline's of the same number.
    public var block: Int
    /// The arm (tracing mode) whose processes ran alone in the block.
    public var arm: String
    /// Jobs the API accepted during the block.
    public var jobs: Int
    /// CPU seconds of the API and workers.
    public var cpuSeconds: Double
    /// Sum of the API's and workers' peak RSS.
    public var peakRssBytes: UInt64

    /// A block from its parts.
    public init(block: Int, arm: String, jobs: Int, cpuSeconds: Double, peakRssBytes: UInt64) {
        self.block = block
        self.arm = arm
        self.jobs = jobs
        self.cpuSeconds = cpuSeconds
        self.peakRssBytes = peakRssBytes
    }

    enum CodingKeys: String, CodingKey { case block, arm, jobs, cpuSeconds = "cpu_seconds", peakRssBytes = "peak_rss_bytes" }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(block: try c(.block, 0), arm: try c(.arm, ""), jobs: try c(.jobs, 0), cpuSeconds: try c(.cpuSeconds, 0),
                  peakRssBytes: try c(.peakRssBytes, 0))
    }

    /// CPU µs per accepted job, `cpu_seconds` × 10⁶ ÷ `jobs` (0 without jobs).
    public var cpuMicrosPerJob: Double { jobs > 0 ? cpuSeconds * 1e6 / Double(jobs) : 0 }
}

/// The design document's overhead promises and each arm's verdict.
public struct Budgets: Codable, Sendable, Equatable {
    /// "<5 ms added latency per request" (today) and "<2 ms" (target).
    public var currentMs = 5.0
    /// The target budget, ms of added latency per request.
    public var targetMs = 2.0
    /// Per arm: `meets_target`, `meets_current` or `over_budget`, judged by the threshold engine on the per-request
    /// interval (``Judge/budgetVerdict(perRequest:budgets:)``): a verdict holds with 95 % confidence.
    public var verdicts: [String: String] = [:]

    /// The design document's budgets (5 ms now, 2 ms target), with no verdict yet.
    public init() {}

    enum CodingKeys: String, CodingKey { case currentMs = "current_ms", targetMs = "target_ms", verdicts }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        currentMs = try c(.currentMs, 5)
        targetMs = try c(.targetMs, 2)
        verdicts = try c(.verdicts, [:])
    }
}
