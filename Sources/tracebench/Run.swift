import ArgumentParser
import Foundation
import TracebenchReport
import TracebenchResults
import TracebenchRun

/// `tracebench run SCENARIO`: the whole traced pipeline, measured.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario: drive jobs through the traced pipeline and write a results file.",
        discussion: """
        Exit codes: 0 ok, 2 invalid scenario or arguments, 3 missing/unreachable dependency (redis-server, Redis), \
        4 a component failed during the run (results written, status "failed"), 99 a threshold failed (results \
        written), 130 interrupted (results written, status "interrupted").
        """
    )

    @Argument(help: "Scenario file (YAML), e.g. scenarios/peak.yaml.")
    var scenario: String

    @Option(help: "Redis to use, redis://[:password@]host:port[/db] (default: $REDIS_URL, else the scenario's redis.url, else a private redis-server).")
    var redis: String?

    @Option(help: "Write the results to this file instead of results/<scenario>-<UTC time>.json.")
    var out: String?

    @Option(help: "Directory for results files.")
    var resultsDir = "results"

    @Flag(help: "No live progress line.")
    var quiet = false

    func run() async throws {
        let loaded = try loadScenario(scenario)
        var options = RunOptions(
            redisURL: redis ?? ProcessInfo.processInfo.environment["REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 },
            resultsDirectory: resultsDir, outputPath: out, executablePath: Self.executablePath(), progress: !quiet
        )
        options.handleSignals = true
        let outcome = try await RunCoordinator.run(scenario: loaded, options: options)
        print(Summary.text(outcome.results, path: outcome.path))
        if outcome.exitStatus != .ok { throw CLIError.failed(outcome.exitStatus) }
    }

    /// This very binary, started again for the API and worker processes.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}
