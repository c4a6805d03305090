import TracebenchMetrics
import TracebenchResults

/// The design document's promises as thresholds, and the scoreboard every run's summary and report open with: each
/// promise judged on the run's figures by the same engine as thresholds (``Judge``: intervals, Holm), so a figure the
/// run did not measure is `not_measured` and a "100 %" that sampling cannot prove is `inconclusive`.
///
/// `scenarios/promises.yaml` holds the same thresholds as a file a user copies and edits (`report --promises`,
/// `gate --thresholds`); a test keeps the two equal.
public enum Promises {
    /// The design document's promises, in its order.
    public static let designDocument = ThresholdSet(thresholds: [
        .builtIn("overhead.otlp.per_request_us", "< 5ms"),
        .builtIn("overhead.otlp.per_request_us", "< 2ms"),
        .builtIn("throughput.traces_per_minute", ">= 500"),
        .builtIn("collector.rss_bytes_max", "< 100MB"),
        .builtIn("collector.cpu_percent_avg", "< 10%"),
        .builtIn("sampling.observed_ratio", "contains configured"),
        .builtIn("sampling.error_retention", ">= 1"),
        .builtIn("traces.completeness", ">= 0.99"),
        .builtIn("latency.visibility.p99", "< 10s"),
    ])

    /// Each promise of `set` judged on `results`.
    public static func scoreboard(_ results: RunResults, promises set: ThresholdSet = designDocument) -> GateVerdict {
        Judge.evaluate(set, on: results)
    }
}

extension GateVerdict {
    /// `3 pass, 1 fail, 2 inconclusive, 3 not measured` (kinds with none left out).
    public var tally: String {
        let kinds: [(ThresholdOutcomeKind, String)] = [(.pass, "pass"), (.fail, "fail"), (.inconclusive, "inconclusive"), (.notMeasured, "not measured")]
        return kinds.compactMap { kind, name in
            let n = thresholds.filter { $0.outcome == kind }.count
            return n > 0 ? "\(n) \(name)" : nil
        }.joined(separator: ", ")
    }

    /// Thresholds that failed: what the summary's and the report's headings say beside the status.
    public var failures: Int { thresholds.filter { $0.outcome == .fail }.count }
}
