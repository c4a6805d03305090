import Foundation
import Synchronization
import TracebenchMeasure
import TracebenchRedis
import TracebenchResults
import TracebenchScenario

/// The coordinator's side of a multi-host run (issue 15): publishes the run and its shares on the control Redis,
/// waits until every agent armed and publishes `t0`, then follows the agents' interval reports — each merged exactly
/// into the run's own tally (``TargetLoad/absorb(_:)``: accepted jobs by index, histograms bucket by bucket) — and
/// their heartbeats, until every share is done or lost. What each agent did, and what a lost one did not, becomes
/// `load.agents`.
final class AgentFleet: Sendable {
    let spec: AgentRunSpec
    let keys: ControlKeys
    private let connection: ControlConnection
    private let beats: ControlConnection
    private let heartbeat: Mutex<Task<Void, Never>?> = Mutex(nil)
    /// The start: `t0` on this host's wall clock (µs), and every armed agent.
    private let started: Mutex<(startMicros: Int64, armed: [StartBarrier.Armed])?> = Mutex(nil)

    /// Connects to the control Redis of `spec` (two connections: one for the coordinator's heartbeat).
    init(spec: AgentRunSpec) throws(RedisError) {
        self.spec = spec
        keys = ControlKeys(run: spec.runID)
        let url = try RedisURL(parsing: spec.agents.control)
        connection = try ControlConnection(url: url)
        beats = try ControlConnection(url: url)
    }

    /// How long the run's keys stay on the control Redis (for a post-mortem), and the run announcement at most.
    private var keysLifetimeMillis: Int {
        Int((spec.agents.armTimeoutSeconds + spec.scenario.durationSeconds + 120) * 1000)
    }

    /// Publishes the run, renews the coordinator's heartbeat every second, waits for every agent to arm (or fails at
    /// `arm_timeout_s`), publishes `t0`. Returns `t0` on this host's wall clock (µs); `load` is told the schedule.
    func start(load: TargetLoad, schedule: ArrivalSchedule) async throws(RunFailureReason) -> Int64 {
        let startMicros = try await publishAndArm()
        load.expect(schedule: schedule, startMicros: startMicros)
        return startMicros
    }

    /// Publishes the run and waits for every agent to arm (roles [workers]: each once its workers are ready).
    @discardableResult
    func publishAndArm() async throws(RunFailureReason) -> Int64 {
        let keys = keys, beats = beats
        let lifetime = String(keysLifetimeMillis)
        let beating = Task {
            while !Task.isCancelled {
                _ = try? beats.command(["SET", keys.coordinator, "1", "PX", "3000"])
                // Every key of the run outlives a killed coordinator by 10 minutes at most.
                for key in keys.runKeys { _ = try? beats.command(["PEXPIRE", key, "600000"]) }
                try? await Task.sleep(for: .seconds(1))
            }
        }
        heartbeat.withLock { $0 = beating }
        do throws(RedisError) {
            _ = try beats.command(["SET", keys.coordinator, "1", "PX", "3000"]).orThrow()
            let json = String(decoding: (try? JSONEncoder().encode(spec)) ?? Data(), as: UTF8.self)
            try connection.command(["SET", keys.spec, json, "PX", lifetime]).orThrow()
            try ShareQueue(connection: connection, keys: keys).publish(weights: spec.agents.weights)
            try connection.command(["SET", ControlKeys.current, spec.runID, "PX", lifetime]).orThrow()
        } catch {
            throw RunFailureReason(.componentFailed, "the control Redis \(spec.agents.control): \(error)")
        }
        let barrier = StartBarrier(connection: connection, keys: keys)
        do {
            let own = try ClockOffset.measure(connection)
            let (t0, armed) = try await barrier.start(count: spec.agents.count, timeout: .clampedSeconds(spec.agents.armTimeoutSeconds))
            let startMicros = t0 - (own?.offsetMicros ?? 0)
            started.withLock { $0 = (startMicros, armed) }
            return startMicros
        } catch let failure as StartBarrier.Failure {
            switch failure {
            case let .notArmed(expected, armed):
                throw RunFailureReason(.componentFailed, "only \(armed.count) of \(expected) agents armed within \(spec.agents.armTimeoutSeconds) s"
                                       + (armed.isEmpty ? "" : " (\(armed.joined(separator: ", ")))") + ": is tracebench agent --control running on every host?")
            case .noStart, .redis:
                throw RunFailureReason(.componentFailed, "the control Redis \(spec.agents.control): \(failure)")
            }
        } catch {
            throw RunFailureReason(.componentFailed, "the control Redis \(spec.agents.control): \(error)")
        }
    }

    /// Roles [workers]: the run is over — agents stop their workers (their exporters flush) and say how they ended.
    func finishWorkers() async -> (figures: AgentFigures, problems: [Problem]) {
        _ = try? connection.command(["SET", keys.stop, "1", "PX", String(keysLifetimeMillis)])
        let grace = spec.scenario.tracing.batch.exportTimeoutMs / 1000 + 20
        return await follow(load: nil, schedule: ArrivalSchedule(load: LoadSpec(), durationSeconds: 0, seed: 0), stop: StopSignal(),
                            deadlineMicros: WallClock.nowMicros() + Int64(grace) * 1_000_000)
    }

    /// Follows the reports until every share is done or lost, or the run's deadline; `stop` raised is passed on to the
    /// agents. Returns what each agent did and the problems met.
    func follow(load: TargetLoad?, schedule: ArrivalSchedule, stop: StopSignal, deadlineMicros: Int64? = nil) async -> (figures: AgentFigures, problems: [Problem]) {
        guard let (startMicros, armed) = started.withLock({ $0 }) else { return (AgentFigures(), []) }
        var follower = FleetFollower(spec: spec, schedule: schedule, armed: armed.map(\.agent))
        let deadlineMicros = deadlineMicros ?? startMicros + Int64((spec.scenario.durationSeconds + 45) * 1e6)
        var stopSent = false
        var lastLook = ContinuousClock.now - .seconds(1)
        var cursor = "0-0"
        var failingSince: ContinuousClock.Instant?
        while !follower.allAccounted {
            if stop.isRaised, !stopSent {
                _ = try? connection.command(["SET", keys.stop, "1", "PX", String(keysLifetimeMillis)])
                stopSent = true
            }
            do throws(RedisError) {
                let entries = Self.entries(try connection.command(["XREAD", "COUNT", "200", "STREAMS", keys.intervals, cursor]).orThrow())
                for (id, fields) in entries {
                    cursor = id
                    if let outcome = follower.take(fields) { load?.absorb(outcome) }
                }
                if ContinuousClock.now - lastLook >= .seconds(1) {
                    lastLook = ContinuousClock.now
                    follower.hosts(try connection.command(["HGETALL", keys.hosts]).orThrow().hash ?? [:])
                    let loss = AgentLoss(connection: connection, keys: keys)
                    for agent in follower.running { follower.beat(agent, try loss.lastBeat(agent: agent)) }
                }
                if entries.isEmpty {
                    if WallClock.nowMicros() > deadlineMicros { follower.giveUp(reason: "did not say it was done in time") }
                    try? await Task.sleep(for: .milliseconds(50))
                }
                failingSince = nil
            } catch {
                // A restart of the control Redis is waited out; one that stays away ends the run.
                let since = failingSince ?? ContinuousClock.now
                failingSince = since
                if ContinuousClock.now - since > .seconds(10) { follower.giveUp(reason: "the control Redis failed for 10 s: \(error)") }
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        return follower.results()
    }

    /// Ends the coordinator's part: its heartbeat stops, the run is no longer announced, its keys expire later.
    func close() {
        heartbeat.withLock { $0?.cancel() }
        if (try? connection.command(["GET", ControlKeys.current]).orThrow().string) == spec.runID { _ = try? connection.command(["DEL", ControlKeys.current]) }
        for key in keys.runKeys { _ = try? connection.command(["PEXPIRE", key, "600000"]) }
        _ = try? connection.command(["DEL", keys.coordinator])
    }

    /// XREAD's entries as (id, fields).
    private static func entries(_ reply: RedisReply) -> [(String, [String: String])] {
        guard let stream = reply.array?.first?.array, stream.count == 2, let items = stream[1].array else { return [] }
        return items.compactMap(ControlConnection.streamEntry)
    }
}

/// A problem that ends a run before its load (a kind and a sentence).
struct RunFailureReason: Error, CustomStringConvertible {
    var problem: Problem
    init(_ kind: ProblemKind, _ message: String) { problem = Problem(kind, message) }
    var description: String { problem.message }
}
