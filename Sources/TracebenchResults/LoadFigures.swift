import TracebenchMeasure

/// The load generator's own precision: how far behind its schedule it dispatched each arrival (`load.lag`). A
/// generator that cannot keep its schedule measures itself, not the system; this says whether it did.
public struct LoadFigures: Codable, Sendable, Equatable {
    /// Intended instant → the send dispatched, per admitted arrival (µs; HdrHistogram summary and encoding). Arrivals
    /// dispatched more than 1 ms late are also counted in `jobs.late_starts`.
    public var lag: LatencySummary

    public init(lag: LatencySummary) {
        self.lag = lag
    }

    enum CodingKeys: String, CodingKey { case lag }

    /// Reads any schema version; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        lag = try c(.lag, LatencyHistogram().summary())
    }
}
