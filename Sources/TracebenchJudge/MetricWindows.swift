import Foundation
import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// `over:` windows (k6 issue #2379): a threshold judged on every sliding window of the per-interval series, not on
/// the whole run. The judge takes the worst window and multiplies its p-value by the number of windows (Bonferroni),
/// so looking at many windows does not raise the false-alarm rate.
public enum MetricWindows {
    /// The worst window for `condition` (the one whose estimate breaks it most) and how many windows there were;
    /// nil when the run has no series or the metric has no per-interval form.
    public static func worst(_ metric: ResolvedMetric, in r: RunResults, seconds: Double,
                             condition: ThresholdCondition) -> (observation: MetricObservation, windows: Int, startSeconds: Double)? {
        guard let series = r.series, series.intervalSeconds > 0 else { return nil }
        let width = max(1, Int((seconds / series.intervalSeconds).rounded()))
        let windows = observations(metric, series: series, width: width)
        guard !windows.isEmpty else { return nil }
        let target = condition.value ?? 0
        // The worst window: the largest estimate under an upper limit, the smallest over a lower one, else the farthest.
        let indexed = Array(windows.enumerated())
        let worst: (offset: Int, element: MetricObservation) = switch condition.op {
        case .lessThan, .atMost: indexed.max { $0.element.estimate < $1.element.estimate }!
        case .greaterThan, .atLeast: indexed.min { $0.element.estimate < $1.element.estimate }!
        default: indexed.max { abs($0.element.estimate - target) < abs($1.element.estimate - target) }!
        }
        var observation = worst.element
        observation.note = "worst of \(windows.count) windows of \(String(format: "%.1f", Double(width) * series.intervalSeconds)) s, from \(String(format: "%.1f", Double(worst.offset) * series.intervalSeconds)) s"
        return (observation, windows.count, Double(worst.offset) * series.intervalSeconds)
    }

    /// One observation per window position (windows of `width` intervals, stepping one interval).
    static func observations(_ metric: ResolvedMetric, series: IntervalSeries, width: Int) -> [MetricObservation] {
        let count = series.count
        guard count > 0 else { return [] }
        let positions = max(1, count - width + 1)
        let seconds = Double(min(width, count)) * series.intervalSeconds
        if metric.template.hasPrefix("latency."), let percentile = metric.percentile, let phase = metric.parts["phase"],
           let encoded = series.latency[phase] {
            let histograms = encoded.map { $0.isEmpty ? LatencyHistogram() : (try? LatencyHistogram(encoded: $0)) ?? LatencyHistogram() }
            return (0..<positions).compactMap { start in
                var merged = LatencyHistogram()
                for index in start..<min(start + width, histograms.count) { merged.merge(histograms[index]) }
                guard merged.count > 0 else { return nil }
                return MetricObservation(estimate: Double(merged.value(atPercentile: percentile)), evidence: .quantile(merged, q: percentile / 100))
            }
        }
        let counter: [Int]?
        var scale = 1 / seconds
        switch metric.path {
        case "throughput.jobs_submitted_per_second": counter = series.counters[IntervalSeries.Counter.submitted]
        case "throughput.jobs_completed_per_second":
            let completed = series.counters[IntervalSeries.Counter.completed] ?? [], failed = series.counters[IntervalSeries.Counter.failed] ?? []
            counter = completed.isEmpty ? nil : completed.indices.map { completed[$0] + (failed.indices.contains($0) ? failed[$0] : 0) }
        case "throughput.spans_per_second": counter = series.counters[IntervalSeries.Counter.spansAtSink]
        case "throughput.traces_per_minute":
            counter = series.counters[IntervalSeries.Counter.tracesAtSink]
            scale = 60 / seconds
        default: counter = nil
        }
        guard let counter, !counter.isEmpty else { return [] }
        return (0..<positions).map { start in
            let total = counter[start..<min(start + width, counter.count)].reduce(0, +)
            return MetricObservation(estimate: Double(total) * scale, evidence: .poisson(count: total, scale: scale))
        }
    }
}
