import ArgumentParser
import Foundation
import TracebenchJudge
import TracebenchMetrics
import TracebenchReport
import TracebenchResults
import TracebenchRun
import TracebenchScenario

/// `tracebench gate RESULTS…`: judge existing results files against thresholds (a nightly CI gate).
struct Gate: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Judge results files against thresholds; print a table, write JUnit, Markdown and a verdict JSON.",
        discussion: """
        Thresholds come from --thresholds FILE (YAML with `thresholds:` and optionally `gate: {alpha: …}`), else from \
        each results file's own scenario. A capacity summary is judged through its steps' results files. Exit codes: \
        0 every threshold passed (or was inconclusive without --strict), 99 a threshold failed or its figure was not \
        measured, 98 with --strict when one was inconclusive, 5 a results file is unreadable or of an unknown schema, \
        2 bad thresholds or arguments.
        """
    )

    @Argument(help: "Results files (run results, or capacity summaries whose steps are judged).")
    var results: [String]

    @Option(help: "Thresholds file (YAML: thresholds: {metric.path: \"< 750ms\", …}, gate: {alpha: 0.05}).")
    var thresholds: String?

    @Option(help: "Write JUnit XML here (one testcase per threshold and file).")
    var junit: String?

    @Option(help: "Write Markdown here (e.g. $GITHUB_STEP_SUMMARY).")
    var markdown: String?

    @Option(help: "Write the verdict as JSON here.")
    var json: String?

    @Option(help: "Family-wise false-alarm rate (overrides the thresholds' gate.alpha).")
    var alpha: Double?

    @Flag(help: "Exit 98 when no threshold failed but one was inconclusive.")
    var strict = false

    func run() throws {
        guard !results.isEmpty else { throw CLIError.usage("give at least one results file") }
        if let alpha, !(alpha > 0 && alpha < 0.5) { throw CLIError.usage("--alpha must be greater than 0 and below 0.5") }
        var given: ThresholdSet?
        if let thresholds {
            do {
                given = try ScenarioLoader.loadThresholds(path: thresholds)
            } catch {
                throw CLIError.failed(.invalidInput, error.description)
            }
        }
        var runs: [(path: String, results: RunResults)] = []
        var sets: [ThresholdSet] = []
        for path in results {
            for (runPath, run) in try runsIn(path) {
                guard let set = given ?? run.thresholds?.thresholdSet, !set.thresholds.isEmpty else {
                    throw CLIError.failed(.invalidInput, "tracebench gate: \(runPath) holds no thresholds; give --thresholds FILE")
                }
                runs.append((runPath, run))
                sets.append(set)
            }
        }
        // One family across every file: the thresholds of each file, judged together.
        var verdict = GateVerdict()
        verdict.alpha = alpha ?? given?.alpha ?? sets.first?.alpha ?? ThresholdSet.defaultAlpha
        verdict = Judge.evaluate(families: zip(runs, sets).map { ($0.0.path, $0.0.results, $0.1.thresholds) }, alpha: verdict.alpha)
        let status = ExitStatus.of(verdict, strict: strict)
        print(GateReport.table(verdict))
        try write(GateReport.junit(verdict), to: junit)
        try write(GateReport.markdown(verdict), to: markdown)
        if let json {
            do {
                try ResultsFile.write(GateReport.VerdictFile(verdict: verdict, exitCode: status.rawValue), to: json)
            } catch {
                throw CLIError.environment("cannot write \(json): \(error.localizedDescription)")
            }
        }
        if status != .ok { throw CLIError.failed(status) }
    }

    /// The run results a file stands for: itself, or a capacity summary's steps.
    func runsIn(_ path: String) throws -> [(String, RunResults)] {
        switch try ResultsInput.document(path, verb: "gate") {
        case .run(let run):
            return [(path, run)]
        case .capacity(let summary):
            let directory = URL(fileURLWithPath: path).deletingLastPathComponent().path
            return try summary.steps.map { step in
                let stepPath = FileManager.default.fileExists(atPath: step.resultsFile)
                    ? step.resultsFile : directory + "/" + (step.resultsFile.split(separator: "/").last.map(String.init) ?? "")
                guard let found = try runsIn(stepPath).first else { throw CLIError.failed(.resultsUnreadable) }
                return found
            }
        case .sinkSpeed:
            throw CLIError.failed(.resultsUnreadable, "tracebench gate: \(path): a sink_speed summary has no metric paths to judge; gate its runs instead")
        }
    }

    func write(_ text: String, to path: String?) throws {
        guard let path else { return }
        do {
            try text.write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw CLIError.environment("cannot write \(path): \(error.localizedDescription)")
        }
    }
}
