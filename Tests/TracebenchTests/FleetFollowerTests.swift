import Testing
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
@testable import TracebenchRun

/// The coordinator's bookkeeping of a multi-host run without Redis: reports built the way agents build them, fed in
/// any order, duplicated, damaged, cut short — the figures and problems must say exactly what happened.
@Suite("multi-host bookkeeping", .computeOnly)
struct FleetFollowerTests {
    static func spec(weights: [Int] = [1, 1], seconds: Int = 4) throws -> AgentRunSpec {
        let yaml = AgentRunTests.yaml(url: "http://127.0.0.1:9/ok", control: "redis://127.0.0.1:6379", count: weights.count, weights: weights, seconds: seconds)
        return AgentRunSpec(runID: "r", scenario: try ScenarioLoader.parse(yaml: yaml, file: "f.yaml"), values: [:])
    }

    /// Every interval of `share` answered: accepted unless the index is a multiple of 7 (an error), latency = index µs.
    static func reports(agent: String, share: Int, of spec: AgentRunSpec, schedule: ArrivalSchedule) -> [[String: String]] {
        let intervals = spec.intervals(of: share, in: schedule)
        let observer = intervals.observer
        for index in intervals.share {
            observer.dispatched(index, 10)
            observer.resolved(index, index % 7 == 0 ? "HTTP 500" : nil, Int64(index))
        }
        return intervals.takeReady(loadEnded: false).map { k, interval in
            var report = IntervalReport(agent: agent, share: share, interval: k, planned: intervals.planned(k), sent: interval.sent,
                                        accepted: interval.accepted, errors: interval.errors, dropped: interval.dropped,
                                        latency: interval.latency ?? LatencyHistogram())
            report.acceptedBits = ShareIntervals.encode(bits: interval.acceptedBits)
            report.lag = interval.lag?.encoded() ?? ""
            report.firstLateMicros = 10
            return Dictionary(uniqueKeysWithValues: stride(from: 0, to: report.fields.count, by: 2).map { (report.fields[$0], report.fields[$0 + 1]) })
        }
    }

    @Test("reports in any order, one duplicated: every accepted arrival once, by its schedule index, errors and histograms exact")
    func exactMerge() throws {
        let spec = try Self.spec()
        let schedule = spec.schedule
        var follower = FleetFollower(spec: spec, schedule: schedule, armed: ["a", "b"])
        var entries = Self.reports(agent: "a", share: 0, of: spec, schedule: schedule) + Self.reports(agent: "b", share: 1, of: spec, schedule: schedule)
        entries.append(entries[1])  // redelivered
        var accepted: [Int] = [], latency = LatencyHistogram(), errors = 0
        for fields in entries.reversed() {
            if let outcome = follower.take(fields) {
                accepted += outcome.accepted
                latency.merge(outcome.submitLatency)
                errors += outcome.errors
            }
        }
        for agent in ["a", "b"] { _ = follower.take(["kind": "done", "agent": agent]) }
        #expect(follower.allAccounted)
        let expected = (0 ..< schedule.count).filter { $0 % 7 != 0 }
        #expect(accepted.sorted() == expected && errors == schedule.count - expected.count)
        var reference = LatencyHistogram()
        for index in expected { reference.record(microseconds: Int64(index)) }
        #expect(latency.buckets.map(\.count) == reference.buckets.map(\.count) && latency.count == reference.count)
        let (figures, problems) = follower.results()
        #expect(problems.isEmpty, "\(problems)")
        #expect(figures.agents.map(\.planned).reduce(0, +) == schedule.count && figures.agents.allSatisfy { $0.intervalsReported == 4 })
    }

    @Test("an agent done with intervals missing, a lost one split into unknown and not offered by its last heartbeat, a report with a foreign layout refused")
    func gapsLossAndRefusals() throws {
        let spec = try Self.spec(weights: [1, 1, 1])
        let schedule = spec.schedule
        var follower = FleetFollower(spec: spec, schedule: schedule, armed: ["a", "b", "c"])
        let a = Self.reports(agent: "a", share: 0, of: spec, schedule: schedule)
        for fields in a where fields["interval"] != "2" { _ = follower.take(fields) }
        _ = follower.take(["kind": "done", "agent": "a"])
        // b reports its first two intervals, its last heartbeat says 5 more arrivals were dispatched, then it goes silent.
        let b = Self.reports(agent: "b", share: 1, of: spec, schedule: schedule)
        for fields in b.prefix(2) { _ = follower.take(fields) }
        let shareB = spec.intervals(of: 1, in: schedule)
        let reported = shareB.bounds[2]
        follower.beat("b", (lastInterval: 1, dispatched: reported + 5))
        follower.beat("b", nil)
        #expect(follower.running.contains("b"))  // one miss is a restart, not a loss
        follower.beat("b", nil)
        #expect(!follower.running.contains("b"))
        // c's first report carries a histogram of another layout (2 significant digits): refused, never added.
        var foreign = Self.reports(agent: "c", share: 2, of: spec, schedule: schedule)[0]
        foreign["latency"] = HdrV2Codec.encodeBase64(layout: try HdrLayout(lowestDiscernibleValue: 1, highestTrackableValue: 1_000_000, significantDigits: 2),
                                                     counts: [0, 3])
        #expect(follower.take(foreign) == nil)
        for fields in Self.reports(agent: "c", share: 2, of: spec, schedule: schedule).dropFirst() { _ = follower.take(fields) }
        _ = follower.take(["kind": "done", "agent": "c"])
        #expect(follower.allAccounted)
        let (figures, problems) = follower.results()
        let lost = try #require(figures.agents.first { $0.name == "b" })
        #expect(lost.lost && lost.unknownOutcome == 5 && lost.notOffered == shareB.share.count - reported - 5, "\(lost)")
        #expect(problems.contains { $0.kind == .agentLost && $0.message.contains("agent b") && $0.message.contains("\(lost.notOffered) of its arrivals were not offered") })
        #expect(problems.contains { $0.kind == .componentFailed && $0.message.contains("agent a") && $0.message.contains("reported 3 of 4 intervals") })
        #expect(problems.contains { $0.kind == .componentFailed && $0.message.contains("agent c's interval 0") }, "\(problems)")
    }

    @Test("the share's first arrival's lateness is the lowest index's, whichever lane's dispatch is observed first")
    func firstLatenessIsTheFirstArrivals() {
        let intervals = ShareIntervals(share: [1, 3, 5, 7], offsetsNanos: (0 ..< 8).map { UInt64($0) * 10_000_000 }, widthSeconds: 1, intervals: 1)
        #expect(intervals.firstLateMicros == nil)
        intervals.observer.dispatched(5, 180_000)
        intervals.observer.dispatched(8, 1)  // not this share's
        #expect(intervals.firstLateMicros == 180_000)
        intervals.observer.dispatched(1, 220_000)
        intervals.observer.dispatched(3, 200_000)
        #expect(intervals.firstLateMicros == 220_000)
    }
}
