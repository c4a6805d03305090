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
    /// Built-in runs: also recompute the trace figures at once from a copy of every job and span, and fail the run if
    /// the streaming fold disagrees (a check of tracebench itself; memory then grows with the run).
    public var recheckStreaming = false

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
///
/// A run is a short sequence of stages, each a type with one job: prepare (``RunPreparation``: where results go,
/// the system under test, the sink), set up the rig (``RunServices``: work directory, resource monitor, collector,
/// HTTP client), let the system run (``SystemUnderTest``), measure the rig (``RigFigures``), assemble the results once
/// (``ResultsAssembler``), judge them (``RunJudgement``), write them (``ResultsWriting``).
public enum RunCoordinator {
    public static func run(scenario: Scenario, options: RunOptions) async throws(RunFailure) -> RunOutcome {
        let stop = StopSignal()
        if options.handleSignals { stop.listenForSignals() }
        defer { stop.stopListening() }

        let prepared = try await RunPreparation.prepare(scenario: scenario, options: options)
        let outcome: Result<RunOutcome, RunFailure>
        do {
            outcome = .success(try await run(prepared, scenario: scenario, options: options, stop: stop))
        } catch {
            outcome = .failure(error)
        }
        await prepared.system.close()
        return try outcome.get()
    }

    /// The run of a prepared system, from its work directory to its written results.
    private static func run(_ prepared: RunPreparation, scenario: Scenario, options: RunOptions, stop: StopSignal) async throws(RunFailure) -> RunOutcome {
        let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("tracebench-\(prepared.runID)").path
        do {
            try FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        } catch {
            await prepared.sink?.stop()
            throw .environment("cannot create \(workDirectory): \(error)")
        }
        defer { try? FileManager.default.removeItem(atPath: workDirectory) }

        let services = try await RunServices.start(prepared, workDirectory: workDirectory, options: options, stop: stop)
        let system = await prepared.system.run(in: services)
        let rig = await RigFigures.measure(services, system: system)
        var results = ResultsAssembler.assemble(prepared, endpoint: services.endpoint, system: system, rig: rig)
        RunJudgement.judge(&results, scenario: scenario, stop: stop)
        return try ResultsWriting.write(results, to: prepared.path, scenarioName: scenario.name, startedAt: prepared.startedAt)
    }
}

