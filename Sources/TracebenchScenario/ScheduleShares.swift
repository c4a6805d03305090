/// One schedule split into disjoint shares for several load generators (agents): every agent computes the same global
/// arrival sequence from the scenario and seed, and offers only the arrivals this assigns to its share — k6's
/// execution segments, done by smooth weighted round robin: each arrival in turn goes to the share furthest behind its
/// weight, so every share gets within one arrival of its exact proportion at every point of the schedule, the shares
/// are disjoint, and their union is the single-host schedule, arrival for arrival.
public struct ScheduleShares: Sendable, Equatable {
    /// Each share's weight (positive integers: 1 for equal shares).
    public let weights: [Int]

    /// Shares of `weights`; nil when there is none or a weight is not positive.
    public init?(weights: [Int]) {
        guard !weights.isEmpty, weights.allSatisfy({ $0 > 0 }), weights.reduce(0, { $0.addingReportingOverflow($1).overflow ? .max : $0 + $1 }) < Int.max / 2 else { return nil }
        self.weights = weights
    }

    /// `count` equal shares.
    public init?(equal count: Int) {
        self.init(weights: Array(repeating: 1, count: max(0, count)))
    }

    /// The share of each of the first `count` arrivals (ties go to the lowest share).
    public func owners(count: Int) -> [Int] {
        let total = weights.reduce(0, +)
        var current = [Int](repeating: 0, count: weights.count)
        var owners: [Int] = []
        owners.reserveCapacity(max(0, count))
        for _ in 0 ..< max(0, count) {
            var best = 0
            for share in weights.indices {
                current[share] += weights[share]
                if current[share] > current[best] { best = share }
            }
            current[best] -= total
            owners.append(best)
        }
        return owners
    }

    /// The arrivals of `schedule` that `share` offers, as indices into the whole schedule (job ids and seeds stay
    /// those of the single-host run).
    public func indices(of share: Int, in schedule: ArrivalSchedule) -> [Int] {
        guard weights.indices.contains(share) else { return [] }
        return owners(count: schedule.count).enumerated().compactMap { $0.element == share ? $0.offset : nil }
    }
}
