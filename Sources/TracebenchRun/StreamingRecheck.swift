import Foundation
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// The streaming fold checked against a batch recomputation of the same run (``RunOptions/recheckStreaming``): the
/// results sections both fill must agree, numbers to a relative 1e-9 (sums taken in another order). Spans that came
/// after their trace's deadline make the two differ by design, so a run with late spans is not compared.
enum StreamingRecheck {
    static func compare(streamed: PipelineFold, batch: PipelineFold, scenario: Scenario, load: LoadGenerator.Tally,
                        sink: TraceStore.Snapshot?, windowSeconds: Double) -> [Problem] {
        guard streamed.traces.lateSpans == 0 else { return [] }
        var live = SystemFigures(), once = SystemFigures()
        BuiltInPipeline.fill(&live, scenario: scenario, fold: streamed, load: load, sink: sink, windowSeconds: windowSeconds)
        BuiltInPipeline.fill(&once, scenario: scenario, fold: batch, load: load, sink: sink, windowSeconds: windowSeconds)
        once.spans.late = live.spans.late  // measured only live
        let differing = sections(live).compactMap { key, value in
            differs(value, sections(once)[key]) ? key : nil
        }.sorted()
        guard !differing.isEmpty else { return [] }
        return [Problem(.componentFailed, "tracebench's streaming trace check disagrees with its batch recomputation in \(differing.joined(separator: ", ")) (a tracebench bug; please report it with the results file)")]
    }

    /// Each compared section as a JSON value.
    private static func sections(_ figures: SystemFigures) -> [String: Any] {
        func json<T: Encodable>(_ value: T) -> Any {
            let encoder = JSONEncoder()
            encoder.outputFormatting = .sortedKeys
            guard let data = try? encoder.encode([value]), let array = try? JSONSerialization.jsonObject(with: data) as? [Any] else { return NSNull() }
            return array.first ?? NSNull()
        }
        return [
            "jobs": json(figures.jobs), "traces": json(figures.traces), "sampling": json(figures.sampling),
            "latency": json(figures.latency), "throughput": json(figures.throughput), "spans": json(figures.spans),
            "series": json(figures.series), "analytics.topology": json(figures.analytics?.topology),
            "analytics.critical_path": json(figures.analytics?.criticalPath), "analytics.errors": json(figures.analytics?.errors),
        ]
    }

    /// Whether two JSON values differ beyond a relative 1e-9 on numbers.
    static func differs(_ a: Any?, _ b: Any?) -> Bool {
        switch (a, b) {
        case let (x as [String: Any], y as [String: Any]):
            return Set(x.keys) != Set(y.keys) || x.contains { key, value in differs(value, y[key]) }
        case let (x as [Any], y as [Any]):
            return x.count != y.count || zip(x, y).contains { differs($0, $1) }
        case let (x as NSNumber, y as NSNumber):
            let u = x.doubleValue, v = y.doubleValue
            return abs(u - v) > 1e-9 * max(abs(u), abs(v), 1e-300) && u != v
        case let (x as String, y as String):
            return x != y
        case (is NSNull, is NSNull), (nil, nil):
            return false
        default:
            return true
        }
    }
}
