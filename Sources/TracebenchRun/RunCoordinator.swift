import AsyncHTTPClient
import Foundation
import TracebenchJudge
import TracebenchMeasure
import TracebenchMetrics
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
    /// Turn SIGINT/SIGTERM into a graceful, flagged stop (the CLI does; a library caller or test keeps its own
    /// signal handling).
    public var handleSignals = false

    public init(redisURL: String? = nil, resultsDirectory: String = "results", outputPath: String? = nil, executablePath: String, progress: Bool = true) {
        self.redisURL = redisURL
        self.resultsDirectory = resultsDirectory
        self.outputPath = outputPath
        self.executablePath = executablePath
        self.progress = progress
    }
}

/// The outcome of a run: its results, where they were written, and the status the process exits with.
public struct RunOutcome: Sendable {
    public var results: RunResults
    public var path: String
    public var exitStatus: ExitStatus
    /// `exitStatus` as the process exit code.
    public var exitCode: Int32 { exitStatus.rawValue }
}

/// `tracebench run`: starts Redis (if needed), the sink, the collector under test, the API and the workers;
/// drives the load; drains; stops everything gracefully; checks every trace against the ledger; writes the
/// results — also when the run is interrupted or a component dies, flagged so. Firehose runs skip Redis and the
/// pipeline and send synthetic spans straight to the collector.
public enum RunCoordinator {
    public static func run(scenario: Scenario, options: RunOptions) async throws(RunFailure) -> RunOutcome {
        let runID = String(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF, radix: 16)
        let stop = StopSignal()
        let signalSources = options.handleSignals ? stop.installHandlers() : []
        defer { if options.handleSignals { stop.removeHandlers(signalSources) } }
        let startedAt = Date()
        // Where the results go is checked before anything starts: a run is never thrown away at the end.
        let path = options.outputPath ?? ResultsFile.defaultPath(directory: options.resultsDirectory, scenarioName: scenario.name, date: startedAt)
        if let reason = ResultsFile.unwritableReason(path) { throw .scenario("cannot write results to \(path): \(reason)") }

        let redis = scenario.load.kind == .jobs ? try RedisHandle.open(scenario: scenario, options: options) : nil
        defer { redis?.server?.stop() }

        // Sink: the embedded receiver (OTLP/HTTP and OTLP/gRPC) unless the scenario exports elsewhere (an attached
        // collector, an endpoint).
        let wire = scenario.load.kind == .firehose ? scenario.firehose.protocol : scenario.tracing.protocol
        let sink: OTLPSink?
        var endpoint: String
        var sinkAddress = CollectorProcess.SinkAddress(url: "", grpcURL: "")
        if let attach = scenario.collector?.attach {
            sink = nil
            endpoint = attach.endpoint
        } else if scenario.tracing.endpoint.isEmpty || scenario.collector?.launch != nil {
            // A collector frozen mid-request (the stall fault) must not have its body cut as a stalled client.
            let embedded = OTLPSink(bodyReadTimeout: .clampedSeconds(max(10, scenario.faults.collectorPauseSeconds + 10)))
            sinkAddress = try await CollectorProcess.SinkAddress.start(embedded)
            endpoint = sinkAddress.endpoint(wire)
            sink = embedded
        } else {
            sink = nil
            endpoint = scenario.tracing.endpoint
        }

        var results = RunResults()
        results.scenario = ScenarioRecord.applying(scenario.source.overrides, to: ScenarioRecord.document(yaml: scenario.source.text))
        results.scenarioName = scenario.name
        results.scenarioFile = ScenarioRecord.file(path: scenario.source.path, yaml: scenario.source.text)
        results.tracingEffective = TracingEffective(spec: scenario.tracing, endpoint: endpoint, environmentOverrides: TracingBackend.environmentOverrides())
        results.environment = EnvironmentProbe.current()
        results.runID = runID
        results.startedAt = ResultsFile.timestamp(startedAt)
        if sink == nil {
            results.problems.append(Problem(.notMeasured, "spans are exported to \(Redaction.maskingURLCredentials(endpoint)), not to tracebench's sink: trace figures were not measured"))
            if scenario.collector?.attach == nil || scenario.load.kind == .jobs, !(await EndpointProbe.accepts(endpoint)) {
                results.problems.append(Problem(.endpointUnreachable, "the OTLP endpoint \(Redaction.maskingURLCredentials(endpoint)) did not accept a connection before the run: the SDKs export into nothing"))
            }
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
        if let server = redis?.server { monitor.watch(name: "redis", pid: server.pid) }

        // The collector under test: SDK (or firehose) → collector → sink.
        var collector: CollectorProcess?
        if let launch = scenario.collector?.launch {
            do {
                collector = try await CollectorProcess.launch(launch, sampling: scenario.collector?.sampling, scenarioFile: scenario.source.path,
                                                              sink: sinkAddress, protocol: wire,
                                                              executablePath: options.executablePath, workDirectory: workDirectory)
            } catch {
                await sink?.stop()
                throw error as? RunFailure ?? .environment("\(error)")
            }
            endpoint = collector!.endpoint
            monitor.watch(name: "collector", pid: collector!.child.pid)
        } else if let pid = scenario.collector?.attach?.pid, pid > 0 {
            monitor.watch(name: "collector", pid: Int32(pid))
        }
        results.tracingEffective.endpoint = Redaction.maskingURLCredentials(endpoint)
        monitor.start()
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, min(scenario.load.maxInFlight, 512)))
        ))
        let metricsURL = collector?.metricsURL ?? scenario.collector?.attach?.metricsURL ?? ""
        let collectorMetrics = metricsURL.isEmpty ? nil : CollectorMetrics(url: metricsURL, client: httpClient)
        await collectorMetrics?.scrapeBefore()
        let stall = collector.flatMap { Stall.schedule(faults: scenario.faults, collector: $0, monitor: monitor) }
        let services = RunServices(scenario: scenario, runID: runID, endpoint: endpoint, workDirectory: workDirectory, options: options,
                                   sink: sink, collector: collector, collectorMetrics: collectorMetrics, monitor: monitor,
                                   httpClient: httpClient, stop: stop, stall: stall)
        if let redis {
            await JobsRun.run(services, redis: redis, results: &results)
        } else {
            await FirehoseRun.run(services, results: &results)
        }
        results.resources = monitor.usage()
        if !scenario.ceilingsMiB.isEmpty {
            results.ceilings = CeilingFigure.evaluate(ceilingsMiB: scenario.ceilingsMiB, usage: results.resources)
        }
        if let window = await stall?.value {
            results.stall = StallFigures(pausedAtS: window.paused, resumedAtS: window.resumed, usage: results.resources)
        }
        if scenario.collector != nil {
            results.collector = CollectorFigures(spans: results.spans, traces: results.traces, windowSeconds: results.throughput.windowSeconds,
                                                 usage: results.resources["collector"], visibility: results.latency["visibility"],
                                                 bodyBytes: results.sink.bodyBytes, measured: sink != nil)
            switch collectorMetrics?.result() {
            case .success(let counters): results.collector?.add(reported: counters)
            case .failure(let problem): results.problems.append(Problem(.collectorMetrics, problem.description))
            case nil: break
            }
        }
        results.finishedAt = ResultsFile.timestamp()
        if let reason = stop.abortReason { results.problems.append(Problem(reason.kind, reason.message)) }
        let interrupted = stop.isRaised && stop.abortReason == nil
        if !interrupted { results.problems += EmptyFigures.problems(in: results) }
        results.status = RunStatus.derive(problems: results.problems, interrupted: interrupted)
        if !scenario.thresholds.thresholds.isEmpty {
            results.thresholds = Judge.evaluate(scenario.thresholds, on: results)
        }
        let exitStatus = ExitStatus.of(results)
        do {
            try ResultsFile.write(results, to: path)
        } catch {
            // The path was writable at the start; if it no longer is, the results still land somewhere, said so.
            let fallback = ResultsFile.defaultPath(directory: FileManager.default.temporaryDirectory.path, scenarioName: scenario.name, date: startedAt)
            guard (try? ResultsFile.write(results, to: fallback)) != nil else {
                throw .environment("cannot write results to \(path) (\(error.localizedDescription)) nor to \(fallback)")
            }
            FileHandle.standardError.write(Data("tracebench: cannot write results to \(path) (\(error.localizedDescription)); written to \(fallback) instead\n".utf8))
            return RunOutcome(results: results, path: fallback, exitStatus: exitStatus)
        }
        return RunOutcome(results: results, path: path, exitStatus: exitStatus)
    }
}

/// What every kind of run shares once set up.
struct RunServices: Sendable {
    let scenario: Scenario
    let runID: String
    let endpoint: String
    let workDirectory: String
    let options: RunOptions
    let sink: OTLPSink?
    let collector: CollectorProcess?
    /// The collector's own counters (`metrics_url`), read before the load and after the drain.
    let collectorMetrics: CollectorMetrics?
    let monitor: ResourceMonitor
    let httpClient: HTTPClient
    let stop: StopSignal
    /// The collector stall, when the scenario asks for one.
    let stall: Task<Stall.Window?, Never>?

    /// After the senders stopped: lets a launched collector pass everything on (at least `expectedSpans` of it, when
    /// the ledger says how many must come), stops it, stops sampling, the sink and the HTTP client; returns what the
    /// sink received.
    func finish(results: inout RunResults, expectedSpans: Int = 0) async -> TraceStore.Snapshot? {
        if let stall {
            if stop.isRaised { stall.cancel() }
            _ = await stall.value  // the collector runs again before it is asked to pass everything on
        }
        if collector != nil, let sink {
            await sink.store.waitUntilQuiet(quietFor: .milliseconds(1500), atMost: .seconds(20), atLeast: expectedSpans)
        }
        await collectorMetrics?.scrapeAfterDrain()
        if let collector {
            monitor.sampleNow()
            if !collector.child.isRunning {
                results.problems.append(Problem(.collectorFailed, "the collector died during the run (exit status \(collector.child.exitStatus)), before tracebench stopped it\(collector.child.logTail())"))
            } else if !(await collector.child.stop(timeout: .seconds(10))) {
                results.problems.append(Problem(.collectorFailed, "the collector did not exit cleanly (status \(collector.child.exitStatus))\(collector.child.logTail())"))
            }
        }
        try? await Task.sleep(for: .milliseconds(200))
        monitor.stop()
        let snapshot = sink?.store.snapshot()
        await sink?.stop()
        try? await httpClient.shutdown()
        return snapshot
    }
}

/// The Redis a jobs run uses: the one named (`--redis`, `REDIS_URL`, `redis.url`), else a private server.
struct RedisHandle: Sendable {
    let url: RedisURL
    let server: RedisServer?
    let control: RedisConnection

    static func open(scenario: Scenario, options: RunOptions) throws(RunFailure) -> RedisHandle {
        let text = options.redisURL ?? (scenario.redis.url.isEmpty ? nil : scenario.redis.url)
        let url: RedisURL
        let server: RedisServer?
        if let text {
            // A URL that does not parse is bad input (exit 2), not a missing dependency.
            do {
                url = try RedisURL(parsing: text)
            } catch {
                throw .scenario("--redis / REDIS_URL / redis.url: \(error.description)")
            }
            server = nil
        } else {
            do {
                // Through `tracebench spawn`: the private server dies with the coordinator, even if it crashes.
                server = try RedisServer(launcher: [options.executablePath, "spawn", "--"])
            } catch {
                throw .environment(error.description)
            }
            url = server!.url
        }
        do {
            let control = try RedisConnection(url: url)
            try control.command(["PING"]).orThrow()
            return RedisHandle(url: url, server: server, control: control)
        } catch {
            server?.stop()
            throw .environment("Redis at \(url.redacted): \(error)")
        }
    }
}
