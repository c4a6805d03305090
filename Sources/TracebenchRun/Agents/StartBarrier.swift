import TracebenchMeasure
import TracebenchRedis

/// The synchronized start of a multi-host run (issue 15): each agent measures its clock offset to the control Redis
/// and arms (writes it under its name); the coordinator waits until every agent has armed — or fails the run at its
/// timeout — then publishes `t0` on the control Redis's clock, a lead time ahead; each agent turns `t0` into its own
/// wall clock through its offset. What each agent's offset uncertainty was is kept for the results.
struct StartBarrier: Sendable {
    /// One armed agent: its name and clock offset.
    struct Armed: Sendable, Equatable {
        var agent: String
        var offset: ClockOffset
    }

    /// Why the start did not happen.
    enum Failure: Error, Equatable {
        /// Fewer agents armed than expected before the timeout (the ones that did are named).
        case notArmed(expected: Int, armed: [String])
        /// No `t0` came before the agent's timeout (the coordinator is gone).
        case noStart
        case redis(String)
    }

    let connection: ControlConnection
    let keys: ControlKeys

    /// An agent: says it is ready, with its offset.
    func arm(agent: String, offset: ClockOffset) throws(Failure) {
        do {
            try connection.command(["HSET", keys.armed, agent, "\(offset.offsetMicros) \(offset.uncertaintyMicros) \(offset.samples)"]).orThrow()
        } catch {
            throw .redis("\(error)")
        }
    }

    /// The coordinator: waits (polling every `period`) until `count` agents armed or `timeout` passed; then publishes
    /// `t0` = the control clock now + `lead` (µs since the epoch, control clock) and returns it with every agent's offset.
    func start(count: Int, timeout: Duration, lead: Duration = .milliseconds(500), period: Duration = .milliseconds(20)) async throws(Failure) -> (t0Micros: Int64, armed: [Armed]) {
        let deadline = ContinuousClock.now + timeout
        var armed: [Armed] = []
        do {
            while true {
                armed = try Self.parse(connection.command(["HGETALL", keys.armed]).orThrow().hash ?? [:])
                if armed.count >= count || ContinuousClock.now >= deadline { break }
                try? await Task.sleep(for: period)
            }
            guard armed.count >= count else { throw Failure.notArmed(expected: count, armed: armed.map(\.agent).sorted()) }
            let t0 = try connection.serverTimeMicros() + Int64(lead / .microseconds(1))
            try connection.command(["SET", keys.start, String(t0)]).orThrow()
            return (t0, armed.sorted { $0.agent < $1.agent })
        } catch let failure as Failure {
            throw failure
        } catch {
            throw .redis("\(error)")
        }
    }

    /// An agent: waits (polling every `period`) for `t0` and returns it on this host's wall clock (µs since the epoch),
    /// or fails at `timeout` (or once `stop` is raised).
    func waitForStart(offset: ClockOffset, timeout: Duration, period: Duration = .milliseconds(5), stop: StopSignal? = nil) async throws(Failure) -> Int64 {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline, stop?.isRaised != true {
            let reply: RedisReply
            do {
                reply = try connection.command(["GET", keys.start]).orThrow()
            } catch {
                throw .redis("\(error)")
            }
            if let t0 = reply.int { return t0 - offset.offsetMicros }
            try? await Task.sleep(for: period)
        }
        throw .noStart
    }

    private static func parse(_ fields: [String: String]) -> [Armed] {
        fields.compactMap { agent, value in
            let parts = value.split(separator: " ").compactMap { Int64($0) }
            guard parts.count == 3 else { return nil }
            return Armed(agent: agent, offset: ClockOffset(offsetMicros: parts[0], uncertaintyMicros: parts[1], samples: Int(parts[2])))
        }
    }
}
