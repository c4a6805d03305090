import ArgumentParser
import Foundation
import TracebenchReport
import TracebenchResults
import TracebenchRun

/// `tracebench capacity SCENARIO`: step the firehose rate up until the collector breaks; report the knee and a plan.
struct Capacity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Step a firehose up through the collector until a limit breaks; report the knee and a capacity plan.",
        discussion: "Writes one results file per step and a summary (results/<name>-capacity-<UTC time>.json). Exit codes as for run."
    )

    @Argument(help: "Scenario file with a collector, a firehose section and a capacity section.")
    var scenario: String

    @Option(help: "Directory for results files.")
    var resultsDir = "results"

    func run() async throws {
        let loaded = try loadScenario(scenario)
        var options = RunOptions(resultsDirectory: resultsDir, executablePath: Run.executablePath(), progress: false)
        options.handleSignals = true
        let (summary, path) = try await CapacitySweep.run(scenario: loaded, options: options) { print($0) }
        CapacityText.lines(summary, path: path).forEach { print($0) }
        if summary.interrupted { throw CLIError.failed(.interrupted) }
    }
}
