import Foundation
import TracebenchJudge
import TracebenchMetrics
import TracebenchResults
import TracebenchScenario

/// `capacity.mode: jobs`: offered jobs/s stepped up through the whole traced pipeline (the scenario's API, workers,
/// job mix and tracing) until a limit breaks: queue wait p99, end-to-end p99, dropped arrivals, jobs left pending,
/// spans dropped, an SDK process's RSS. The knee is in jobs/min and traces/min; the plan says how many workers a
/// target needs at the measured per-worker rate, and the storage per day.
extension CapacitySweep {
    /// The jobs-mode limits as thresholds. The load generator not offering the step's rate is the harness's limit
    /// (`sender`), not the pipeline's.
    public static func jobsLimits(_ spec: CapacitySpec, rate: Double) -> ThresholdSet {
        ThresholdSet(thresholds: [
            ThresholdSpec.builtIn("latency.queue_wait.p99", "<= \(spec.maxQueueWaitP99Ms)ms"),
            ThresholdSpec.builtIn("latency.end_to_end.p99", "<= \(spec.maxEndToEndP99Ms)ms"),
            ThresholdSpec.builtIn("jobs.dropped_arrivals", "== 0"),
            ThresholdSpec.builtIn("jobs.pending", "== 0"),
            ThresholdSpec.builtIn("spans.dropped", "== 0"),
            ThresholdSpec.builtIn("resources.api.peak_rss_bytes", "<= \(spec.maxSDKRSSMiB)MiB"),
            ThresholdSpec.builtIn("resources.worker.peak_rss_bytes", "<= \(spec.maxSDKRSSMiB)MiB"),
            ThresholdSpec.builtIn("throughput.jobs_submitted_per_second", ">= \(rate * 0.95)", owner: senderOwner),
        ])
    }

    static func judgeJobs(_ r: RunResults, rate: Double, spec: CapacitySpec, file: String) -> CapacitySummary.Step {
        let verdict = Judge.evaluate(jobsLimits(spec, rate: rate), on: r)
        var step = CapacitySummary.Step()
        step.spansPerSecond = r.throughput.spansPerSecond
        step.jobsPerSecond = rate
        record(verdict, of: r, in: &step, otherLimit: .pipeline) { "the load generator could not offer the rate (\($0))" }
        step.jobsCompletedPerSecond = r.throughput.jobsCompletedPerSecond
        step.queueWaitP99Ms = Double(r.latency["queue_wait"]?.p99 ?? 0) / 1000
        step.endToEndP99Ms = Double(r.latency["end_to_end"]?.p99 ?? 0) / 1000
        step.visibilityP99Ms = Double(r.latency["visibility"]?.p99 ?? 0) / 1000
        step.sdkRSSBytesMax = r.resources.filter { $0.key == "api" || $0.key.hasPrefix("worker-") }.map(\.value.peakRssBytes).max() ?? 0
        step.spansPerSecondOut = r.throughput.spansPerSecond
        step.tracesPerMinute = r.throughput.tracesPerMinute
        step.bytesPerTrace = r.traces.received > 0 ? Double(r.sink.bodyBytes) / Double(r.traces.received) : 0
        step.resultsFile = file
        return step
    }

    static func jobsLine(index: Int, step: CapacitySummary.Step) -> String {
        String(format: "step %d: %.0f jobs/s → %@ (completed %.1f jobs/s, queue wait p99 %.0f ms, end-to-end p99 %.0f ms, SDK RSS %.0f MB, %.0f traces/min)%@",
               index + 1, step.jobsPerSecond, step.passed ? "pass" : "FAIL", step.jobsCompletedPerSecond, step.queueWaitP99Ms, step.endToEndP99Ms,
               Double(step.sdkRSSBytesMax) / 1_048_576, step.tracesPerMinute, step.reasons.isEmpty ? "" : ": " + step.reasons.joined(separator: "; "))
    }

    /// The knee in jobs/min and traces/min, workers needed for the target at the knee's per-worker rate, storage.
    static func plan(_ summary: inout CapacitySummary, spec: CapacitySpec, workers: Int, samplingRatio: Double) {
        summary.targetJobsPerMinute = spec.targetJobsPerMinute
        var knee: CapacitySummary.Step?
        for step in summary.steps {
            guard step.passed else { break }
            knee = step
        }
        if summary.limitedBy == .collector { summary.limitedBy = .pipeline }
        guard let knee else { return }
        summary.kneeJobsPerMinute = knee.jobsPerSecond * 60
        summary.kneeTracesPerMinute = knee.tracesPerMinute
        summary.kneeSpansPerSecond = knee.spansPerSecondOut
        let perWorker = knee.jobsPerSecond / Double(max(workers, 1))
        if perWorker > 0 { summary.workersNeeded = Int(Int64(saturating: (spec.targetJobsPerMinute / 60 / perWorker).rounded(.up))) }
        summary.storageBytesPerDay = knee.bytesPerTrace * spec.targetJobsPerMinute * samplingRatio * 1440
    }
}
