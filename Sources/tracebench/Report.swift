import ArgumentParser
import Foundation
import TracebenchJudge
import TracebenchReport
import TracebenchResults
import TracebenchRun
import TracebenchScenario

/// `tracebench report RESULTS… --html FILE [--md FILE]`: a self-contained HTML report and its Markdown twin.
struct Report: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write an offline HTML report (inline SVG, no script) and Markdown for a run, a capacity sweep, or BASE… -- CANDIDATE….",
        discussion: "Options go before the files. Exit 2 bad arguments or a bad promises file, 3 an output that cannot be written, 5 an unreadable results file."
    )

    @Option(help: "Write the HTML report here.")
    var html: String

    @Option(help: "Write the Markdown report here.")
    var md: String?

    @Option(help: "A noise profile for a comparison report (tracebench noise).")
    var noise: String?

    @Option(help: "A history store (tracebench history): report the given run against its stored nights, with change points.")
    var history: String?

    @Option(help: "Your own promises (a thresholds file like scenarios/promises.yaml) for a run's scoreboard; default: the design document's.")
    var promises: String?

    @Argument(parsing: .captureForPassthrough, help: "A run's or a capacity sweep's results file, or BASE… -- CANDIDATE….")
    var files: [String] = []

    func run() throws {
        let report: (html: String, markdown: String)
        if let history {
            guard files.count == 1, let path = files.first else { throw CLIError.usage("report --history takes one run's results file") }
            let tonight = try ResultsInput.run(path, verb: "report").results
            let stored: [RunResults]
            do {
                stored = try HistoryStore(directory: history).baseline(key: HistoryStore.key(tonight)).map(\.results).filter { $0.runID != tonight.runID }
            } catch {
                throw CLIError.environment("cannot read the store \(history): \(error.localizedDescription)")
            }
            guard stored.count >= 3 else { throw CLIError.usage("the store holds \(stored.count) nights of this scenario and host; at least 3 are needed") }
            report = HTMLReport.history(HistoryCheck.check(tonight: tonight, rerun: nil, baseline: stored, last: 60))
        } else if let split = files.firstIndex(of: "--") {
            let base = try files[..<split].map { try ResultsInput.run($0, verb: "report") }, candidate = try files[(split + 1)...].map { try ResultsInput.run($0, verb: "report") }
            guard !base.isEmpty, !candidate.isEmpty else { throw CLIError.usage("each side needs at least one results file") }
            let profile = try noise.map { try ResultsInput.noiseProfile($0, verb: "report") }
            let comparison = Comparator.compare(base: base, candidate: candidate, noise: profile)
            report = HTMLReport.comparison(comparison, base: base, candidate: candidate)
        } else {
            guard files.count == 1, let path = files.first, !path.hasPrefix("-") else {
                throw CLIError.usage("report takes one results file, or BASE… -- CANDIDATE… (options go before the files)")
            }
            switch try ResultsInput.document(path, verb: "report") {
            case .run(let results):
                var board = Promises.designDocument
                if let promises {
                    do { board = try ScenarioLoader.loadThresholds(path: promises) } catch { throw CLIError.failed(.invalidInput, error.description) }
                }
                report = HTMLReport.run(results, path: path, promises: board)
            case .capacity(let summary): report = HTMLReport.capacity(summary, path: path)
            case .sinkSpeed: throw CLIError.usage("\(path): a sink_speed summary has no report; its figures are printed by sink-speed")
            }
        }
        do {
            try report.html.write(toFile: html, atomically: true, encoding: .utf8)
            if let md { try report.markdown.write(toFile: md, atomically: true, encoding: .utf8) }
        } catch {
            throw CLIError.environment("cannot write the report: \(error.localizedDescription)")
        }
        print("report written to \(html)" + (md.map { " and \($0)" } ?? ""))
    }
}
