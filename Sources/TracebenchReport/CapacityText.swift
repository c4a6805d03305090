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
        var lines = [String(format: "knee: %@%.0f jobs/min (%.0f traces/min) — %d worker(s) for %.0f jobs/min, %.1f MB/day of traces; summary in %@",
                            summary.limitedBy == .pipeline ? "" : "at least ", knee, summary.kneeTracesPerMinute ?? 0, summary.workersNeeded ?? 0,
                            summary.targetJobsPerMinute ?? 0, (summary.storageBytesPerDay ?? 0) / 1e6, path)]
        if summary.limitedBy == .sender { lines.append("the pipeline kept up; the load generator on this machine could not offer more: the knee is a lower bound") }
        if summary.limitedBy == .maxSteps { lines.append("every step passed: raise capacity.max_steps to find the knee") }
        return lines
    }

    private static func firehoseLines(_ summary: CapacitySummary, path: String) -> [String] {
        guard let knee = summary.kneeSpansPerSecond, let traces = summary.kneeTracesPerMinute else { return ["no step passed; summary in \(path)"] }
        var lines = [String(format: "knee: %@%.0f spans/s (%.0f traces/min) — %d collector(s) for %.0f traces/min, %.1f MB/day of traces; summary in %@",
                            summary.limitedBy == .collector ? "" : "at least ", knee, traces, summary.collectorsNeeded ?? 0, summary.targetTracesPerMinute,
                            (summary.storageBytesPerDay ?? 0) / 1e6, path)]
        switch summary.limitedBy {
        case .maxSteps: lines.append("every step passed: no limit broke within capacity.max_steps; raise it to find the knee")
        case .sender: lines.append("the collector kept up; the sender on this machine could not offer more: the knee is a lower bound")
        default: break
        }
        return lines
    }

    /// The sink-speed verdict: both medians and their ratio, then each problem.
    public static func lines(_ summary: SinkSpeedSummary, path: String) -> [String] {
        [String(format: "sink %.0f spans/s, collector %.0f spans/s (medians): ratio %.2f; summary in %@",
                summary.sinkSpansPerSecond, summary.collectorSpansPerSecond, summary.ratio, path)]
            + summary.problems.map { "problem: [\($0.kind)] \($0.message)" }
    }
}
