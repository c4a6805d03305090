import ArgumentParser
import Foundation
import TracebenchJudge
import TracebenchReport
import TracebenchResults
import TracebenchRun

/// `tracebench compare BASE… -- CANDIDATE…`: regression comparison between versions, with intervals.
struct Compare: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Compare results files: base runs, then --, then candidate runs; every metric with its change and interval.",
        discussion: """
        Options go before the files. With several runs per side the run is the unit of replication; with one run per \
        side, latency percentiles are compared with a block bootstrap over the stored per-interval histograms. A change \
        is flagged only when Holm-significant and its whole interval clears the noise floor. Refuses files whose \
        scenario hash, host fingerprint or run kind differ unless --allow-mismatch. Exit codes: 0, 99 with \
        --fail-on-regression when a metric regressed, 2 bad arguments or mismatched files, 5 an unreadable results file.
        """
    )

    @Option(help: "Family-wise false-alarm rate (Holm over the metrics).")
    var alpha = 0.05

    @Option(help: "Only changes whose whole interval lies beyond ± this many percent are reported.")
    var noiseFloor = 1.0

    @Option(help: "The floor of ratio metrics (completeness, sampling, drops), absolute: 0.001 = 0.1 percentage points.")
    var ratioFloor = 0.001

    @Option(help: "Write the comparison as JSON here.")
    var json: String?

    @Option(help: "Write the comparison as Markdown here.")
    var markdown: String?

    @Option(help: "A noise profile from A/A runs (tracebench noise): single-run changes are judged against it.")
    var noise: String?

    @Flag(help: "Exit 99 when a metric regressed.")
    var failOnRegression = false

    @Flag(help: "Compare even when the scenario hash, host fingerprint or run kind differ (the differences are printed).")
    var allowMismatch = false

    @Argument(parsing: .captureForPassthrough, help: "BASE… -- CANDIDATE…")
    var files: [String] = []

    func run() throws {
        guard let split = files.firstIndex(of: "--") else { throw CLIError.usage("compare needs BASE… -- CANDIDATE… (the -- separates the sides)") }
        let baseFiles = Array(files[..<split]), candidateFiles = Array(files[(split + 1)...])
        if let option = (baseFiles + candidateFiles).first(where: { $0.hasPrefix("-") }) {
            throw CLIError.usage("'\(option)': options go before the files")
        }
        guard !baseFiles.isEmpty, !candidateFiles.isEmpty else { throw CLIError.usage("each side needs at least one results file") }
        guard alpha > 0, alpha < 0.5, noiseFloor >= 0, noiseFloor.isFinite else { throw CLIError.usage("--alpha must be in (0, 0.5) and --noise-floor ≥ 0") }
        let base = try baseFiles.map { try ResultsInput.run($0, verb: "compare") }, candidate = try candidateFiles.map { try ResultsInput.run($0, verb: "compare") }
        let mismatches = Comparator.mismatches(base: base, candidate: candidate)
        if !mismatches.isEmpty, !allowMismatch {
            throw CLIError.failed(.invalidInput, "tracebench compare: the sides are not comparable:\n" + mismatches.map { "  " + $0 }.joined(separator: "\n")
                + "\n(--allow-mismatch compares them anyway)")
        }
        var options = Comparator.Options()
        options.alpha = alpha
        options.noiseFloorPercent = noiseFloor
        options.ratioFloor = max(0, ratioFloor.isFinite ? ratioFloor : 0)
        var profile: NoiseProfile?
        if let noise {
            profile = try ResultsInput.noiseProfile(noise, verb: "compare")
            let sha = base.first?.results.scenarioFile.sha256 ?? "", host = base.first?.results.environment.hostFingerprint ?? ""
            if !allowMismatch, profile!.scenarioSHA256 != sha || profile!.hostFingerprint != host {
                throw CLIError.usage("the noise profile \(noise) was measured on another scenario or host (--allow-mismatch uses it anyway)")
            }
        }
        let report = Comparator.compare(base: base, candidate: candidate, options: options, noise: profile)
        print(ComparisonText.table(report))
        do {
            if let markdown { try ComparisonText.markdown(report).write(toFile: markdown, atomically: true, encoding: .utf8) }
            if let json { try ResultsFile.write(report, to: json) }
        } catch {
            throw CLIError.environment("cannot write the comparison: \(error.localizedDescription)")
        }
        if failOnRegression, !report.regressions.isEmpty { throw CLIError.failed(.thresholdFailed) }
    }
}
