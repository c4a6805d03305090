import AsyncHTTPClient
import Foundation
import TracebenchJudge
import TracebenchMeasure
import TracebenchPipeline
import TracebenchProcess
import TracebenchRedis
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// One lifetime of the pipeline: start the API and worker processes for a scenario, offer its load, drain the
/// queue, stop the processes gracefully (their exporters flush). A run has one; an overhead run adds one per
/// resource block.
struct PipelinePhase: Sendable {
    /// What the phase observed.
    struct Outcome: Sendable {
        var load = LoadGenerator.Tally()
        var windowSeconds = 0.0
        /// When the load started (µs since the epoch): time zero of the interval series.
        var startMicros: Int64 = 0
        var problems: [Problem] = []
        /// Names and pids of the processes it ran.
        var processes: [(name: String, pid: Int32)] = []
        /// Roles [workers]: the agent hosts whose workers claimed from the same queue.
        var agents: AgentFigures?
    }

    let scenario: Scenario
    let runID: String
    let redisURL: RedisURL
    let endpoint: String
    let executablePath: String
    let workDirectory: String
    /// The embedded sink's addresses (agents' collectors export there; roles [workers, collector]).
    var sinkAddress: CollectorProcess.SinkAddress?

    /// Runs the phase. `monitor` gets every pipeline process to sample; `sink` only feeds the progress line;
    /// `onStart` learns the load's time zero (µs since the epoch) before the first arrival.
    func run(monitor: ResourceMonitor, httpClient: HTTPClient, control: RedisConnection, sink: OTLPSink?,
             stop: StopSignal, progress: Bool, onStart: @Sendable (Int64) -> Void = { _ in }) async -> Outcome {
        var outcome = Outcome()
        let configPath = "\(workDirectory)/\(runID).json"
        var children: [ChildProcess] = []
        var fleet: AgentFleet?
        do {
            var configuration = ChildConfiguration(runID: runID, scenario: scenario, redisURL: redisURL.secretURL, otlpEndpoint: endpoint)
            configuration.workDirectory = workDirectory
            try configuration.write(to: configPath)
            let api = try ChildProcess(name: "api", executable: executablePath,
                                       arguments: ["api", "--config", configPath], logPath: "\(workDirectory)/\(runID)-api.log")
            children.append(api)
            for index in 0..<scenario.pipeline.workers {
                children.append(try ChildProcess(name: "worker-\(index)", executable: executablePath,
                                                 arguments: ["worker", "--config", configPath, "--index", String(index)],
                                                 logPath: "\(workDirectory)/\(runID)-worker-\(index).log"))
            }
            let apiPort = try await Self.ready(api)
            for child in children.dropFirst() { _ = try await Self.ready(child) }
            for child in children {
                monitor.watch(name: child.name, pid: child.pid)
                outcome.processes.append((child.name, child.pid))
            }
            // Agents with roles [workers]: their workers read the same configuration and claim from the same queue;
            // the load starts once every one of them is ready.
            if scenario.agents?.roles.contains(.workers) == true {
                let sink = sinkAddress.map { ["sink_url": $0.url, "sink_grpc_url": $0.grpcURL] } ?? [:]
                let agents = try AgentFleet(spec: AgentRunSpec(runID: runID, scenario: scenario, values: sink, child: configuration))
                fleet = agents
                try await agents.publishAndArm()
            }

            // Load, then drain.
            let generator = LoadGenerator(scenario: scenario, runID: runID, apiURL: "http://127.0.0.1:\(apiPort)")
            let schedule = ArrivalSchedule(load: scenario.load, durationSeconds: scenario.durationSeconds, seed: scenario.seed)
            let startMicros = WallClock.nowMicros() + 100_000
            outcome.startMicros = startMicros
            onStart(startMicros)
            let redisWatch = RedisWatch(control: control, counter: JobKeys.finishedCounter(runID: runID))
            let watchers = LoadWatchers.start(scenario: scenario, progress: progress, sink: sink, startMicros: startMicros, stop: stop) {
                var live = generator.snapshot.live
                live.finished = redisWatch.finished
                return live
            }
            let redisTask = Task { await redisWatch.run(startMicros: startMicros, stop: stop) }
            await generator.run(schedule: schedule, startMicros: startMicros, stop: stop)
            watchers.loadEnded()
            redisTask.cancel()
            outcome.windowSeconds = min(scenario.durationSeconds, Double(WallClock.nowMicros() - startMicros) / 1e6)
            outcome.load = generator.snapshot
            do {
                try await drain(expected: outcome.load.accepted.count, watch: redisWatch, stop: stop, children: children, problems: &outcome.problems)
            } catch {
                outcome.problems.append(Problem(.componentFailed, "\(error)"))
            }
            await watchers.finish()
        } catch {
            outcome.problems.append(Problem(.componentFailed, "\(error)"))
        }
        if outcome.load.submitErrors > 0 {
            outcome.problems.append(Problem(.submitErrors, "\(outcome.load.submitErrors) submissions failed (last: \(outcome.load.lastError))"))
        }
        if let fleet {
            let finished = await fleet.finishWorkers()
            fleet.close()
            outcome.agents = finished.figures
            outcome.problems += finished.problems
        }
        monitor.sampleNow()
        for child in children {
            let clean = await child.stop(timeout: .seconds(Int64(scenario.tracing.batch.exportTimeoutMs / 1000) + 10))
            if !clean { outcome.problems.append(Problem(.componentFailed, "\(child.name) did not exit cleanly (status \(child.exitStatus))\(child.logTail())")) }
        }
        return outcome
    }

    /// The child's READY detail; a child that does not come up within 60 s is a failed component.
    private static func ready(_ child: ChildProcess) async throws(RunFailure) -> String {
        do {
            return try await child.waitUntilReady(timeout: .seconds(60))
        } catch {
            throw .component(error.message)
        }
    }

    /// Waits until the workers finished every accepted job, the drain timeout passes, or the run is stopped.
    private func drain(expected: Int, watch: RedisWatch, stop: StopSignal, children: [ChildProcess], problems: inout [Problem]) async throws {
        let timeout = scenario.drainTimeoutSeconds
        let deadline = ContinuousClock.now + .clampedSeconds(timeout)
        while !stop.isRaised {
            let finished: Int
            do {
                finished = try await watch.refresh()
            } catch {
                throw RunFailure.component("Redis failed while draining: \(error)")
            }
            if finished >= expected { return }
            if let dead = children.first(where: { !$0.isRunning }) {
                throw RunFailure.component("\(dead.name) exited during the run (status \(dead.exitStatus))\(dead.logTail())")
            }
            if ContinuousClock.now >= deadline {
                problems.append(Problem(.drainIncomplete, "drain timeout: \(expected - finished) jobs still pending after \(timeout) s"))
                return
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
