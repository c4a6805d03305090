import ArgumentParser
import Foundation
import TracebenchJudge
import TracebenchReport
import TracebenchResults
import TracebenchRun

/// `tracebench history add|check|accept`: runs across nights.
struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Keep runs across nights and judge tonight against them (baseline and change points).",
        subcommands: [Add.self, Check.self, Accept.self]
    )

    /// `history add RESULTS…`
    struct Add: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Copy results files into the store (append-only, keyed by scenario hash × host).")
        @Option(help: "The store directory.") var store = "results/history"
        @Argument(help: "Run results files.") var results: [String]

        func run() throws {
            let history = HistoryStore(directory: store)
            for path in results {
                let (_, run) = try ResultsInput.run(path, verb: "history")
                do {
                    let entry = try history.add(run, from: path)
                    print("\(path) → \(store)/\(HistoryStore.key(run))/\(entry.file)")
                } catch {
                    throw CLIError.environment("cannot store \(path): \(error.localizedDescription)")
                }
            }
        }
    }

    /// `history check TONIGHT [--rerun FILE]`
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Judge a run against the last N stored nights: median ± fences × IQR per metric, and change points.",
            discussion: "Exit 0 nothing outside the baseline; 98 a regression that needs confirming (run again, pass --rerun); 99 a regression the re-run confirmed; 5 an unreadable file."
        )
        @Option(help: "The store directory.") var store = "results/history"
        @Option(help: "How many of the latest nights form the baseline.") var last = 30
        @Option(help: "Tonight is outside when further than this many IQRs from the median.") var fences = 3.0
        @Option(help: "A re-run of tonight's build: a shift must show in it too before the check fails.") var rerun: String?
        @Option(help: "Write the check as JSON here.") var json: String?
        @Argument(help: "Tonight's results file.") var tonight: String

        func run() throws {
            let (_, results) = try ResultsInput.run(tonight, verb: "history")
            let again = try rerun.map { try ResultsInput.run($0, verb: "history").results }
            let baseline: [RunResults]
            do {
                baseline = try HistoryStore(directory: store).baseline(key: HistoryStore.key(results)).map(\.results).filter { $0.runID != results.runID }
            } catch {
                throw CLIError.environment("cannot read the store \(store): \(error.localizedDescription)")
            }
            guard baseline.count >= 3 else {
                print("history: \(baseline.count) stored nights for this scenario and host; at least 3 are needed (history add)")
                return
            }
            let check = HistoryCheck.check(tonight: results, rerun: again, baseline: baseline, last: max(3, last), fences: fences)
            print("history: tonight against \(check.nights) nights (median ± \(fences) × IQR)")
            for metric in check.metrics where metric.outside != "~" || !metric.changePoints.isEmpty {
                let changes = metric.changePoints.map { String(format: "night %d (%+.1f%%, p %.3f)", $0.index, $0.percent, $0.pValue) }.joined(separator: ", ")
                let confirmation = metric.confirmed.map { $0 ? " — confirmed by the re-run" : " — NOT confirmed by the re-run" } ?? (metric.outside == "regression" ? " — unconfirmed: run again and pass --rerun" : "")
                print("  " + metric.metric.padding(toLength: 38, withPad: " ", startingAt: 0)
                      + String(format: "tonight %.4g, median %.4g, IQR %.3g: %@%@", metric.tonight, metric.median, metric.iqr, metric.outside, confirmation)
                      + (changes.isEmpty ? "" : "; change points at " + changes))
            }
            if let json {
                do { try ResultsFile.write(check, to: json) } catch { throw CLIError.environment("cannot write \(json): \(error.localizedDescription)") }
            }
            if !check.confirmedRegressions.isEmpty { throw CLIError.failed(.thresholdFailed) }
            if !check.unconfirmedRegressions.isEmpty { throw CLIError.failed(.inconclusive) }
        }
    }

    /// `history accept RESULTS --reason TEXT`
    struct Accept: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Accept a known shift: the baseline starts at this stored run (an annotation; nothing is deleted).")
        @Option(help: "The store directory.") var store = "results/history"
        @Option(help: "Why the shift is expected (a new SDK version, a deliberate change).") var reason: String
        @Argument(help: "The stored run's results file.") var results: String

        func run() throws {
            let (_, run) = try ResultsInput.run(results, verb: "history")
            let history = HistoryStore(directory: store)
            do {
                guard try history.accept(runID: run.runID, reason: reason, key: HistoryStore.key(run)) else {
                    throw CLIError.usage("run \(run.runID) is not in the store \(store) (history add it first)")
                }
            } catch let error as CLIError {
                throw error
            } catch {
                throw CLIError.environment("cannot update the store: \(error.localizedDescription)")
            }
            print("accepted run \(run.runID): the baseline starts there")
        }
    }
}
