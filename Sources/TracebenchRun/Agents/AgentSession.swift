import Foundation
import TracebenchMeasure
import TracebenchRedis
import TracebenchScenario

/// `tracebench agent` (issue 15): one host's load generator in multi-host runs. It waits on the control Redis for a
/// run (``ControlKeys/current``), claims a share, measures its clock offset, arms, starts at the coordinator's `t0`,
/// offers its share of the one schedule and reports each interval as soon as every arrival in it is answered, renews
/// its heartbeat every second, and waits for the next run. A coordinator whose heartbeat expired (or a run stopped)
/// makes it stop offering; a lost coordinator ends it with a failure.
public enum AgentSession {
    /// How the agent runs.
    public struct Options: Sendable {
        public var control: RedisURL
        public var name: String
        /// Take part in one run, then return.
        public var once = false
        /// Return after this long without a run to join (nil: wait for ever).
        public var idleSeconds: Double?
        /// Test only: added to every reading of this host's clock (a skewed host), to be measured back.
        public var clockSkewMicros: Int64 = 0
        /// Test only: the share starts this long after `t0` (a host slow to start), its first arrival that late.
        public var holdStartMicros: Int64 = 0
        /// This program, to start worker processes (`roles: [workers]`).
        public var executablePath = CommandLine.arguments.first ?? "tracebench"
        /// Where progress lines go (stderr in the CLI).
        public var log: @Sendable (String) -> Void = { _ in }
        public init(control: RedisURL, name: String) {
            self.control = control
            self.name = name
        }
    }

    /// How the agent ended.
    public enum Ending: Sendable, Equatable {
        /// Took part in the runs it found (or none before its idle time) and each ended.
        case finished(runs: Int)
        /// A run's coordinator stopped renewing its heartbeat mid-run.
        case coordinatorLost(run: String)
        case interrupted
        case controlFailed(String)
    }

    /// Serves runs until `once` is satisfied, the idle time passes, SIGINT/SIGTERM, or a failure.
    public static func serve(_ options: Options, handleSignals: Bool = false) async -> Ending {
        let stop = StopSignal()
        if handleSignals { stop.listenForSignals() }
        defer { stop.stopListening() }
        let connection: ControlConnection
        do {
            connection = try ControlConnection(url: options.control)
        } catch {
            return .controlFailed("the control Redis \(options.control.redacted): \(error)")
        }
        var joined: Set<String> = []
        var runs = 0
        var idleSince = ContinuousClock.now
        while !stop.isRaised {
            if let idle = options.idleSeconds, ContinuousClock.now - idleSince > .clampedSeconds(idle) { return .finished(runs: runs) }
            let current: String?
            do {
                current = try connection.command(["GET", ControlKeys.current]).orThrow().string
            } catch {
                return .controlFailed("the control Redis \(options.control.redacted): \(error)")
            }
            guard let run = current, !joined.contains(run) else {
                try? await Task.sleep(for: .milliseconds(100))
                continue
            }
            joined.insert(run)
            let keys = ControlKeys(run: run)
            let part: AgentShareRun
            do throws(RedisError) {
                guard let text = try connection.command(["GET", keys.spec]).orThrow().string,
                      let spec = try? JSONDecoder().decode(AgentRunSpec.self, from: Data(text.utf8)) else {
                    options.log("run \(run): no readable run description; skipped")
                    continue
                }
                let queue = ShareQueue(connection: connection, keys: keys)
                var claim = try queue.claim(agent: options.name)
                if claim == nil { claim = try queue.takeOver(agent: options.name, idleMillis: 3000) }
                guard let claim else {
                    options.log("run \(run): every share is taken; waiting for the next run")
                    continue
                }
                if spec.runsWorkers {
                    options.log("run \(run): share \(claim.share) of \(spec.agents.count), \(spec.agents.workers) workers")
                    let ending = await AgentWorkersRun(spec: spec, claim: claim, keys: keys, options: options, stop: stop).run()
                    runs += 1
                    idleSince = ContinuousClock.now
                    guard case .finished = ending else { return ending }
                    if options.once { return .finished(runs: runs) }
                    continue
                }
                part = AgentShareRun(spec: spec, claim: claim, keys: keys, options: options, stop: stop)
            } catch {
                return .controlFailed("the control Redis \(options.control.redacted): \(error)")
            }
            options.log("run \(run): share \(part.claim.share) of \(part.spec.agents.count)")
            let ending = await part.run()
            runs += 1
            idleSince = ContinuousClock.now
            switch ending {
            case .finished: options.log("run \(run): share \(part.claim.share) reported")
            default: return ending
            }
            if options.once { return .finished(runs: runs) }
        }
        return .interrupted
    }
}
