import Testing
import TracebenchMeasure
import TracebenchScenario

/// Shares of one schedule for several agents (issue 15's execution segments): disjoint, their union the single-host
/// schedule exactly, each within one arrival of its weight everywhere; and latency histograms split over agents merge
/// back exactly through their V2 encoding.
@Suite("schedule shares", .computeOnly)
struct ScheduleSharesTests {
    static let loads: [LoadSpec] = {
        [LoadSpec(arrival: .constant, ratePerSecond: 97), LoadSpec(arrival: .poisson, ratePerSecond: 133),
         LoadSpec(arrival: .ramp, fromPerSecond: 10, toPerSecond: 250),
         LoadSpec(arrival: .steps, steps: [LoadSpec.Step(ratePerSecond: 50, durationSeconds: 3), LoadSpec.Step(ratePerSecond: 200, durationSeconds: 4)])]
    }()

    @Test("every arrival kind, 1, 2, 3 and 7 agents, equal and weighted, three seeds: disjoint, union == the single-host schedule, fair at every prefix",
          arguments: [[1], [1, 1], [1, 1, 1], [1, 1, 1, 1, 1, 1, 1], [3, 1], [5, 2, 1]])
    func sharesPartitionTheSchedule(weights: [Int]) throws {
        let shares = try #require(ScheduleShares(weights: weights))
        let total = Double(weights.reduce(0, +))
        for load in Self.loads {
            for seed: UInt64 in [1, 7, 2026] {
                let schedule = ArrivalSchedule(load: load, durationSeconds: 8, seed: seed)
                let parts = weights.indices.map { shares.indices(of: $0, in: schedule) }
                // Disjoint, and together every arrival once: merged in order they are 0 ..< count.
                #expect(parts.joined().sorted() == Array(0 ..< schedule.count))
                #expect(parts.map(\.count).reduce(0, +) == schedule.count)
                // The union's offsets are the single-host offsets, bit for bit.
                let union = parts.joined().sorted().map { schedule.offsetsNanos[$0] }
                #expect(union == schedule.offsetsNanos)
                // Within one arrival of each share's exact proportion at every prefix.
                let owners = shares.owners(count: schedule.count)
                var counts = [Int](repeating: 0, count: weights.count)
                for (n, owner) in owners.enumerated() {
                    counts[owner] += 1
                    for share in weights.indices {
                        #expect(abs(Double(counts[share]) - Double(n + 1) * Double(weights[share]) / total) < 1.0 + 1e-9)
                    }
                }
            }
        }
    }

    @Test("no share, or a weight that is not positive, is refused")
    func badWeights() {
        #expect(ScheduleShares(weights: []) == nil && ScheduleShares(weights: [1, 0]) == nil && ScheduleShares(weights: [-1]) == nil)
        #expect(ScheduleShares(equal: 0) == nil && ScheduleShares(equal: 3)?.weights == [1, 1, 1])
    }

    @Test("latencies split over N agents' histograms merge to the single histogram, bucket for bucket, through V2", arguments: [1, 2, 3, 7])
    func mergeIsExact(agents: Int) throws {
        var reference = LatencyHistogram()
        var parts = [LatencyHistogram](repeating: LatencyHistogram(), count: agents)
        var random = SeededGenerator(seed: UInt64(agents))
        for index in 0 ..< 20_000 {
            let value = Int64(random.nextUnit() * random.nextUnit() * 5_000_000)
            reference.record(microseconds: value)
            parts[index % agents].record(microseconds: value)
        }
        var merged = LatencyHistogram()
        for part in parts { merged.merge(try LatencyHistogram(encoded: part.encoded())) }
        #expect(merged.encoded() == reference.encoded())
        // Percentiles are bucket values, the same; the max and mean of decoded histograms are known to bucket precision.
        let a = merged.summary(), b = reference.summary()
        #expect(a.count == b.count && a.p50 == b.p50 && a.p90 == b.p90 && a.p99 == b.p99)
        #expect(abs(Double(a.max) - Double(b.max)) <= Double(b.max) * 0.001 && abs(a.mean - b.mean) <= b.mean * 0.001)
    }
}
