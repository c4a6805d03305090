import Foundation
import Synchronization
import TracebenchMeasure
import TracebenchRedis
import TracebenchScenario

/// One agent's part in one multi-host run: measure the clock offset, arm, wait for `t0`, offer the share, report its
/// intervals in order as they complete, and end with a `done` entry saying who and where it was. A heartbeat task
/// renews its key every second (with the last interval reported and the arrivals dispatched, so a loss is counted
/// exactly) and watches the coordinator's.
struct AgentShareRun: Sendable {
    let spec: AgentRunSpec
    let claim: ShareQueue.Claim
    let keys: ControlKeys
    let options: AgentSession.Options
    /// The agent process's own stop (SIGINT/SIGTERM).
    let stop: StopSignal

    /// How long, after the load, reports the control Redis did not take are retried.
    static let reportGrace: Duration = .seconds(15)

    func run() async -> AgentSession.Ending {
        let connection: ControlConnection, beats: ControlConnection, reports: ControlConnection
        do {
            (connection, beats, reports) = (try ControlConnection(url: options.control), try ControlConnection(url: options.control),
                                            try ControlConnection(url: options.control))
        } catch {
            return .controlFailed("the control Redis \(options.control.redacted): \(error)")
        }
        let schedule = spec.schedule
        let intervals = spec.intervals(of: claim.share, in: schedule)
        let loss = AgentLoss(connection: beats, keys: keys)
        let heartbeat = AgentHeartbeat(loss: loss, agent: options.name, processStop: stop) { (intervals.lastReported, intervals.dispatched) }
        let runStop = heartbeat.runStop

        let barrier = StartBarrier(connection: connection, keys: keys)
        let startMicros: Int64
        do {
            guard let offset = try ClockOffset.measure(connection, localSkewMicros: options.clockSkewMicros) else {
                return .controlFailed("the control Redis answered no usable TIME")
            }
            try connection.command(["HSET", keys.hosts, options.name, Self.hostLine(share: claim.share, offset: offset)]).orThrow()
            try barrier.arm(agent: options.name, offset: offset)
            let t0 = try await barrier.waitForStart(offset: offset, timeout: .clampedSeconds(spec.agents.armTimeoutSeconds + 10), stop: runStop)
            try ShareQueue(connection: connection, keys: keys).acknowledge(claim)
            // `t0` on this host's (skewed) clock, back to its real one: a skew is measured, never run on.
            startMicros = t0 - options.clockSkewMicros
            options.log("run \(spec.runID): armed (offset \(offset.offsetMicros) ± \(offset.uncertaintyMicros) µs), starting in "
                        + "\(max(0, startMicros - WallClock.nowMicros()) / 1000) ms")
        } catch let failure as StartBarrier.Failure {
            await heartbeat.end()
            if heartbeat.coordinatorLost { return .coordinatorLost(run: spec.runID) }
            options.log("run \(spec.runID): no start (\(failure))")
            return .finished(runs: 1)
        } catch {
            await heartbeat.end()
            return .controlFailed("the control Redis \(options.control.redacted): \(error)")
        }

        guard let target = spec.scenario.target else { return .controlFailed("run \(spec.runID) has no target") }
        if options.holdStartMicros > 0 {
            try? await Task.sleep(for: .microseconds(max(0, startMicros + options.holdStartMicros - WallClock.nowMicros())))
        }
        let load = TargetLoad(scenario: spec.scenario, target: target, runID: spec.runID, values: spec.values, observer: intervals.observer)
        // Reports go out in order; one the control Redis did not take (it is restarting) waits, with those after it,
        // for the next try — nothing is dropped while the agent lives.
        let reporter = Task { () -> [[String]] in
            var pending: [[String]] = []
            while !Task.isCancelled {
                pending = send(pending + intervals.takeReady(loadEnded: false).map { report($0, intervals: intervals) }, on: reports)
                try? await Task.sleep(for: .milliseconds(100))
            }
            return pending
        }
        await load.run(schedule: schedule, startMicros: startMicros, stop: runStop, share: intervals.share)
        reporter.cancel()
        var pending = await reporter.value + intervals.takeReady(loadEnded: true).map { report($0, intervals: intervals) }
        pending.append(["kind", "done", "agent", options.name, "share", String(claim.share), "dispatched", String(intervals.dispatched)])
        let deadline = ContinuousClock.now + Self.reportGrace
        while !pending.isEmpty {
            pending = send(pending, on: reports)
            if pending.isEmpty || ContinuousClock.now > deadline || heartbeat.coordinatorLost { break }
            try? await Task.sleep(for: .milliseconds(200))
        }
        if !pending.isEmpty { options.log("run \(spec.runID): \(pending.count) reports never reached the control Redis") }
        await heartbeat.end()
        try? loss.beat(agent: options.name, lastInterval: intervals.lastReported, dispatched: intervals.dispatched)
        if heartbeat.coordinatorLost { return .coordinatorLost(run: spec.runID) }
        return stop.isRaised ? .interrupted : .finished(runs: 1)
    }

    /// Interval `ready`'s report, as stream fields.
    private func report(_ ready: (index: Int, interval: ShareIntervals.Interval), intervals: ShareIntervals) -> [String] {
        let (k, interval) = ready
        var report = IntervalReport(agent: options.name, share: claim.share, interval: k, planned: intervals.planned(k), sent: interval.sent,
                                    accepted: interval.accepted, errors: interval.errors, dropped: interval.dropped,
                                    latency: interval.latency ?? LatencyHistogram())
        report.acceptedBits = ShareIntervals.encode(bits: interval.acceptedBits)
        report.lag = interval.lag?.encoded() ?? ""
        report.late = interval.late
        report.lastError = Redaction.maskingURLCredentials(interval.lastError)
        report.firstLateMicros = intervals.firstLateMicros ?? -1
        return report.fields
    }

    /// Adds `entries` to the run's stream in order; returns the ones not added (from the first failure on).
    private func send(_ entries: [[String]], on connection: ControlConnection) -> [[String]] {
        for (position, fields) in entries.enumerated() {
            guard (try? connection.command(["XADD", keys.intervals, "*"] + fields).orThrow()) != nil else { return Array(entries[position...]) }
        }
        return []
    }

    /// Who and where this agent is, for the results: its share, host name, processors, clock offset and its uncertainty (µs).
    static func hostLine(share: Int, offset: ClockOffset) -> String {
        "\(share) \(ProcessInfo.processInfo.hostName.replacingOccurrences(of: " ", with: "_")) \(ProcessInfo.processInfo.activeProcessorCount) "
            + "\(offset.offsetMicros) \(offset.uncertaintyMicros)"
    }
}
