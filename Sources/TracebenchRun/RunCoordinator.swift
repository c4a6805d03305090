import AsyncHTTPClient
import Foundation
import TracebenchMeasure
import TracebenchPipeline
import TracebenchRedis
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// How `tracebench run` was invoked.
public struct RunOptions: Sendable {
    /// `--redis`, or `REDIS_URL`; nil = the scenario's `redis.url`, else a private redis-server.
    public var redisURL: String?
    /// Where results files go (`results/` by default).
    public var resultsDirectory: String
    /// Exact results path (overrides the directory and the generated name).
    public var outputPath: String?
    /// The tracebench executable, started again as the API and worker processes.
    public var executablePath: String
    /// Print a live progress line (rewritten in place on a TTY, one line every 5 s otherwise).
    public var progress: Bool

    public init(redisURL: String? = nil, resultsDirectory: String = "results", outputPath: String? = nil, executablePath: String, progress: Bool = true) {
        self.redisURL = redisURL
        self.resultsDirectory = resultsDirectory
        self.outputPath = outputPath
        self.executablePath = executablePath
        self.progress = progress
    }
}

/// The outcome of a run: its results, where they were written, and the process exit code.
public struct RunOutcome: Sendable {
    public var results: RunResults
    public var path: String
    public var exitCode: Int32
}

/// `tracebench run`: starts Redis (if needed), the sink, the API and the workers; drives the load; drains;
/// stops everything gracefully; checks every trace against the ledger; writes the results — also when the run is
/// interrupted or a component dies, flagged so.
public enum RunCoordinator {
    public static func run(scenario: Scenario, options: RunOptions) async throws(RunFailure) -> RunOutcome {
        let runID = String(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF, radix: 16)
        let stop = StopSignal()
        let signalSources = stop.installHandlers()
        defer { stop.removeHandlers(signalSources) }
        let startedAt = Date()

        // Redis: the one named, else a private server.
        let redisText = options.redisURL ?? (scenario.redis.url.isEmpty ? nil : scenario.redis.url)
        let ownRedis: RedisServer?
        let redisURL: RedisURL
        do {
            if let redisText {
                redisURL = try RedisURL(parsing: redisText)
                ownRedis = nil
            } else {
                ownRedis = try RedisServer()
                redisURL = ownRedis!.url
            }
        } catch {
            throw .environment(error.description)
        }
        defer { ownRedis?.stop() }
        let control: RedisConnection
        do {
            control = try RedisConnection(url: redisURL)
            try control.command(["PING"]).orThrow()
        } catch {
            throw .environment("Redis at \(redisURL.redacted): \(error)")
        }

        // Sink: the embedded receiver unless the scenario exports elsewhere.
        let sink: OTLPSink?
        let endpoint: String
        if scenario.tracing.endpoint.isEmpty {
            let embedded = OTLPSink()
            do {
                let port = try await embedded.start()
                endpoint = "http://127.0.0.1:\(port)/v1/traces"
            } catch {
                throw .environment("cannot start the embedded OTLP sink: \(error)")
            }
            sink = embedded
        } else {
            sink = nil
            endpoint = scenario.tracing.endpoint
        }

        var results = RunResults(
            scenario: scenario.redacted,
            tracingEffective: TracingEffective(spec: scenario.tracing, endpoint: endpoint, environmentOverrides: TracingBackend.environmentOverrides()),
            environment: EnvironmentProbe.current()
        )
        results.runID = runID
        results.startedAt = ResultsFile.timestamp(startedAt)
        if sink == nil {
            results.problems.append("spans are exported to \(endpoint), not to tracebench's sink: trace figures were not measured")
        }

        let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("tracebench-\(runID)").path
        try? FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workDirectory) }
        let configPath = workDirectory + "/child.json"
        do {
            try ChildConfiguration(runID: runID, scenario: scenario, redisURL: redisURL.secretURL, otlpEndpoint: endpoint).write(to: configPath)
        } catch {
            throw .environment("cannot write \(configPath): \(error)")
        }

        let monitor = ResourceMonitor()
        monitor.watch(name: "coordinator", pid: getpid())
        if let ownRedis { monitor.watch(name: "redis", pid: ownRedis.pid) }
        monitor.start()

        var children: [ChildProcess] = []
        var load = LoadGenerator.Tally()
        var windowSeconds = 0.0
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, min(scenario.load.maxInFlight, 512)))
        ))
        do {
            // Pipeline processes.
            let api = try ChildProcess(name: "api", executable: options.executablePath,
                                       arguments: ["api", "--config", configPath], logPath: workDirectory + "/api.log")
            children.append(api)
            for index in 0..<scenario.pipeline.workers {
                children.append(try ChildProcess(name: "worker-\(index)", executable: options.executablePath,
                                                 arguments: ["worker", "--config", configPath, "--index", String(index)],
                                                 logPath: workDirectory + "/worker-\(index).log"))
            }
            let apiPort = try await api.waitUntilReady(timeout: .seconds(60))
            for child in children.dropFirst() { _ = try await child.waitUntilReady(timeout: .seconds(60)) }
            for child in children { monitor.watch(name: child.name, pid: child.pid) }

            // Load, then drain.
            let generator = LoadGenerator(scenario: scenario, runID: runID, apiURL: "http://127.0.0.1:\(apiPort)", client: httpClient)
            let schedule = ArrivalSchedule(load: scenario.load, durationSeconds: scenario.durationSeconds, seed: scenario.seed)
            let display = ProgressDisplay(enabled: options.progress)
            let startMicros = WallClock.nowMicros() + 100_000
            let progressTask = Task {
                await display.run(generator: generator, sink: sink, control: control, runID: runID, startMicros: startMicros, stop: stop)
            }
            await generator.run(schedule: schedule, startMicros: startMicros, stop: stop)
            windowSeconds = min(scenario.durationSeconds, Double(WallClock.nowMicros() - startMicros) / 1e6)
            load = generator.snapshot
            try await drain(expected: load.acceptedJobIDs.count, control: control, runID: runID, timeout: scenario.drainTimeoutSeconds, stop: stop, children: children, results: &results)
            progressTask.cancel()
            await progressTask.value
            display.finish()
        } catch let failure as RunFailure {
            results.problems.append(failure.description)
        } catch {
            results.problems.append("\(error)")
        }
        if load.submitErrors > 0 {
            results.problems.append("\(load.submitErrors) submissions failed (last: \(load.lastError))")
        }

        // Shut down: client, then API and workers gracefully (their exporters flush), then the sink.
        monitor.sampleNow()
        try? await httpClient.shutdown()
        for child in children {
            let clean = await child.stop(timeout: .seconds(Int64(scenario.tracing.batch.exportTimeoutMs / 1000) + 10))
            if !clean { results.problems.append("\(child.name) did not exit cleanly (status \(child.exitStatus))\(child.logTail())") }
        }
        monitor.stop()
        try? await Task.sleep(for: .milliseconds(200))
        await sink?.stop()

        // Ground truth, trace check, results.
        var ledger: [LedgerEntry] = []
        do {
            ledger = try LedgerReader.read(jobIDs: load.acceptedJobIDs, connection: control)
        } catch {
            results.problems.append("cannot read the job ledger from Redis: \(error); job and trace figures are missing")
        }
        let snapshot = sink?.store.snapshot()
        let figures = TraceCheck.check(ledger: ledger, spans: snapshot?.spans ?? [], exporting: scenario.tracing.mode == .otlp)
        ResultsAssembly.fill(&results, scenario: scenario, ledger: ledger, figures: figures, load: load, sink: snapshot, windowSeconds: windowSeconds)
        results.resources = monitor.usage()
        results.finishedAt = ResultsFile.timestamp()

        let exitCode: Int32
        if stop.isRaised {
            results.status = "interrupted"
            exitCode = ExitCode.interrupted
        } else if results.problems.contains(where: { !$0.hasPrefix("spans are exported to") }) {
            results.status = "failed"
            exitCode = ExitCode.componentFailed
        } else {
            exitCode = ExitCode.ok
        }
        let path = options.outputPath ?? ResultsFile.defaultPath(directory: options.resultsDirectory, scenarioName: scenario.name, date: startedAt)
        do {
            try ResultsFile.write(results, to: path)
        } catch {
            throw .environment("cannot write results to \(path): \(error)")
        }
        return RunOutcome(results: results, path: path, exitCode: exitCode)
    }

    /// Waits until the workers finished every accepted job, the drain timeout passes, or the run is stopped.
    static func drain(expected: Int, control: RedisConnection, runID: String, timeout: Double, stop: StopSignal,
                      children: [ChildProcess], results: inout RunResults) async throws {
        let deadline = ContinuousClock.now + .milliseconds(Int64(timeout * 1000))
        let counter = JobKeys.finishedCounter(runID: runID)
        while !stop.isRaised {
            let finished: Int
            do {
                finished = Int(try control.command(["GET", counter]).orThrow().int ?? 0)
            } catch {
                throw RunFailure.component("Redis failed while draining: \(error)")
            }
            if finished >= expected { return }
            if let dead = children.first(where: { !$0.isRunning }) {
                throw RunFailure.component("\(dead.name) exited during the run (status \(dead.exitStatus))\(dead.logTail())")
            }
            if ContinuousClock.now >= deadline {
                results.problems.append("drain timeout: \(expected - finished) jobs still pending after \(timeout) s")
                return
            }
            try? await Task.sleep(for: .milliseconds(50))
        }
    }
}
