import Foundation
import Testing
import TracebenchJudge
@testable import TracebenchMetrics
import TracebenchResults

/// The metric catalog and the reader stay one table: every template of the catalog is read from at least one golden
/// results file, and a name the reader has no case for is not measured rather than some other figure.
@Suite("Metric reader", .computeOnly)
struct MetricReaderTests {
    static var runs: [(name: String, results: RunResults)] {
        ResultsSchemaTests.fixtureNames.compactMap { name in
            guard case .run(let r)? = try? ResultsFile.read(from: "\(ResultsSchemaTests.fixtures)/\(name)") else { return nil }
            return (name, r)
        }
    }

    /// Templates no golden file can hold a figure for, each with the reason (checked by their own known-answer tests).
    static let absentFromEveryFixture: [String: String] = [
        "traces.error_attribution": "the golden runs injected no errors (EndToEndTests' injected-failure run reads it)",
        "sampling.error_retention": "no errors in the golden runs (SamplingAccuracyTests)",
        "sampling.complete_error_retention": "no errors in the golden runs (SamplingAccuracyTests)",
        "sampling.normal_retention": "needs a sampled run with errors (SamplingAccuracyTests)",
        "sampling.slow_retention": "needs a slow-job tail rule (SamplingAccuracyTests)",
        "sampling.end_to_end_keep": "needs a sampler chain (SamplingAccuracyTests)",
        "sampling.propagated": "written by versions after the golden files (EndToEndTests' dropped-context run)",
        "sampling.decision_agreement": "written by versions after the golden files (SamplingAccuracyTests)",
        "sampling.adjusted_jobs_error": "needs a sampled run (SamplingAccuracyTests)",
    ]

    @Test func everyTemplateIsObservedOnSomeGoldenFile() throws {
        let runs = Self.runs
        #expect(runs.count >= 5)
        var observed: Set<String> = []
        for path in MetricCatalog.examplePaths {
            let metric = try MetricCatalog.resolve(path)
            if runs.contains(where: { MetricReader.observe(metric, in: $0.results) != nil }) { observed.insert(metric.template) }
        }
        let unread = MetricCatalog.definitions.map(\.template).filter { !observed.contains($0) && Self.absentFromEveryFixture[$0] == nil }
        #expect(unread.isEmpty, "templates no golden file reads: \(unread)")
    }

    @Test func aNameWithoutAReaderCaseIsNotMeasured() throws {
        let runs = Self.runs
        // Resolved metrics whose last segment is unknown to the reader: built by hand, as a new catalog entry would be.
        for template in ["sampling.{x}", "throughput.{x}", "resources.api.{x}", "overhead.sdk.{x}", "sink.{x}", "jobs.{x}", "spans.{x}"] {
            let path = template.replacingOccurrences(of: "{x}", with: "no_such_figure")
            let segments = path.split(separator: ".").map(String.init)
            let metric = ResolvedMetric(path: path, segments: segments, template: path, parts: segments.count == 3 ? ["process": "api", "arm": "sdk"] : [:],
                                        unit: .count, evidence: .exact)
            for run in runs { #expect(MetricReader.observe(metric, in: run.results) == nil, "\(path) read a figure from \(run.name)") }
        }
    }
}
