import Foundation
import TracebenchPipeline
import TracebenchMeasure
import TracebenchProcess
import TracebenchRedis

/// One agent's part in a run whose agents run the built-in pipeline's workers (`roles: [workers]`): it starts
/// `agents.workers` worker processes reading the coordinator's configuration — the same queue, the same Redis, spans to
/// the same endpoint, or (`roles: [workers, collector]`) to the collector it launches on this host from the scenario's
/// `collector.launch`, exporting to the coordinator's sink — arms once every one is ready, and stops them (SIGTERM:
/// their exporters flush; the collector after them) when the coordinator says the run is over or is lost; then it says
/// how they ended and what they cost (CPU, peak RSS from /proc).
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
        var collector: CollectorProcess?
        var failure = ""
        do {
            if spec.agents.roles.contains(.collector), let launch = spec.scenario.collector?.launch {
                let sink = CollectorProcess.SinkAddress(url: spec.values["sink_url"] ?? "", grpcURL: spec.values["sink_grpc_url"] ?? "")
                let launched = try await CollectorProcess.launch(launch, sampling: spec.scenario.collector?.sampling, sink: sink,
                                                                 protocol: spec.scenario.tracing.protocol, executablePath: options.executablePath,
                                                                 workDirectory: directory)
                collector = launched
                child.otlpEndpoint = launched.endpoint
            }
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
        // What they cost, read before they are stopped (a reaped process has no /proc entry).
        let workerSamples = workers.compactMap { ProcessSampler.sample(pid: $0.pid) }
        let collectorSample = collector.flatMap { ProcessSampler.sample(pid: $0.child.pid) }
        let grace = Duration.seconds(Int64(spec.scenario.tracing.batch.exportTimeoutMs / 1000) + 10)
        for worker in workers where !(await worker.stop(timeout: grace)) && failure.isEmpty {
            failure = "\(worker.name) did not exit cleanly (status \(worker.exitStatus))\(worker.logTail())"
        }
        if let collector, !(await collector.child.stop(timeout: grace)), failure.isEmpty {
            failure = "the collector did not exit cleanly (status \(collector.child.exitStatus))\(collector.child.logTail())"
        }
        var fields = ["kind", "done", "agent", options.name, "share", String(claim.share), "workers", String(workers.count), "failure", failure]
        if !workerSamples.isEmpty, workerSamples.count == workers.count {
            fields += ["workers_cpu_s", String(workerSamples.map(\.cpuSeconds).reduce(0, +)),
                       "workers_peak_rss", String(workerSamples.map(\.peakRSSBytes).max() ?? 0)]
        }
        if let collectorSample {
            fields += ["collector_cpu_s", String(collectorSample.cpuSeconds), "collector_peak_rss", String(collectorSample.peakRSSBytes)]
        }
        _ = try? connection.command(["XADD", keys.intervals, "*"] + fields)
        await heartbeat.end()
        if heartbeat.coordinatorLost { return .coordinatorLost(run: spec.runID) }
        return stop.isRaised ? .interrupted : .finished(runs: 1)
    }
}
