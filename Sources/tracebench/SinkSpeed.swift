import ArgumentParser
import Foundation
import TracebenchReport
import TracebenchResults
import TracebenchRun

/// `tracebench sink-speed SCENARIO`: the embedded sink against a blackhole collector, same stream, same sender.
struct SinkSpeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink-speed",
        abstract: "Send the same pre-encoded OTLP stream, closed loop, to the embedded sink and to a blackhole collector; print the ratio.",
        discussion: "Writes results/<name>-sink-speed-<UTC time>.json. Exit codes as for run; 4 when a request failed or the sink lost a span."
    )

    @Argument(help: "Scenario file with a firehose section and a collector.launch (e.g. scenarios/sink-speed.yaml).")
    var scenario: String

    @Option(help: "Pairs of rounds (sink then collector, then the reverse, …).")
    var rounds = 3

    @Option(help: "Write the summary to this file.")
    var out: String?

    @Option(help: "Directory for results files.")
    var resultsDir = "results"

    func run() async throws {
        let loaded = try loadScenario(scenario)
        var options = RunOptions(resultsDirectory: resultsDir, outputPath: out, executablePath: Run.executablePath(), progress: false)
        options.handleSignals = true
        let (summary, path) = try await SinkSpeed.run(scenario: loaded, options: options, rounds: rounds) { print($0) }
        CapacityText.lines(summary, path: path).forEach { print($0) }
        if summary.interrupted { throw CLIError.failed(.interrupted) }
        if !summary.problems.isEmpty { throw CLIError.failed(.componentFailed) }
    }
}
