import ArgumentParser
import Foundation
import TracebenchJudge
import TracebenchReport
import TracebenchResults
import TracebenchRun

/// `tracebench noise RUNS… --out FILE`: how much one run's figures move between runs of an unchanged build.
struct Noise: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure run-to-run noise from A/A runs (same build, scenario, machine) for compare --noise.",
        discussion: "Writes the relative standard deviation of every metric across the runs. Exit 2 with fewer than 2 runs or runs of different scenarios or hosts; 5 an unreadable file."
    )

    @Argument(help: "Results files of two or more A/A runs.")
    var runs: [String]

    @Option(help: "Write the noise profile here.")
    var out: String

    func run() throws {
        guard runs.count >= 2 else { throw CLIError.usage("noise needs at least 2 runs of the same build, scenario and machine") }
        let side = try runs.map { try ResultsInput.run($0, verb: "noise") }
        let mismatches = Comparator.mismatches(base: side, candidate: [])
        guard mismatches.isEmpty else { throw CLIError.usage("the runs are not A/A runs: " + mismatches.joined(separator: "; ")) }
        let profile = NoiseProfile.measure(side)
        do {
            try ResultsFile.write(profile, to: out)
        } catch {
            throw CLIError.environment("cannot write \(out): \(error.localizedDescription)")
        }
        for (metric, relative) in profile.relativeSD.sorted(by: { $0.key < $1.key }) {
            print(metric.padding(toLength: 40, withPad: " ", startingAt: 0) + String(format: "±%.2f%% (one run's sd over %d runs)", relative * 100, profile.runs))
        }
        print("noise profile of \(profile.runs) runs in \(out)")
    }
}
