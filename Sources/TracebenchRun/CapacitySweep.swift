import Foundation
import TracebenchJudge
import TracebenchMetrics
import TracebenchResults
import TracebenchScenario

/// `tracebench capacity`: firehose steps at rising spans/s through the collector under test until a limit
/// breaks; the knee is the highest passing step. Each step is a whole run with its own results file, judged by the
/// threshold engine against the capacity limits (``limits(_:)``); the summary adds a plan: collectors needed for
/// the target traces/min and storage per day.
public enum CapacitySweep {
    /// Who owns the sender's own limit (the firehose falling behind its schedule).
    static let senderOwner = CapacityLimit.sender.rawValue

    /// The capacity section's limits as thresholds: drops, visibility p99, collector CPU and RSS, and the sender
    /// keeping its schedule (owned by `sender`: when only that breaks, the machine, not the collector, is the limit).
    public static func limits(_ spec: CapacitySpec, collector: Bool = true) -> ThresholdSet {
        var thresholds = [
            ThresholdSpec.builtIn("spans.drop_ratio", "<= \(spec.maxDropRatio)"),
            ThresholdSpec.builtIn("latency.visibility.p99", "<= \(spec.maxVisibilityP99Seconds)s"),
        ]
        if collector {
            thresholds.append(ThresholdSpec.builtIn("collector.cpu_percent_avg", "<= \(spec.maxCollectorCPUPercent)"))
            thresholds.append(ThresholdSpec.builtIn("collector.rss_bytes_max", "<= \(spec.maxCollectorRSSMiB)MiB"))
        }
        thresholds.append(ThresholdSpec.builtIn("firehose.batches_dropped", "== 0", owner: senderOwner))
        return ThresholdSet(thresholds: thresholds)
    }

    public static func run(scenario: Scenario, options: RunOptions, log: @Sendable (String) -> Void) async throws(RunFailure) -> (CapacitySummary, String) {
        let spec = scenario.capacity
        var summary = CapacitySummary(scenario: scenario.name, targetTracesPerMinute: spec.targetTracesPerMinute)
        summary.scenarioFile = ScenarioRecord.file(path: scenario.source.path, yaml: scenario.source.text)
        summary.environment = await EnvironmentProbe.current()
        let stamp = ResultsFile.defaultPath(directory: options.resultsDirectory, scenarioName: "\(scenario.name)-capacity")
        if let reason = ResultsFile.unwritableReason(stamp) { throw .scenario("cannot write results to \(stamp): \(reason)") }
        let jobsMode = spec.mode == .jobs
        summary.mode = spec.mode.rawValue
        var rate = jobsMode ? spec.startJobsPerSecond : spec.startSpansPerSecond
        for index in 0..<spec.maxSteps {
            // A signal that came while the last step was judged stops the sweep here, not one step on.
            if options.handleSignals && ProcessSignals.received {
                summary.interrupted = true
                summary.limitedBy = .interrupted
                break
            }
            var step = scenario
            step.durationSeconds = spec.stepSeconds
            step.name = "\(scenario.name)-step\(index + 1)"
            if jobsMode {
                step.load.kind = .jobs
                step.load.arrival = .constant
                step.load.ratePerSecond = rate
                step.source.overrides = ["load.rate_per_s": rate, "duration_s": spec.stepSeconds]
            } else {
                step.load.kind = .firehose
                step.firehose.spansPerSecond = rate
                // The step's results say what the step ran, not only what the file says.
                step.source.overrides = ["firehose.spans_per_s": rate, "duration_s": spec.stepSeconds]
            }
            var stepOptions = options
            stepOptions.outputPath = stamp.replacingOccurrences(of: ".json", with: "-step\(index + 1).json")
            stepOptions.progress = false
            let outcome = try await RunCoordinator.run(scenario: step, options: stepOptions)
            let judged = jobsMode ? judgeJobs(outcome.results, rate: rate, spec: spec, file: outcome.path)
                : judge(outcome.results, rate: rate, spec: spec, file: outcome.path)
            summary.steps.append(judged)
            log(jobsMode ? jobsLine(index: index, step: judged)
                : String(format: "step %d: %.0f spans/s → %@ (out %.0f spans/s, drops %.4f, visibility p99 %.0f ms, collector CPU %.0f%%, RSS %.0f MB)%@",
                         index + 1, rate, judged.passed ? "pass" : "FAIL", judged.spansPerSecondOut, judged.dropRatio, judged.visibilityP99Ms,
                         judged.collectorCPUPercentAvg, Double(judged.collectorRSSBytesMax) / 1_048_576,
                         judged.reasons.isEmpty ? "" : ": " + judged.reasons.joined(separator: "; ")))
            if outcome.exitStatus == .interrupted { summary.interrupted = true }
            if summary.interrupted { summary.limitedBy = .interrupted }
            if !judged.passed { summary.limitedBy = judged.limitedBy }
            if !judged.passed || summary.interrupted { break }
            summary.kneeSpansPerSecond = rate
            summary.kneeTracesPerMinute = judged.tracesPerMinute
            rate *= spec.stepFactor
        }
        if jobsMode {
            plan(&summary, spec: spec, workers: scenario.pipeline.workers, samplingRatio: scenario.tracing.configuredRatio)
        } else if let knee = summary.kneeTracesPerMinute, knee > 0 {
            summary.collectorsNeeded = Int(Int64(saturating: (spec.targetTracesPerMinute / knee).rounded(.up)))
            let bytesPerTrace = summary.steps.last { $0.passed }?.bytesPerTrace ?? 0
            summary.storageBytesPerDay = bytesPerTrace * spec.targetTracesPerMinute * 60 * 24
        }
        let path = stamp
        do {
            try ResultsFile.write(summary, to: path)
        } catch {
            throw .environment("cannot write \(path): \(error)")
        }
        return (summary, path)
    }

    /// A step's verdict, reasons, pass and whose limit broke: `sender` when only sender-owned thresholds failed
    /// (`senderReason` words them), else `otherLimit`. Shared by both sweep modes.
    static func record(_ verdict: GateVerdict, of r: RunResults, in step: inout CapacitySummary.Step, otherLimit: CapacityLimit,
                       senderReason: (String) -> String) {
        step.verdict = verdict
        var reasons: [String] = []
        if r.status != RunStatus.ok { reasons.append("run \(r.status): \(r.problems.map(\.message).joined(separator: "; "))") }
        let broken = verdict.thresholds.filter { $0.outcome != .pass }
        reasons += broken.map { $0.spec.owner == senderOwner ? senderReason($0.message) : $0.message }
        step.reasons = reasons
        step.passed = reasons.isEmpty
        if !step.passed {
            step.limitedBy = r.status == RunStatus.ok && !broken.isEmpty && broken.allSatisfy { $0.spec.owner == senderOwner } ? .sender : otherLimit
        }
    }

    /// One step judged by the threshold engine: it passes when every limit passes and the run itself was ok; a
    /// failed step is the sender's when only sender-owned limits broke, else the collector's.
    static func judge(_ r: RunResults, rate: Double, spec: CapacitySpec, file: String) -> CapacitySummary.Step {
        // Without a collector under test (the sweep aimed at the sink) only the collector's own limits are left out.
        let verdict = Judge.evaluate(limits(spec, collector: r.collector != nil), on: r)
        var step = CapacitySummary.Step()
        step.spansPerSecond = rate
        record(verdict, of: r, in: &step, otherLimit: .collector) { "the sender could not keep up (\($0)): raise firehose.concurrency" }
        let sent = Double(r.firehose?.spansSent ?? 0)
        step.dropRatio = sent > 0 ? Double(r.spans.dropped) / sent : 0
        step.visibilityP99Ms = Double(r.latency["visibility"]?.p99 ?? 0) / 1000
        step.collectorCPUPercentAvg = r.collector?.cpuPercentAvg ?? 0
        step.collectorRSSBytesMax = r.collector?.rssBytesMax ?? 0
        step.spansPerSecondOut = r.throughput.spansPerSecond
        step.tracesPerMinute = r.throughput.tracesPerMinute
        step.bytesPerTrace = r.collector?.bytesPerTrace ?? 0
        step.resultsFile = file
        return step
    }
}
