import TracebenchMeasure

/// Told of each arrival of a load as it happens — dispatched (with its lag), dropped, answered (with its failure, if
/// any, and its latency from the intended start) — by arrival index into the schedule. An agent uses it to account
/// its share by interval; a single-host run has none.
struct ArrivalObserver: Sendable {
    var dispatched: @Sendable (_ index: Int, _ lagMicros: Int64) -> Void
    var dropped: @Sendable (_ index: Int) -> Void
    var resolved: @Sendable (_ index: Int, _ failure: String?, _ latencyMicros: Int64) -> Void
}

/// What another host offered of a run's schedule (one interval of an agent's share), ready to add to this host's
/// tally: accepted arrivals by index, counts, and histograms to merge bucket by bucket.
struct RemoteOutcome: Sendable {
    var accepted: [Int] = []
    var errors = 0
    var lastError = ""
    var dropped = 0
    var lateStarts = 0
    var submitLatency = LatencyHistogram()
    var lag = LatencyHistogram()
}
