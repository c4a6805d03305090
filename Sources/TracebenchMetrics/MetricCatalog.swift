/// How much a metric's value can be trusted as an estimate of the system's true value, and so how a threshold on
/// it is judged.
public enum MetricEvidence: String, Sendable, Codable {
    /// A count or a measured value of this run, taken as it is (spans dropped, peak RSS).
    case exact
    /// successes of trials: an exact binomial (Clopper–Pearson) interval (completeness, observed sampling ratio).
    case proportion
    /// A percentile of a stored HdrHistogram: a distribution-free order-statistic interval.
    case quantile
    /// An estimate with a stored 95 % interval (overhead bootstrap, paired t): a normal approximation per side.
    case interval
    /// A rate from a count of independent events (traces per minute): a Poisson interval on the count.
    case poisson
}

/// One metric a threshold may name: its path (with placeholders), unit, evidence and meaning.
public struct MetricDefinition: Sendable {
    /// E.g. `latency.{phase}.{percentile}`; placeholders are listed in ``MetricCatalog/placeholders``.
    public let template: String
    public let unit: MetricUnit
    public let evidence: MetricEvidence
    public let meaning: String
    /// Smaller values are better (latency, drops) — false where larger is better (completeness, throughput).
    /// Informs compare/report directions; a threshold's own operator decides pass and fail.
    public let lowerIsBetter: Bool
    /// False for parts of a whole (critical-path shares): when one segment's share grows the others' shrink, so a
    /// move is `changed`, never an improvement or a regression by itself.
    public let directed: Bool

    init(_ template: String, _ unit: MetricUnit, _ evidence: MetricEvidence, lowerIsBetter: Bool = true, directed: Bool = true, _ meaning: String) {
        self.template = template
        self.unit = unit
        self.evidence = evidence
        self.meaning = meaning
        self.lowerIsBetter = lowerIsBetter
        self.directed = directed
    }
}

/// A metric path resolved against the catalog: the definition, the concrete path, and its placeholder values.
public struct ResolvedMetric: Sendable, Equatable {
    public let path: String
    /// The path's segments (`p99.9` kept whole).
    public let segments: [String]
    public let template: String
    /// Placeholder name → value (`phase` → `end_to_end`, `percentile` → `99`).
    public let parts: [String: String]
    public let unit: MetricUnit
    public let evidence: MetricEvidence

    /// The percentile of a `{percentile}` or `{stat}` placeholder written `pNN` (`p99.9` → 99.9).
    public var percentile: Double? {
        guard let text = parts["stat"], text.hasPrefix("p") else { return nil }
        return Double(text.dropFirst())
    }
}

/// The one registry of metric paths: every path a threshold, `gate`, `compare` or `report` may name. Paths are
/// checked against it when a scenario or thresholds file is loaded, so a misspelt metric is an error with a
/// suggestion, never a threshold that silently never fires.
public enum MetricCatalog {
    /// Latency phases of a jobs run (µs), in pipeline order.
    public static let phases = ["submit", "queue_wait", "processing", "end_to_end", "visibility"]
    /// Overhead arms that can be measured against the baseline.
    public static let arms = ["off", "sdk", "otlp"]
    /// Process names sampled from /proc (`worker` = the largest over every `worker-N`).
    public static let processes = ["coordinator", "api", "worker", "redis", "collector"]

    public static let definitions: [MetricDefinition] = [
        .init("latency.{phase}.{stat}", .microseconds, .quantile, "a latency phase: pNN (any percentile, e.g. p99.9; judged on its order-statistic interval), max, mean, count"),
        .init("load.lag.{stat}", .microseconds, .quantile, "the generator's own lag: intended instant → send dispatched (pNN, max, mean, count)"),
        .init("load.hiccups.{stat}", .microseconds, .quantile, "the machine's own pauses while the load ran: a 1 ms sleep's overshoot, corrected for the sleeps a pause swallowed (pNN, max, mean, count)"),
        .init("load.steal_seconds", .seconds, .exact, "the kernel's steal time while the load ran (s, every CPU summed): the hypervisor ran something else"),
        .init("jobs.submitted", .count, .exact, lowerIsBetter: false, "jobs the API accepted"),
        .init("jobs.completed", .count, .exact, lowerIsBetter: false, "jobs completed"),
        .init("jobs.failed", .count, .exact, "jobs that failed"),
        .init("jobs.pending", .count, .exact, "jobs not finished when the run ended"),
        .init("jobs.dropped_arrivals", .count, .exact, "arrivals not started: max_in_flight reached"),
        .init("jobs.late_starts", .count, .exact, "arrivals started more than 1 ms late"),
        .init("jobs.submit_errors", .count, .exact, "failed submissions"),
        .init("jobs.retries", .count, .exact, "extra attempts"),
        .init("jobs.timeouts", .count, .exact, "attempts cut off by the job timeout"),
        .init("jobs.failed_ratio", .ratio, .proportion, "failed ÷ submitted"),
        .init("traces.expected", .count, .exact, lowerIsBetter: false, "sampled API traces"),
        .init("traces.received", .count, .exact, lowerIsBetter: false, "traces received at the sink"),
        .init("traces.complete", .count, .exact, lowerIsBetter: false, "traces complete"),
        .init("traces.completeness", .ratio, .proportion, lowerIsBetter: false, "complete ÷ expected"),
        .init("traces.orphan_spans", .count, .exact, "spans whose parent never arrived"),
        .init("traces.broken_context", .count, .exact, "jobs whose worker spans landed in another trace"),
        .init("traces.broken_context_share", .ratio, .proportion, "broken context ÷ jobs checked"),
        .init("traces.max_depth", .count, .exact, lowerIsBetter: false, "deepest trace"),
        .init("traces.error_spans", .count, .exact, "spans with status ERROR"),
        .init("traces.traces_with_errors", .count, .exact, "traces holding an ERROR span"),
        .init("traces.error_attribution", .ratio, .proportion, lowerIsBetter: false, "error spans whose parent is ERROR too"),
        .init("sampling.observed_ratio", .ratio, .proportion, lowerIsBetter: false, "jobs whose API trace reached the sink ÷ jobs (try `contains configured`)"),
        .init("sampling.decided_ratio", .ratio, .proportion, lowerIsBetter: false, "jobs the SDK decided to sample ÷ jobs"),
        .init("sampling.error_retention", .ratio, .proportion, lowerIsBetter: false, "error jobs whose error span reached the sink (the promise: 100 %)"),
        .init("sampling.complete_error_retention", .ratio, .proportion, lowerIsBetter: false, "error jobs whose whole trace reached the sink"),
        .init("sampling.normal_retention", .ratio, .proportion, lowerIsBetter: false, "jobs that never failed whose trace reached the sink"),
        .init("sampling.slow_retention", .ratio, .proportion, lowerIsBetter: false, "the slowest 1 % of jobs whose trace reached the sink"),
        .init("sampling.configured_ratio", .ratio, .exact, lowerIsBetter: false, "the sampler's configured ratio"),
        .init("sampling.end_to_end_keep", .ratio, .proportion, lowerIsBetter: false, "normal jobs kept by the SDK and then the collector's sampler (`collector.sampling`)"),
        .init("sampling.propagated", .ratio, .proportion, lowerIsBetter: false, "finished jobs whose traceparent reached the worker"),
        .init("sampling.decision_agreement", .ratio, .proportion, lowerIsBetter: false, "finished jobs where the API's and the worker's sampled decisions agree"),
        .init("sampling.adjusted_jobs_error", .ratio, .exact, lowerIsBetter: true, "|jobs estimated from the sampled traces (1/p each) − jobs| ÷ jobs"),
        .init("throughput.jobs_submitted_per_second", .perSecond, .exact, lowerIsBetter: false, "jobs accepted per second of load"),
        .init("throughput.jobs_completed_per_second", .perSecond, .exact, lowerIsBetter: false, "jobs finished per second of load"),
        .init("throughput.traces_per_minute", .perMinute, .poisson, lowerIsBetter: false, "distinct traces at the sink per minute"),
        .init("throughput.spans_per_second", .perSecond, .exact, lowerIsBetter: false, "spans at the sink per second"),
        .init("spans.created", .count, .exact, lowerIsBetter: false, "spans started"),
        .init("spans.exported", .count, .exact, lowerIsBetter: false, "sampled spans handed to the exporter"),
        .init("spans.received", .count, .exact, lowerIsBetter: false, "spans at the sink"),
        .init("spans.dropped", .count, .exact, "exported − received"),
        .init("spans.duplicates", .count, .exact, "target and listen runs: extra copies of spans received more than once (counted once elsewhere)"),
        .init("spans.unowned", .count, .exact, "target runs: spans of traces no job owns (background traffic), in no other figure"),
        .init("spans.late", .count, .exact, "spans that arrived after their trace's deadline (visibility_deadline_s after the job finished; built-in runs except overhead runs, and target runs)"),
        .init("spans.drop_ratio", .ratio, .exact, "dropped ÷ exported (firehose: ÷ sent)"),
        .init("resources.{process}.peak_rss_bytes", .bytes, .exact, "a process's peak RSS"),
        .init("resources.{process}.rss_bytes_avg", .bytes, .exact, "a process's average RSS"),
        .init("resources.{process}.cpu_seconds", .seconds, .exact, "a process's CPU time"),
        .init("resources.{process}.cpu_percent_avg", .percent, .exact, "a process's average CPU (% of one core)"),
        .init("resources.{process}.cpu_percent_max", .percent, .exact, "a process's busiest second (% of one core)"),
        .init("resources.{process}.rss_growth_ratio", .ratio, .exact, "a process's RSS over the run's last tenth ÷ over its second tenth (medians; 1.0 is flat; soaks; not measured under 20 samples)"),
        .init("overhead.{arm}.per_request_us", .microseconds, .interval, "API time per request, arm − baseline (bootstrap interval)"),
        .init("overhead.{arm}.per_job_us", .microseconds, .interval, "worker time per job, arm − baseline"),
        .init("overhead.{arm}.per_span_us", .microseconds, .interval, "per job ÷ worker spans per job"),
        .init("overhead.{arm}.cpu_us_per_job", .microseconds, .interval, "CPU per job, arm − baseline (paired blocks)"),
        .init("overhead.{arm}.rss_delta_bytes", .bytes, .interval, "peak RSS, arm − baseline (paired blocks)"),
        .init("collector.spans_in", .count, .exact, lowerIsBetter: false, "spans sent into the collector"),
        .init("collector.spans_out", .count, .exact, lowerIsBetter: false, "spans that came out"),
        .init("collector.dropped", .count, .exact, "in − out"),
        .init("collector.drop_ratio", .ratio, .exact, "dropped ÷ in"),
        .init("collector.spans_per_second_out", .perSecond, .exact, lowerIsBetter: false, "spans out per second"),
        .init("collector.traces_per_minute_out", .perMinute, .exact, lowerIsBetter: false, "traces out per minute"),
        .init("collector.cpu_percent_avg", .percent, .exact, "collector CPU, average (% of one core)"),
        .init("collector.cpu_percent_max", .percent, .exact, "collector CPU, busiest second"),
        .init("collector.rss_bytes_avg", .bytes, .exact, "collector RSS, average"),
        .init("collector.rss_bytes_max", .bytes, .exact, "collector RSS, peak"),
        .init("collector.visibility_p99_ms", .milliseconds, .exact, "visibility p99 through the collector"),
        .init("collector.bytes_per_trace", .bytes, .exact, "bytes the collector sent per trace"),
        .init("collector.storage_bytes_per_day", .bytes, .exact, "bytes per trace × traces out per day"),
        .init("firehose.requests_failed", .count, .exact, "firehose requests that failed"),
        .init("firehose.batches_dropped", .count, .exact, "batches not sent: the sender fell behind"),
        .init("firehose.spans_sent", .count, .exact, lowerIsBetter: false, "spans the firehose sent"),
        .init("firehose.send_rate_spans_per_second", .perSecond, .exact, lowerIsBetter: false, "spans sent per second"),
        .init("sink.rejected", .count, .exact, "requests the sink rejected (all reasons)"),
        .init("sink.overflow", .count, .exact, "spans accepted past sink.max_spans: counted, not kept"),
        .init("sink.peak_open_spans", .count, .exact, "the most spans the sink held at once (runs that judge traces as they complete): the traces in flight, not the run"),
        .init("critical_path.{segment}.share", .ratio, .interval, directed: false, "a `service/span` (or `queue`): its mean share of end-to-end time on the critical path (bootstrap interval)"),
        .init("critical_path.{segment}.on_path", .ratio, .proportion, directed: false, "whole traces whose critical path holds the segment"),
        .init("critical_path.{segment}.contribution.{stat}", .microseconds, .quantile, "the segment's time on the critical path, where it is on it"),
        .init("topology.{edge}.calls", .count, .exact, lowerIsBetter: false, "`caller->callee`: callee spans under a caller span"),
        .init("topology.{edge}.error_share", .ratio, .proportion, "calls whose callee span is ERROR"),
        .init("topology.{edge}.latency.{stat}", .microseconds, .quantile, "the callee spans' durations"),
        .init("errors.traces", .count, .exact, "whole traces holding an ERROR span"),
        .init("errors.root_causes.{segment}.share", .ratio, .proportion, "error traces this `service/span` is a root cause of (an ERROR span without ERROR children)"),
    ]

    /// A `service/span` or edge as one path segment: quoted when it holds a dot or whitespace; nil when it holds a
    /// double quote, which no path can spell.
    public static func quoted(_ segment: String) -> String? {
        guard !segment.isEmpty, !segment.contains("\"") else { return nil }
        return segment.contains(where: { $0 == "." || $0.isWhitespace }) ? "\"" + segment + "\"" : segment
    }

    /// Splits a metric path at its dots, except inside double quotes: a `service/span` or edge holding a dot or a
    /// space is written quoted (`critical_path."worker/model.download".share`). Quotes are removed; nil when a quote
    /// is left open.
    public static func segments(of path: String) -> [String]? {
        var segments: [String] = [], current = "", quoted = false
        for character in path {
            if character == "\"" { quoted.toggle() } else if character == ".", !quoted {
                segments.append(current)
                current = ""
            } else {
                current.append(character)
            }
        }
        guard !quoted else { return nil }
        segments.append(current)
        return segments
    }

    /// A regular expression matching exactly the names ``isProcessName(_:)`` accepts.
    public static let processPattern = "(" + processes.joined(separator: "|") + "|worker-([0-9]|[1-5][0-9]|6[0-3]))"

    /// A regular expression (anchored) matching every path ``resolve(_:)`` accepts, for JSON Schemas: each template
    /// with its placeholders spelled as ``accepts(_:_:)`` takes them.
    public static var pathPattern: String {
        let percentile = "p(100(\\.0+)?|[1-9][0-9]?(\\.[0-9]+)?|0\\.[0-9]*[1-9][0-9]*)"
        let fills = [
            "phase": "(" + phases.joined(separator: "|") + ")", "arm": "[A-Za-z0-9_-]+",
            "process": processPattern, "stat": "(max|mean|count|\(percentile))",
            "segment": "([^\".]+|\"[^\"]+\")", "edge": "([^\".]+->[^\".]+|\"[^\"]+->[^\"]+\")",
        ]
        let alternatives = definitions.map { definition in
            definition.template.split(separator: ".").map { part in
                part.hasPrefix("{") ? fills[String(part.dropFirst().dropLast())] ?? "(?!)" : String(part)
            }.joined(separator: "\\.")
        }
        return "^(" + alternatives.joined(separator: "|") + ")$"
    }

    /// Whether `name` is a process tracebench watches: one of ``processes`` (`worker` standing for every worker)
    /// or one worker, `worker-N`.
    public static func isProcessName(_ name: String) -> Bool { accepts("process", name) }

    /// Whether `value` may stand for `placeholder`.
    static func accepts(_ placeholder: String, _ value: String) -> Bool {
        switch placeholder {
        case "phase": return phases.contains(value)
        // The built-in pipeline's tracing modes, or a black-box run's own arm names (overhead.arms[].name).
        case "arm": return !value.isEmpty && value.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }
        case "process":
            if processes.contains(value) { return true }
            guard value.hasPrefix("worker-"), let n = Int(value.dropFirst(7)), String(n) == value.dropFirst(7) else { return false }
            return n >= 0 && n < 64
        case "segment": return !value.isEmpty && !value.contains("\"")
        case "edge":
            guard let arrow = value.firstRange(of: "->") else { return false }
            return !value.contains("\"") && !value[..<arrow.lowerBound].isEmpty && !value[arrow.upperBound...].isEmpty
        case "stat":
            if ["max", "mean", "count"].contains(value) { return true }
            // Digits and one decimal point only (`p99.9`; not `p1e1` or `p+5`, which Double would read).
            let digits = value.dropFirst()
            guard value.hasPrefix("p"), digits.allSatisfy({ $0.isASCII && ($0.isNumber || $0 == ".") }), let p = Double(digits) else { return false }
            return p > 0 && p <= 100
        default: return false
        }
    }

    /// Resolves `path` or explains what is wrong with it, suggesting the nearest known path.
    public static func resolve(_ path: String) throws(MetricPathError) -> ResolvedMetric {
        guard let split = segments(of: path) else { throw MetricPathError(path: path, suggestion: nil) }
        let segments = joinPercentileDecimals(split)
        for definition in definitions {
            let pattern = definition.template.split(separator: ".").map(String.init)
            guard pattern.count == segments.count else { continue }
            var parts: [String: String] = [:]
            var matched = true
            for (want, have) in zip(pattern, segments) {
                if want.hasPrefix("{") {
                    let name = String(want.dropFirst().dropLast())
                    guard accepts(name, have) else { matched = false; break }
                    parts[name] = have
                } else if want != have {
                    matched = false
                    break
                }
            }
            guard matched else { continue }
            var evidence = definition.evidence
            if let stat = parts["stat"], !stat.hasPrefix("p") {
                evidence = .exact
            }
            let unit = parts["stat"] == "count" ? MetricUnit.count : definition.unit
            return ResolvedMetric(path: path, segments: segments, template: definition.template, parts: parts, unit: unit, evidence: evidence)
        }
        let suggestion = closest(to: path)
        throw MetricPathError(path: path, suggestion: suggestion)
    }

    /// `p99.9` is split by `.`; glue a numeric segment back onto a `pNN` before it.
    static func joinPercentileDecimals(_ segments: [String]) -> [String] {
        var result: [String] = []
        for segment in segments {
            if let last = result.last, last.hasPrefix("p"), Int(last.dropFirst()) != nil, !segment.isEmpty, segment.allSatisfy(\.isNumber) {
                result[result.count - 1] = last + "." + segment
            } else {
                result.append(segment)
            }
        }
        return result
    }

    /// Concrete examples of every template (placeholders filled with common values), for suggestions and docs.
    public static var examplePaths: [String] {
        let fills: [String: [String]] = [
            "phase": phases, "arm": ["sdk", "otlp"], "process": processes,
            "stat": ["p50", "p90", "p99", "p99.9", "max", "mean", "count"],
            "segment": ["emp-worker/process-job", "queue"], "edge": ["emp-job-queue-api->emp-worker"],
        ]
        var paths: [String] = []
        for definition in definitions {
            var expansions = [""]
            for (index, part) in definition.template.split(separator: ".").enumerated() {
                let values = part.hasPrefix("{") ? fills[String(part.dropFirst().dropLast())] ?? [] : [String(part)]
                expansions = expansions.flatMap { prefix in values.map { index == 0 ? $0 : prefix + "." + $0 } }
            }
            paths.append(contentsOf: expansions)
        }
        return paths
    }

    /// The known path nearest to `path` by edit distance, when near enough to be a likely typo.
    static func closest(to path: String) -> String? {
        var best: (path: String, distance: Int)?
        let path = path.lowercased(), limit = max(3, path.count / 4)
        for candidate in examplePaths {
            guard let distance = KeySuggestion.editDistance(path, candidate.lowercased(), atMost: limit) else { continue }
            if distance < (best?.distance ?? .max) { best = (candidate, distance) }
        }
        return best?.path
    }
}

/// A metric path the catalog does not know.
public struct MetricPathError: Error, Sendable, Equatable, CustomStringConvertible {
    public let path: String
    public let suggestion: String?
    public var description: String {
        "unknown metric '\(path)'" + (suggestion.map { "; did you mean '\($0)'?" } ?? "; see README.md, \"Metric paths\"")
    }
}
