import Foundation
import TracebenchResults
import TracebenchScenario

/// `tracebench capacity`: firehose steps at rising spans/s through the collector under test until a limit
/// breaks (drops, visibility p99, collector CPU or RSS); the knee is the highest passing step. Each step is a
/// whole run with its own results file; the summary adds a plan: collectors needed for the target traces/min
/// and storage per day.
public enum CapacitySweep {
    /// One step as judged.
    public struct Step: Codable, Sendable {
        public var spansPerSecond: Double
        public var passed: Bool
        /// Why the step failed (empty when it passed).
        public var reasons: [String]
        public var spansPerSecondOut: Double
        public var tracesPerMinute: Double
        public var dropRatio: Double
        public var visibilityP99Ms: Double
        public var collectorCPUPercentAvg: Double
        public var collectorRSSBytesMax: UInt64
        public var bytesPerTrace: Double
        public var resultsFile: String
    }

    /// The sweep's summary file.
    public struct Summary: Codable, Sendable {
        public var schemaVersion = 1
        public var scenario: String
        public var steps: [Step] = []
        /// Highest passing step (nil when even the first failed).
        public var kneeSpansPerSecond: Double?
        public var kneeTracesPerMinute: Double?
        /// What ended the sweep: `collector` (a limit broke: the knee is the collector's), `sender` (only the
        /// sender fell behind: the machine could not offer more, the knee is a lower bound), `max_steps` (every
        /// step passed: a lower bound too) or `interrupted`.
        public var limitedBy = "max_steps"
        public var targetTracesPerMinute: Double
        public var collectorsNeeded: Int?
        public var storageBytesPerDay: Double?
        public var interrupted = false
    }

    public static func run(scenario: Scenario, options: RunOptions, log: @Sendable (String) -> Void) async throws(RunFailure) -> (Summary, String) {
        let spec = scenario.capacity
        var summary = Summary(scenario: scenario.name, targetTracesPerMinute: spec.targetTracesPerMinute)
        let stamp = ResultsFile.defaultPath(directory: options.resultsDirectory, scenarioName: "\(scenario.name)-capacity")
        var rate = spec.startSpansPerSecond
        for index in 0..<spec.maxSteps {
            var step = scenario
            step.load.kind = .firehose
            step.firehose.spansPerSecond = rate
            step.durationSeconds = spec.stepSeconds
            step.name = "\(scenario.name)-step\(index + 1)"
            var stepOptions = options
            stepOptions.outputPath = stamp.replacingOccurrences(of: ".json", with: "-step\(index + 1).json")
            stepOptions.progress = false
            let outcome = try await RunCoordinator.run(scenario: step, options: stepOptions)
            let judged = judge(outcome.results, rate: rate, spec: spec, file: outcome.path)
            summary.steps.append(judged)
            log(String(format: "step %d: %.0f spans/s → %@ (out %.0f spans/s, drops %.4f, visibility p99 %.0f ms, collector CPU %.0f%%, RSS %.0f MB)%@",
                       index + 1, rate, judged.passed ? "pass" : "FAIL", judged.spansPerSecondOut, judged.dropRatio, judged.visibilityP99Ms,
                       judged.collectorCPUPercentAvg, Double(judged.collectorRSSBytesMax) / 1_048_576,
                       judged.reasons.isEmpty ? "" : ": " + judged.reasons.joined(separator: "; ")))
            if outcome.exitCode == ExitCode.interrupted { summary.interrupted = true }
            if summary.interrupted { summary.limitedBy = "interrupted" }
            if !judged.passed { summary.limitedBy = limit(of: judged) }
            if !judged.passed || summary.interrupted { break }
            summary.kneeSpansPerSecond = rate
            summary.kneeTracesPerMinute = judged.tracesPerMinute
            rate *= spec.stepFactor
        }
        if let knee = summary.kneeTracesPerMinute, knee > 0 {
            summary.collectorsNeeded = Int((spec.targetTracesPerMinute / knee).rounded(.up))
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

    /// How a step that failed only because the firehose fell behind its schedule is told apart.
    static let senderBehind = "the sender could not keep up"

    /// Whose limit a failed step shows: `sender` when the only reason is that the firehose fell behind.
    static func limit(of failed: Step) -> String {
        failed.reasons.allSatisfy { $0.hasPrefix(senderBehind) } ? "sender" : "collector"
    }

    static func judge(_ r: RunResults, rate: Double, spec: CapacitySpec, file: String) -> Step {
        let sent = Double(r.firehose?.spansSent ?? 0)
        let dropRatio = sent > 0 ? Double(r.spans.dropped) / sent : 0
        let visibilityP99 = Double(r.latency["visibility"]?.p99 ?? 0) / 1000
        let cpu = r.collector?.cpuPercentAvg ?? 0
        let rss = r.collector?.rssBytesMax ?? 0
        var reasons: [String] = []
        if r.status != "ok" { reasons.append("run \(r.status): \(r.problems.joined(separator: "; "))") }
        if dropRatio > spec.maxDropRatio { reasons.append(String(format: "drops %.4f > %.4f", dropRatio, spec.maxDropRatio)) }
        if visibilityP99 > spec.maxVisibilityP99Seconds * 1000 { reasons.append(String(format: "visibility p99 %.0f ms > %.0f s", visibilityP99, spec.maxVisibilityP99Seconds)) }
        if cpu > spec.maxCollectorCPUPercent { reasons.append(String(format: "collector CPU %.0f%% > %.0f%%", cpu, spec.maxCollectorCPUPercent)) }
        if Double(rss) > spec.maxCollectorRSSMiB * 1_048_576 { reasons.append(String(format: "collector RSS %.0f MB > %.0f MB", Double(rss) / 1_048_576, spec.maxCollectorRSSMiB)) }
        if let f = r.firehose, f.batchesDropped > 0 {
            reasons.append("\(senderBehind) (\(f.batchesDropped) batches dropped at concurrency \(r.scenario.firehose.concurrency)): raise firehose.concurrency")
        }
        return Step(spansPerSecond: rate, passed: reasons.isEmpty, reasons: reasons, spansPerSecondOut: r.throughput.spansPerSecond,
                    tracesPerMinute: r.throughput.tracesPerMinute, dropRatio: dropRatio, visibilityP99Ms: visibilityP99,
                    collectorCPUPercentAvg: cpu, collectorRSSBytesMax: rss, bytesPerTrace: r.collector?.bytesPerTrace ?? 0, resultsFile: file)
    }
}
