import Foundation
import Testing
import TracebenchRedis
import TracebenchScenario
@testable import TracebenchRun

/// Issue 15's start and loss through a real redis-server: agents with skewed clocks arm and start at the same true
/// instant within their measured uncertainty; a missing agent fails the start; an agent without a coordinator gives
/// up; a silent agent is found lost and its share's remainder counted exactly.
@Suite("agents' start and loss")
struct AgentStartTests {
    @Test("three agents with clocks skewed 0, +300 ms and −200 ms start at the same true instant, each within its own uncertainty", .timeLimit(.minutes(1)))
    func synchronizedStart() async throws {
        let server = try RedisServer()
        let keys = ControlKeys(run: "start")
        let skews: [String: Int64] = ["a": 0, "b": 300_000, "c": -200_000]
        let coordinator = StartBarrier(connection: try ControlConnection(url: server.url), keys: keys)
        let starts = try await withThrowingTaskGroup(of: (String, Int64, ClockOffset).self) { group in
            for (agent, skew) in skews {
                let connection = try ControlConnection(url: server.url)
                group.addTask {
                    let offset = try #require(try ClockOffset.measure(connection, localSkewMicros: skew))
                    let barrier = StartBarrier(connection: connection, keys: keys)
                    try barrier.arm(agent: agent, offset: offset)
                    return (agent, try await barrier.waitForStart(offset: offset, timeout: .seconds(10)), offset)
                }
            }
            let (t0, armed) = try await coordinator.start(count: 3, timeout: .seconds(10))
            #expect(armed.map(\.agent) == ["a", "b", "c"])
            var starts: [(String, Int64, ClockOffset, Int64)] = []
            for try await (agent, local, offset) in group { starts.append((agent, local, offset, t0)) }
            return starts
        }
        for (agent, local, offset, t0) in starts {
            // The agent's clock reads true time + skew: its local t0 minus the skew is the true start.
            let error = local - skews[agent]! - t0
            #expect(abs(error) <= offset.uncertaintyMicros + 1, "\(agent): off by \(error) µs, uncertainty \(offset.uncertaintyMicros) µs")
        }
    }

    @Test("four expected, three armed: the start fails naming who armed; an agent with no coordinator gives up at its timeout")
    func missingAgents() async throws {
        let server = try RedisServer()
        let keys = ControlKeys(run: "missing")
        let connection = try ControlConnection(url: server.url)
        let barrier = StartBarrier(connection: connection, keys: keys)
        for agent in ["x", "y", "z"] { try barrier.arm(agent: agent, offset: ClockOffset(offsetMicros: 0, uncertaintyMicros: 10, samples: 16)) }
        await #expect(throws: StartBarrier.Failure.notArmed(expected: 4, armed: ["x", "y", "z"])) {
            _ = try await barrier.start(count: 4, timeout: .milliseconds(300))
        }
        let alone = StartBarrier(connection: connection, keys: ControlKeys(run: "no-coordinator"))
        await #expect(throws: StartBarrier.Failure.noStart) {
            _ = try await alone.waitForStart(offset: ClockOffset(offsetMicros: 0, uncertaintyMicros: 10, samples: 16), timeout: .milliseconds(200))
        }
    }

    @Test("an agent whose heartbeat stops is lost; its share's arrivals after its last reported interval are the exact remainder", .timeLimit(.minutes(1)))
    func loss() async throws {
        let server = try RedisServer()
        let loss = AgentLoss(connection: try ControlConnection(url: server.url), keys: ControlKeys(run: "loss"), expiry: .seconds(1))
        for agent in ["a", "b", "c"] { try loss.beat(agent: agent, lastInterval: 3) }
        // "a" and "c" keep beating; "b" went silent after reporting interval 3: wait until its key is gone.
        let deadline = ContinuousClock.now + .seconds(20)
        while try loss.lost(among: ["b"]).isEmpty, ContinuousClock.now < deadline {
            try loss.beat(agent: "a", lastInterval: 4)
            try loss.beat(agent: "c", lastInterval: 4)
            try await Task.sleep(for: .milliseconds(100))
        }
        try loss.beat(agent: "a", lastInterval: 4)
        try loss.beat(agent: "c", lastInterval: 4)
        #expect(try loss.lost(among: ["a", "b", "c"]) == ["b"])

        let schedule = ArrivalSchedule(load: LoadSpec(arrival: .poisson, ratePerSecond: 120), durationSeconds: 10, seed: 4)
        let shares = try #require(ScheduleShares(equal: 3))
        let share = 1
        let mine = shares.indices(of: share, in: schedule)
        let beforeCut = mine.count { schedule.offsetsNanos[$0] < 4_000_000_000 }
        let notOffered = AgentLoss.notOffered(share: share, of: shares, in: schedule, lastReported: 3, intervalSeconds: 1)
        #expect(notOffered == mine.count - beforeCut && notOffered > 0 && beforeCut > 0)
    }
}
