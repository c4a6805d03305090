import Foundation
import TracebenchPipeline
import TracebenchProcess
import TracebenchRedis

/// One agent's part in a run whose agents run the built-in pipeline's workers (`roles: [workers]`): it starts
/// `agents.workers` worker processes reading the coordinator's configuration — the same queue, the same Redis, spans to
/// the same endpoint — arms once every one is ready, and stops them (SIGTERM: their exporters flush) when the
/// coordinator says the run is over or is lost; then it says how they ended.
struct AgentWorkersRun: Sendable {
    let spec: AgentRunSpec
    let claim: ShareQueue.Claim
    let keys: ControlKeys
    let options: AgentSession.Options
    let stop: StopSignal

    func run() async -> AgentSession.Ending {
        guard var child = spec.child else { return .controlFailed("run \(spec.runID) names no worker configuration") }
        let connection: ControlConnection, beats: ControlConnection
        do {
            (connection, beats) = (try ControlConnection(url: options.control), try ControlConnection(url: options.control))
        } catch {
            return .controlFailed("the control Redis \(options.control.redacted): \(error)")
        }
        let heartbeat = AgentHeartbeat(loss: AgentLoss(connection: beats, keys: keys), agent: options.name, processStop: stop) { (-1, 0) }
        let directory = NSTemporaryDirectory() + "tracebench-agent-\(ProcessInfo.processInfo.processIdentifier)-\(spec.runID)"
        try? FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        child.workDirectory = nil  // the coordinator's directory is not on this host
        let configPath = directory + "/worker.json"
        var workers: [ChildProcess] = []
        var failure = ""
        do {
            try child.write(to: configPath)
            for worker in 0 ..< spec.agents.workers {
                let index = AgentRunSpec.workerIndex(share: claim.share, worker: worker)
                workers.append(try ChildProcess(name: "worker-\(index)", executable: options.executablePath,
                                                arguments: ["worker", "--config", configPath, "--index", String(index)],
                                                logPath: "\(directory)/worker-\(index).log"))
            }
            for worker in workers { _ = try await worker.waitUntilReady(timeout: .seconds(60)) }
            guard let offset = try ClockOffset.measure(connection, localSkewMicros: options.clockSkewMicros) else {
                throw ChildProcessError(message: "the control Redis answered no usable TIME")
            }
            try connection.command(["HSET", keys.hosts, options.name, AgentShareRun.hostLine(share: claim.share, offset: offset)]).orThrow()
            try StartBarrier(connection: connection, keys: keys).arm(agent: options.name, offset: offset)
            try ShareQueue(connection: connection, keys: keys).acknowledge(claim)
            options.log("run \(spec.runID): \(workers.count) workers claiming from the pipeline's queue")
        } catch {
            failure = "\(error)"
            options.log("run \(spec.runID): workers not started: \(error)")
        }
        // Until the coordinator says the run is over (or is lost), watching the workers.
        while failure.isEmpty, !heartbeat.runStop.isRaised {
            if let dead = workers.first(where: { !$0.isRunning }) {
                failure = "\(dead.name) exited during the run (status \(dead.exitStatus))\(dead.logTail())"
                break
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
        let grace = Duration.seconds(Int64(spec.scenario.tracing.batch.exportTimeoutMs / 1000) + 10)
        for worker in workers where !(await worker.stop(timeout: grace)) && failure.isEmpty {
            failure = "\(worker.name) did not exit cleanly (status \(worker.exitStatus))\(worker.logTail())"
        }
        _ = try? connection.command(["XADD", keys.intervals, "*", "kind", "done", "agent", options.name, "share", String(claim.share),
                                     "workers", String(workers.count), "failure", failure])
        await heartbeat.end()
        if heartbeat.coordinatorLost { return .coordinatorLost(run: spec.runID) }
        return stop.isRaised ? .interrupted : .finished(runs: 1)
    }
}
