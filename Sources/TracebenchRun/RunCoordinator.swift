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

        // Sink: the embedded receiver unless the scenario exports elsewhere (an attached collector, an endpoint).
        let sink: OTLPSink?
        var endpoint: String
        if let attach = scenario.collector?.attach {
            sink = nil
            endpoint = attach.endpoint
        } else if scenario.tracing.endpoint.isEmpty || scenario.collector?.launch != nil {
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
        do {
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        } catch {
            throw .environment("cannot create \(workDirectory): \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: workDirectory) }

        let monitor = ResourceMonitor()
        monitor.watch(name: "coordinator", pid: getpid())
        if let ownRedis { monitor.watch(name: "redis", pid: ownRedis.pid) }

        // The collector under test: SDK → collector → sink.
        var collector: CollectorProcess?
        if let launch = scenario.collector?.launch {
            let sinkURL = String(endpoint.dropLast("/v1/traces".count))
            do {
                collector = try await CollectorProcess.launch(launch, sinkURL: sinkURL, executablePath: options.executablePath, workDirectory: workDirectory)
            } catch let failure as RunFailure {
                await sink?.stop()
                throw failure
            } catch {
                await sink?.stop()
                throw .environment("\(error)")
            }
            endpoint = collector!.endpoint
            monitor.watch(name: "collector", pid: collector!.child.pid)
        } else if let pid = scenario.collector?.attach?.pid, pid > 0 {
            monitor.watch(name: "collector", pid: Int32(pid))
        }
        results.tracingEffective.endpoint = endpoint
        monitor.start()
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, min(scenario.load.maxInFlight, 512)))
        ))

        // The measured phase (for overhead runs: the inline phase, every arm in the same processes).
        let phase = PipelinePhase(scenario: scenario, runID: runID, redisURL: redisURL, endpoint: endpoint,
                                  executablePath: options.executablePath, workDirectory: workDirectory)
        let outcome = await phase.run(monitor: monitor, httpClient: httpClient, control: control, sink: sink, stop: stop, progress: options.progress)
        results.problems.append(contentsOf: outcome.problems)
        let load = outcome.load
        let windowSeconds = outcome.windowSeconds
        if let collector, let sink {
            // The SDKs flushed into the collector; let it pass everything on before it is stopped.
            await sink.store.waitUntilQuiet(quietFor: .milliseconds(1500), atMost: .seconds(20))
            monitor.sampleNow()
            if !(await collector.child.stop(timeout: .seconds(10))) {
                results.problems.append("the collector did not exit cleanly (status \(collector.child.exitStatus))\(collector.child.logTail())")
            }
        }
        try? await Task.sleep(for: .milliseconds(200))
        let snapshot = sink?.store.snapshot()

        // Overhead runs: the resource phase, whole processes per arm (the sink keeps receiving the otlp arm).
        var blocks: [ResourceBlock] = []
        if let overhead = scenario.overhead, overhead.blocks > 0, outcome.problems.isEmpty, !stop.isRaised {
            blocks = await ResourceBlocks.run(
                scenario: scenario, overhead: overhead, runID: runID, redisURL: redisURL, endpoint: endpoint,
                executablePath: options.executablePath, workDirectory: workDirectory, httpClient: httpClient,
                control: control, sink: sink, stop: stop, problems: &results.problems
            )
        }
        monitor.stop()
        await sink?.stop()
        try? await httpClient.shutdown()

        // Ground truth, trace check, results.
        var ledger: [LedgerEntry] = []
        do {
            ledger = try LedgerReader.read(jobIDs: load.acceptedJobIDs, connection: control)
        } catch {
            results.problems.append("cannot read the job ledger from Redis: \(error); job and trace figures are missing")
        }
        let armModes = scenario.overhead?.arms ?? [scenario.tracing.mode]
        let figures = TraceCheck.check(ledger: ledger, spans: snapshot?.spans ?? []) { entry in
            (armModes.indices.contains(entry.arm) ? armModes[entry.arm] : armModes[0]) == .otlp
        }
        ResultsAssembly.fill(&results, scenario: scenario, ledger: ledger, figures: figures, load: load, sink: snapshot, windowSeconds: windowSeconds)
        results.resources = monitor.usage()
        if scenario.collector != nil {
            results.collector = CollectorFigures(spans: results.spans, usage: results.resources["collector"],
                                                 visibility: results.latency["visibility"], traces: results.traces.received,
                                                 bodyBytes: results.sink.bodyBytes, measured: sink != nil)
        }
        if let overhead = scenario.overhead {
            let analysis = OverheadAnalysis.analyze(scenario: scenario, overhead: overhead, ledger: ledger, load: load, blocks: blocks)
            results.overhead = analysis.overhead
            results.budgets = analysis.budgets
            results.resourceBlocks = blocks
        }
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
}
