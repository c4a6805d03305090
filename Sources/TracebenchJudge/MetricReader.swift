import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// Reads a ``MetricCatalog`` path out of a run's results, with the evidence behind it. Returns nil when the run
/// did not produce the figure (no collector, no such arm, an empty phase): a threshold on it is `not_measured`.
/// Every name is matched explicitly: a catalog entry without a case here reads as not measured, never as another
/// figure (`MetricReaderTests` observes every template on the golden fixtures).
public enum MetricReader {
    public static func observe(_ metric: ResolvedMetric, in r: RunResults) -> MetricObservation? {
        let segments = metric.segments
        let section = segments[0]
        let name = segments.last ?? ""
        func exact(_ value: Double?) -> MetricObservation? { value.map { MetricObservation(estimate: $0, evidence: .exact) } }
        func proportion(_ successes: Int, _ trials: Int) -> MetricObservation? {
            trials > 0 ? MetricObservation(estimate: Double(successes) / Double(trials), evidence: .proportion(successes: successes, trials: trials)) : nil
        }
        switch section {
        case "latency":
            return latency(phase: metric.parts["phase"] ?? "", stat: metric.parts["stat"] ?? "", in: r)
        case "load":
            guard let load = r.load else { return nil }
            if name == "steal_seconds" { return exact(load.stealSeconds) }
            guard segments.count == 3 else { return nil }
            switch segments[1] {
            case "lag": return summaryStat(load.lag, stat: metric.parts["stat"] ?? "")
            case "hiccups": return load.hiccups.flatMap { summaryStat($0, stat: metric.parts["stat"] ?? "") }
            default: return nil
            }
        case "jobs":
            if name == "failed_ratio" { return proportion(r.jobs.failed, r.jobs.submitted) }
            let j = r.jobs
            let counts = ["submitted": j.submitted, "completed": j.completed, "failed": j.failed, "pending": j.pending,
                          "dropped_arrivals": j.droppedArrivals, "late_starts": j.lateStarts, "submit_errors": j.submitErrors,
                          "retries": j.retries, "timeouts": j.timeouts]
            return r.firehose == nil ? exact(counts[name].map(Double.init)) : nil
        case "traces":
            let t = r.traces
            switch name {
            case "completeness": return proportion(t.complete, t.expected)
            case "broken_context_share": return proportion(t.brokenContextShare.successes, t.brokenContextShare.trials)
            case "error_attribution": return proportion(t.errorAttribution.successes, t.errorAttribution.trials)
            default:
                let counts = ["expected": t.expected, "received": t.received, "complete": t.complete, "orphan_spans": t.orphanSpans,
                              "broken_context": t.brokenContext, "max_depth": t.maxDepth, "error_spans": t.errorSpans,
                              "traces_with_errors": t.tracesWithErrors]
                return r.sink.requests > 0 || t.expected > 0 ? exact(counts[name].map(Double.init)) : nil
            }
        case "sampling":
            let s = r.sampling
            guard s.trials > 0 else { return nil }
            switch name {
            case "observed_ratio": return s.observedRatio.flatMap { proportion(Int(($0 * Double(s.trials)).rounded()), s.trials) }
            case "decided_ratio": return proportion(Int((s.decidedRatio * Double(s.trials)).rounded()), s.trials)
            case "error_retention": return s.errorRetention.flatMap { proportion($0.successes, $0.trials) }
            case "complete_error_retention": return s.completeErrorRetention.flatMap { proportion($0.successes, $0.trials) }
            case "normal_retention": return s.normalRetention.flatMap { proportion($0.successes, $0.trials) }
            case "slow_retention": return s.slowRetention.flatMap { proportion($0.successes, $0.trials) }
            case "end_to_end_keep": return s.chain.flatMap { proportion($0.kept.successes, $0.kept.trials) }
            case "propagated": return s.propagation.flatMap { proportion($0.propagated.successes, $0.propagated.trials) }
            case "decision_agreement": return s.propagation.flatMap { proportion($0.agreement.successes, $0.agreement.trials) }
            case "adjusted_jobs_error": return s.adjusted.flatMap { exact(abs($0.jobs.relativeError)) }
            case "configured_ratio": return exact(s.configuredRatio)
            default: return nil
            }
        case "throughput":
            let t = r.throughput
            guard t.windowSeconds > 0, r.tracesObserved || name.hasPrefix("jobs_") else { return nil }
            switch name {
            case "traces_per_minute":
                let traces = Int((t.tracesPerMinute * t.windowSeconds / 60).rounded())
                return MetricObservation(estimate: t.tracesPerMinute, evidence: .poisson(count: traces, scale: 60 / t.windowSeconds))
            case "jobs_submitted_per_second": return exact(t.jobsSubmittedPerSecond)
            case "jobs_completed_per_second": return exact(t.jobsCompletedPerSecond)
            case "spans_per_second": return exact(t.spansPerSecond)
            default: return nil
            }
        case "spans":
            let s = r.spans
            if name == "drop_ratio" {
                let offered = r.firehose?.spansSent ?? s.exported
                return offered > 0 ? exact(Double(s.dropped) / Double(offered)) : nil
            }
            if let optional = ["late": s.late, "duplicates": s.duplicates, "unowned": s.unowned][name] { return exact(optional.map(Double.init)) }
            return exact(["created": s.created, "exported": s.exported, "received": s.received, "dropped": s.dropped][name].map(Double.init))
        case "resources":
            return resource(process: metric.parts["process"] ?? "", name: name, in: r)
        case "overhead":
            guard let arm = r.overhead?[metric.parts["arm"] ?? ""] else { return nil }
            let figure: DifferenceEstimate? = switch name {
            case "per_request_us": arm.perRequestUs.difference
            case "per_job_us": arm.perJobUs?.difference
            case "per_span_us": arm.perSpanUs?.difference
            case "cpu_us_per_job": arm.cpuUsPerJob
            case "rss_delta_bytes": arm.rssDeltaBytes
            default: nil
            }
            guard let figure, figure.samples > 0 else { return nil }
            return MetricObservation(estimate: figure.estimate, evidence: .interval95(low: figure.ciLow, high: figure.ciHigh))
        case "collector":
            guard let c = r.collector else { return nil }
            let values: [String: Double] = [
                "spans_in": Double(c.spansIn), "spans_out": Double(c.spansOut), "dropped": Double(c.dropped),
                "drop_ratio": c.spansIn > 0 ? Double(c.dropped) / Double(c.spansIn) : .nan,
                "spans_per_second_out": c.spansPerSecondOut, "traces_per_minute_out": c.tracesPerMinuteOut,
                "cpu_percent_avg": c.cpuPercentAvg, "cpu_percent_max": c.cpuPercentMax, "rss_bytes_avg": c.rssBytesAvg,
                "rss_bytes_max": Double(c.rssBytesMax), "visibility_p99_ms": c.visibilityP99Ms, "bytes_per_trace": c.bytesPerTrace,
                "storage_bytes_per_day": c.storageBytesPerDay,
            ]
            return values[name].flatMap { $0.isNaN ? nil : exact($0) }
        case "firehose":
            guard let f = r.firehose else { return nil }
            let values: [String: Double] = [
                "requests_failed": Double(f.requestsFailed), "batches_dropped": Double(f.batchesDropped),
                "spans_sent": Double(f.spansSent), "send_rate_spans_per_second": f.sendRateSpansPerSecond,
            ]
            return exact(values[name])
        case "critical_path":
            guard let path = r.criticalPath, path.traces > 0 else { return nil }
            guard let segment = path.segments[metric.parts["segment"] ?? ""] else {
                // On no critical path of the run's whole traces: its share is 0, measured; its time there is not.
                return segments[2] == "share" ? MetricObservation(estimate: 0, evidence: .interval95(low: 0, high: 0))
                    : segments[2] == "on_path" ? proportion(0, path.traces) : nil
            }
            switch segments[2] {
            case "share": return MetricObservation(estimate: segment.share.estimate, evidence: .interval95(low: segment.share.ciLow, high: segment.share.ciHigh))
            case "on_path": return proportion(segment.onPath.successes, segment.onPath.trials)
            case "contribution": return summaryStat(segment.contribution, stat: metric.parts["stat"] ?? "")
            default: return nil
            }
        case "topology":
            guard let edge = r.topology?.edges[metric.parts["edge"] ?? ""] else { return nil }
            switch segments[2] {
            case "calls": return exact(Double(edge.calls))
            case "error_share": return proportion(edge.errorShare.successes, edge.errorShare.trials)
            case "latency": return summaryStat(edge.latency, stat: metric.parts["stat"] ?? "")
            default: return nil
            }
        case "errors":
            guard let errors = r.errors else { return nil }
            if name == "traces" { return exact(Double(errors.traces)) }
            // A cause never seen among measured error traces explains 0 of them; without error traces it is not measured.
            guard errors.traces > 0 else { return nil }
            let cause = errors.rootCauses[metric.parts["segment"] ?? ""]
            return proportion(cause?.share.successes ?? 0, errors.traces)
        case "sink":
            if name == "overflow" { return r.sink.requests > 0 ? exact(Double(r.sink.overflow)) : nil }
            if name == "peak_open_spans" { return r.sink.peakOpenSpans.flatMap { exact(Double($0)) } }
            guard name == "rejected" else { return nil }
            return r.sink.requests > 0 || !r.sink.rejected.isEmpty ? exact(Double(r.sink.rejected.values.reduce(0, +))) : nil
        default:
            return nil
        }
    }

    static func latency(phase: String, stat: String, in r: RunResults) -> MetricObservation? {
        r.latency[phase].flatMap { summaryStat($0, stat: stat) }
    }

    /// `pNN` (on the stored histogram's order-statistic interval), `max`, `mean` or `count` of a latency summary.
    static func summaryStat(_ summary: LatencySummary, stat: String) -> MetricObservation? {
        guard summary.count > 0 else { return nil }
        switch stat {
        case "max": return MetricObservation(estimate: Double(summary.max), evidence: .exact)
        case "mean": return MetricObservation(estimate: summary.mean, evidence: .exact)
        case "count": return MetricObservation(estimate: Double(summary.count), evidence: .exact)
        default: break
        }
        guard let percentile = Double(stat.dropFirst()) else { return nil }
        if let text = summary.histogram, let histogram = try? LatencyHistogram(encoded: text), histogram.count > 0 {
            return MetricObservation(estimate: Double(histogram.value(atPercentile: percentile)),
                                     evidence: .quantile(histogram, q: percentile / 100))
        }
        // A schema 1 file: only p50/p90/p99 were stored, and no distribution to put an interval on.
        let stored: [Double: UInt64] = [50: summary.p50, 90: summary.p90, 99: summary.p99]
        guard let value = stored[percentile] else { return nil }
        return MetricObservation(estimate: Double(value), evidence: .exact, note: "no histogram in this file: judged on the point estimate")
    }

    static func resource(process: String, name: String, in r: RunResults) -> MetricObservation? {
        let usages = process == "worker"
            ? r.resources.filter { $0.key.hasPrefix("worker-") }.map(\.value)
            : r.resources[process].map { [$0] } ?? []
        guard !usages.isEmpty else { return nil }
        let values = usages.compactMap { usage -> Double? in
            switch name {
            case "peak_rss_bytes": Double(usage.peakRssBytes)
            case "rss_bytes_avg": usage.rssBytesAvg
            case "cpu_seconds": usage.cpuSeconds
            case "cpu_percent_avg": usage.cpuPercentAvg
            case "cpu_percent_max": usage.cpuPercentMax
            case "rss_growth_ratio": usage.rssGrowthRatio
            default: nil
            }
        }
        guard let largest = values.max() else { return nil }
        return MetricObservation(estimate: largest, evidence: .exact)
    }
}
