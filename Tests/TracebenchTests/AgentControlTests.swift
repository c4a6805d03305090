import Foundation
import Testing
import TracebenchMeasure
import TracebenchRedis
import TracebenchScenario
@testable import TracebenchRun

/// Issue 15's control plane through a real redis-server: shares claimed from a consumer group (taken over only
/// while unacknowledged), interval reports streamed and merged exactly, duplicates and mismatched layouts refused.
@Suite("agents' control Redis")
struct AgentControlTests {
    /// A deterministic "submit latency" for arrival `index` (µs), spread over four decades.
    static func latency(_ index: Int) -> Int64 { Int64(50 + (index &* 7919) % 40_000) }

    @Test("three agents claim the three shares once each; a fourth finds none; a share claimed by an agent that died before the start is taken over, never after")
    func claims() throws {
        let server = try RedisServer()
        let keys = ControlKeys(run: "r{1}")
        #expect(keys.shares == "{tb:r_1_}:shares")
        let queue = ShareQueue(connection: try ControlConnection(url: server.url), keys: keys)
        try queue.publish(weights: [3, 1, 1])
        let claims = try ["a", "b", "c"].map { try #require(try queue.claim(agent: $0)) }
        #expect(claims.map(\.share) == [0, 1, 2] && claims.map(\.weight) == [3, 1, 1])
        #expect(try queue.claim(agent: "d") == nil)
        // "a" and "b" start (acknowledge); "c" dies before the start: after 200 ms idle its share is "d"'s, once.
        try queue.acknowledge(claims[0])
        try queue.acknowledge(claims[1])
        #expect(try queue.takeOver(agent: "d", idleMillis: 10_000) == nil, "not idle long enough")
        Thread.sleep(forTimeInterval: 0.3)
        let taken = try #require(try queue.takeOver(agent: "d", idleMillis: 200))
        #expect(taken == claims[2])
        try queue.acknowledge(taken)
        Thread.sleep(forTimeInterval: 0.3)
        #expect(try queue.takeOver(agent: "e", idleMillis: 200) == nil, "an acknowledged share is never reassigned")
    }

    @Test("three agents stream their shares' intervals through Redis; the merge equals one host's figures interval by interval, bucket by bucket")
    func mergeIsExact() throws {
        let server = try RedisServer()
        let keys = ControlKeys(run: "merge")
        let connection = try ControlConnection(url: server.url)
        let schedule = ArrivalSchedule(load: LoadSpec(arrival: .poisson, ratePerSecond: 400), durationSeconds: 5, seed: 9)
        let shares = try #require(ScheduleShares(weights: [2, 1, 1]))
        func interval(_ index: Int) -> Int { Int(schedule.offsetsNanos[index] / 1_000_000_000) }

        // The single host: every arrival, accepted unless its index is a multiple of 13 (an error).
        var reference: [Int: (sent: Int, accepted: Int, errors: Int, histogram: LatencyHistogram)] = [:]
        for index in 0..<schedule.count {
            var slot = reference[interval(index)] ?? (0, 0, 0, LatencyHistogram())
            slot.sent += 1
            if index % 13 == 0 { slot.errors += 1 } else { slot.accepted += 1; slot.histogram.record(microseconds: Self.latency(index)) }
            reference[interval(index)] = slot
        }

        // Each agent offers its share and reports each interval on the stream.
        for share in 0..<3 {
            var mine: [Int: (sent: Int, accepted: Int, errors: Int, histogram: LatencyHistogram)] = [:]
            for index in shares.indices(of: share, in: schedule) {
                var slot = mine[interval(index)] ?? (0, 0, 0, LatencyHistogram())
                slot.sent += 1
                if index % 13 == 0 { slot.errors += 1 } else { slot.accepted += 1; slot.histogram.record(microseconds: Self.latency(index)) }
                mine[interval(index)] = slot
            }
            for (number, slot) in mine {
                let report = IntervalReport(agent: "agent-\(share)", share: share, interval: number, planned: slot.sent, sent: slot.sent,
                                            accepted: slot.accepted, errors: slot.errors, latency: slot.histogram)
                try connection.command(["XADD", keys.intervals, "*"] + report.fields).orThrow()
            }
        }

        // The coordinator reads the stream back and merges.
        var merge = IntervalMerge()
        let entries = try #require(try connection.command(["XRANGE", keys.intervals, "-", "+"]).orThrow().array)
        for entry in entries {
            let raw = try #require(entry.array?[1].array)
            let fields = raw.compactMap(\.string)
            let pairs = stride(from: 0, to: fields.count - 1, by: 2).map { (fields[$0], fields[$0 + 1]) }
            let report = try #require(IntervalReport(fields: Dictionary(pairs, uniquingKeysWith: { $1 })))
            try merge.add(report)
        }
        #expect(Set(merge.intervals.keys) == Set(reference.keys))
        for (number, expected) in reference {
            let merged = try #require(merge.intervals[number])
            #expect(merged.sent == expected.sent && merged.accepted == expected.accepted && merged.errors == expected.errors, "interval \(number)")
            let counts = try HdrV2Codec.decode(base64: expected.histogram.encoded()).counts
            func trimmed(_ c: [UInt64]) -> [UInt64] { Array(c[..<((c.lastIndex { $0 != 0 } ?? -1) + 1)]) }
            #expect(trimmed(merged.counts) == trimmed(counts), "interval \(number): buckets differ")
        }

        // A redelivered report is refused, not counted twice; so is a histogram of another layout.
        let again = IntervalReport(agent: "agent-0", share: 0, interval: 0, sent: 1, latency: LatencyHistogram())
        #expect(throws: IntervalMerge.Refusal.duplicate(share: 0, interval: 0)) { try merge.add(again) }
        var foreign = again
        foreign.share = 9
        foreign.latency = HdrV2Codec.encodeBase64(layout: try HdrLayout(lowestDiscernibleValue: 1, highestTrackableValue: 1000, significantDigits: 2), counts: [1])
        #expect(throws: IntervalMerge.Refusal.layoutMismatch(share: 9, interval: 0)) { try merge.add(foreign) }
        #expect(!merge.reported.contains([9, 0]))
    }
}
