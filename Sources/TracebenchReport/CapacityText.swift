import Foundation
import TracebenchResults

/// The lines `tracebench capacity` and `tracebench sink-speed` print after their sweep: the knee and the plan, or
/// the ratio, each with what bounds it.
public enum CapacityText {
    /// The knee of a capacity sweep (jobs or firehose), its plan, and what ended the sweep; `path` is the summary's.
    public static func lines(_ summary: CapacitySummary, path: String) -> [String] {
        summary.mode == "jobs" ? jobsLines(summary, path: path) : firehoseLines(summary, path: path)
    }

    private static func jobsLines(_ summary: CapacitySummary, path: String) -> [String] {
        guard let knee = summary.kneeJobsPerMinute else { return ["no step passed; summary in \(path)"] }
        let traces = summary.kneeTracesPerMinute.map { String(format: "%.0f traces/min", $0) } ?? "traces/min not measured"
        let workers = summary.workersNeeded.map { "\($0) worker(s)" } ?? "workers not measured"
        let plan = summary.targetJobsPerMinute.map { String(format: "%@ for %.0f jobs/min", workers, $0) } ?? "no target: workers not measured"
        var lines = [String(format: "knee: %@%.0f jobs/min (%@) — %@, %@ of traces; summary in %@",
                            summary.limitedBy == .pipeline ? "" : "at least ", knee, traces, plan, storage(summary), path)]
        if summary.limitedBy == .sender { lines.append("the pipeline kept up; the load generator on this machine could not offer more: the knee is a lower bound") }
        if summary.limitedBy == .maxSteps { lines.append("every step passed: raise capacity.max_steps to find the knee") }
        return lines
    }

    private static func firehoseLines(_ summary: CapacitySummary, path: String) -> [String] {
        guard let knee = summary.kneeSpansPerSecond, let traces = summary.kneeTracesPerMinute else { return ["no step passed; summary in \(path)"] }
        let collectors = summary.collectorsNeeded.map { "\($0) collector(s)" } ?? "collectors not measured"
        var lines = [String(format: "knee: %@%.0f spans/s (%.0f traces/min) — %@ for %.0f traces/min, %@ of traces; summary in %@",
                            summary.limitedBy == .collector ? "" : "at least ", knee, traces, collectors, summary.targetTracesPerMinute,
                            storage(summary), path)]
        switch summary.limitedBy {
        case .maxSteps: lines.append("every step passed: no limit broke within capacity.max_steps; raise it to find the knee")
        case .sender: lines.append("the collector kept up; the sender on this machine could not offer more: the knee is a lower bound")
        default: break
        }
        return lines
    }

    /// Storage per day at the target ("12.3 MB/day"), or "MB/day not measured".
    private static func storage(_ summary: CapacitySummary) -> String {
        summary.storageBytesPerDay.map { String(format: "%.1f MB/day", $0 / 1e6) } ?? "MB/day not measured"
    }

    /// The sink-speed verdict: both medians and their ratio, then each problem.
    public static func lines(_ summary: SinkSpeedSummary, path: String) -> [String] {
        [String(format: "sink %.0f spans/s, collector %.0f spans/s (medians): ratio %.2f; summary in %@",
                summary.sinkSpansPerSecond, summary.collectorSpansPerSecond, summary.ratio, path)]
            + summary.problems.map { "problem: [\($0.kind)] \($0.message)" }
    }
}
