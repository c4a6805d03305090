import Foundation
import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// `tracebench compare`: every metric with a direction compared between base and candidate runs, honestly.
///
/// With several runs per side the run is the unit of replication (Welch's t on the per-run figures); with one run
/// per side, latency percentiles get a block bootstrap over the stored per-interval histograms, proportions and
/// rates their sampling error, overhead figures their stored intervals — and figures with no interval are
/// `inconclusive`, never a regression. Holm's correction spans the metrics; a change is reported only when it is
/// significant *and* its whole interval clears the noise floor (criterion); a KS check per latency phase catches a
/// widened tail the medians hide. Resampling within one run cannot see run-to-run noise (machine, Redis,
/// scheduling): that is what the noise floor, or several runs per side, stand for.
public enum Comparator {
    public struct Options: Sendable {
        public var alpha = 0.05
        public var noiseFloorPercent = 1.0
        /// For ratio metrics the floor is absolute: 0.001 = 0.1 percentage points.
        public var ratioFloor = 0.001
        /// Bootstrap replicates for the per-interval block bootstrap.
        public var resamples = 500
        /// Smallest KS distance reported as a shape change.
        public var shapeFloor = 0.05
        public var seed: UInt64 = 20_261_125
        public init() {}
    }

    public typealias Side = [(path: String, results: RunResults)]

    /// What differs between the sides that makes a comparison meaningless (empty when they match).
    public static func mismatches(base: Side, candidate: Side) -> [String] {
        var found: [String] = []
        func distinct(_ values: [String]) -> Set<String> { Set(values.filter { !$0.isEmpty }) }
        let all = base + candidate
        let hashes = distinct(all.map(\.results.scenarioFile.sha256))
        if hashes.count > 1 {
            found.append("scenario file SHA-256 differs: " + all.map { "\($0.path): \($0.results.scenarioFile.sha256.prefix(12))" }.joined(separator: ", "))
        }
        let hosts = distinct(all.map(\.results.environment.hostFingerprint))
        if hosts.count > 1 {
            found.append("host fingerprint differs: " + all.map { "\($0.path): \($0.results.environment.cpuModel), \($0.results.environment.cpuCount) cores, \($0.results.environment.memoryBytes >> 20) MiB, kernel \($0.results.environment.kernel)" }.joined(separator: "; "))
        }
        if Set(all.map { $0.results.firehose == nil }).count > 1 { found.append("one side is a firehose run, the other a jobs run") }
        return found
    }

    public static func compare(base: Side, candidate: Side, options: Options = Options(), noise: NoiseProfile? = nil) -> ComparisonReport {
        var report = ComparisonReport()
        report.baseFiles = base.map(\.path)
        report.candidateFiles = candidate.map(\.path)
        report.alpha = options.alpha
        report.noiseFloorPercent = options.noiseFloorPercent
        report.ratioFloor = options.ratioFloor
        report.noiseProfileRuns = noise?.runs ?? 0
        report.mismatches = mismatches(base: base, candidate: candidate)
        // One bootstrap per latency phase serves its p50, p90 and p99 (single-run comparisons only).
        var bootstraps: [String: BlockBootstrap] = [:]
        if base.count == 1, candidate.count == 1 {
            for phase in MetricCatalog.phases {
                bootstraps[phase] = BlockBootstrap(phase: phase, quantiles: [0.5, 0.9, 0.99], base: base[0].results,
                                                   candidate: candidate[0].results, options: options)
            }
        }
        var estimates: [ChangeEstimate] = []
        for path in metricPaths(base: base, candidate: candidate) {
            guard let metric = try? MetricCatalog.resolve(path) else { continue }
            if let estimate = ChangeEstimate.make(metric, base: base, candidate: candidate, options: options, bootstraps: bootstraps, noise: noise) {
                estimates.append(estimate)
            }
        }
        let statistical = estimates.indices.filter { estimates[$0].pValue != nil }
        let holm = Distributions.holm(pValues: statistical.map { estimates[$0].pValue ?? 1 }, alpha: options.alpha)
        var levels = [Int: (level: Double, rejected: Bool)]()
        for (index, decision) in zip(statistical, holm) { levels[index] = decision }
        report.familySize = statistical.count
        report.metrics = estimates.indices.map { index in
            estimates[index].comparison(decision: levels[index], options: options)
        }
        report.geomeans = geomeans(report.metrics)
        report.shapes = shapes(base: base, candidate: candidate, options: options, noise: noise)
        return report
    }

    /// The metrics both sides have, in a fixed order.
    static func metricPaths(base: Side, candidate: Side) -> [String] {
        let all = base + candidate
        guard !all.isEmpty else { return [] }
        func everywhere(_ test: (RunResults) -> Bool) -> Bool { all.allSatisfy { test($0.results) } }
        var paths: [String] = []
        for phase in MetricCatalog.phases where everywhere({ ($0.latency[phase]?.count ?? 0) > 0 }) {
            paths += ["p50", "p90", "p99"].map { "latency.\(phase).\($0)" }
        }
        if everywhere({ $0.firehose == nil && $0.jobs.submitted > 0 }) { paths.append("throughput.jobs_completed_per_second") }
        if everywhere({ $0.throughput.tracesPerMinute > 0 }) { paths.append("throughput.traces_per_minute") }
        if everywhere({ $0.traces.expected > 0 }) { paths.append("traces.completeness") }
        if everywhere({ $0.sampling.trials > 0 }) { paths.append("sampling.observed_ratio") }
        if everywhere({ $0.spans.exported > 0 || ($0.firehose?.spansSent ?? 0) > 0 }) { paths.append("spans.drop_ratio") }
        let arms = Set(all.flatMap { ($0.results.overhead ?? [:]).keys }).sorted()
        for arm in arms where everywhere({ $0.overhead?[arm] != nil }) {
            paths.append("overhead.\(arm).per_request_us")
            if everywhere({ $0.overhead?[arm]?.perJobUs != nil }) { paths += ["overhead.\(arm).per_job_us", "overhead.\(arm).per_span_us"] }
            if everywhere({ $0.overhead?[arm]?.cpuUsPerJob != nil }) { paths += ["overhead.\(arm).cpu_us_per_job", "overhead.\(arm).rss_delta_bytes"] }
        }
        for process in ["api", "worker", "collector"] where everywhere({ r in r.resources.keys.contains { $0 == process || $0.hasPrefix(process + "-") } }) {
            paths += ["resources.\(process).peak_rss_bytes", "resources.\(process).cpu_percent_avg"]
        }
        if everywhere({ $0.collector != nil }) { paths += ["collector.cpu_percent_avg", "collector.rss_bytes_max"] }
        paths += analyticsPaths(all.map(\.results))
        return paths
    }

    /// Where the time and the errors go: every critical-path segment's share (a segment one side lacks is 0 there:
    /// a hop that appeared or vanished), its time on the path where both have it, each shared edge's callee latency,
    /// and every root cause's share of error traces (a new root cause moves from 0).
    static func analyticsPaths(_ runs: [RunResults]) -> [String] {
        func keys(_ of: (RunResults) -> [String]) -> (union: [String], everywhere: [String]) {
            let sets = runs.map { Set(of($0)) }
            let union = sets.reduce(Set<String>()) { $0.union($1) }
            return (union.sorted(), union.filter { key in sets.allSatisfy { $0.contains(key) } }.sorted())
        }
        var paths: [String] = []
        if runs.allSatisfy({ ($0.criticalPath?.traces ?? 0) > 0 }) {
            let segments = keys { $0.criticalPath.map { Array($0.segments.keys) } ?? [] }
            paths += segments.union.compactMap(MetricCatalog.quoted).map { "critical_path.\($0).share" }
            paths += segments.everywhere.compactMap(MetricCatalog.quoted).map { "critical_path.\($0).contribution.p50" }
        }
        if runs.allSatisfy({ $0.topology != nil }) {
            let edges = keys { $0.topology.map { Array($0.edges.keys) } ?? [] }
            paths += edges.everywhere.compactMap(MetricCatalog.quoted).flatMap { ["topology.\($0).latency.p50", "topology.\($0).latency.p99"] }
        }
        if runs.allSatisfy({ ($0.errors?.traces ?? 0) > 0 }) {
            paths += keys { $0.errors.map { Array($0.rootCauses.keys) } ?? [] }.union.compactMap(MetricCatalog.quoted).map { "errors.root_causes.\($0).share" }
        }
        return paths
    }

    /// Geometric mean of candidate ÷ base per group, over metrics with positive values on both sides.
    static func geomeans(_ metrics: [MetricComparison]) -> [String: Double] {
        var logs: [String: [Double]] = [:]
        for m in metrics where m.base > 0 && m.candidate > 0 { logs[m.group, default: []].append(log(m.candidate / m.base)) }
        return logs.mapValues { exp($0.reduce(0, +) / Double($0.count)) }
    }

    /// Two-sample KS per latency phase on the merged whole-run histograms, Bonferroni over the phases.
    static func shapes(base: Side, candidate: Side, options: Options, noise: NoiseProfile?) -> [ShapeComparison] {
        let phases = MetricCatalog.phases.compactMap { phase in merged(base, phase).flatMap { b in merged(candidate, phase).map { (phase, b, $0) } } }
        return phases.map { phase, b, c in
            let (statistic, p) = KolmogorovSmirnov.test(b, c)
            let significant = min(1, p * Double(phases.count)) <= options.alpha && statistic >= options.shapeFloor
            let aa = noise?.shapeDistance[phase]
            var shape = ShapeComparison(phase: phase, statistic: statistic, pValue: p, changed: significant && aa != nil && statistic > aa!)
            shape.inconclusive = significant && aa == nil
            shape.aaStatistic = aa ?? 0
            return shape
        }
    }

    /// The whole-run histogram of `phase` over every run of a side.
    static func merged(_ side: Side, _ phase: String) -> LatencyHistogram? {
        var total = LatencyHistogram()
        for run in side {
            guard let text = run.results.latency[phase]?.histogram, let histogram = try? LatencyHistogram(encoded: text) else { return nil }
            total.merge(histogram)
        }
        return total.count > 0 ? total : nil
    }
}
