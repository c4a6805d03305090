import Benchmark
import TracebenchAnalysis
import TracebenchSink
import TracebenchVocabulary

// MARK: 6. Where the time goes: topology, critical path and root causes of 1 M spans

/// 100,000 traces of 10 spans shaped like the built-in pipeline's (API server span → enqueue → claim and
/// process-job → five steps, one in 20 traces failing at a step), so `TraceAnalytics.analyse` does the work a
/// 100,000-job run's results need. Per operation = per span.
enum AnalyticsFixture {
    static let spans: [ReceivedSpan] = {
        var generator = SplitMix64(seed: 11)
        var spans: [ReceivedSpan] = []
        spans.reserveCapacity(1_000_000)
        let steps = ["service-process-job", "comfyui-call", "model-download", "upload", "webhook-notify"]
        for trace in 0 ..< 100_000 {
            let id = TraceID(high: generator.next(), low: UInt64(trace + 1))
            let t0 = UInt64(trace) * 1_000_000
            let fails = trace % 20 == 0
            func span(_ spanID: UInt64, _ parent: UInt64, _ name: String, _ service: String, _ start: UInt64, _ end: UInt64, error: Bool = false) -> ReceivedSpan {
                ReceivedSpan(traceID: id, spanID: spanID, parentSpanID: parent, name: name, serviceName: service, startNanos: t0 + start,
                             endNanos: t0 + end, isError: error, jobID: nil, receivedNanos: t0 + end + 1_000_000)
            }
            spans.append(span(1, 0, "/jobs", ServiceName.api, 0, 2_000_000))
            spans.append(span(2, 1, SpanName.submitJob, ServiceName.api, 100_000, 900_000))
            spans.append(span(3, 2, SpanName.jobClaimed, ServiceName.worker, 1_500_000, 1_510_000))
            spans.append(span(4, 2, SpanName.processJob, ServiceName.worker, 1_520_000, 60_000_000, error: fails))
            var start: UInt64 = 1_530_000
            for (index, step) in steps.enumerated() {
                let length = 1_000_000 + generator.next() % 10_000_000
                spans.append(span(UInt64(5 + index), 4, step, ServiceName.worker, start, start + length, error: fails && index == 2))
                start += length
            }
        }
        return spans
    }()
}

let analyticsBenchmarks: @Sendable () -> Void = {
    Benchmark("TraceAnalytics.analyse: per span (100,000 traces of 10 spans)",
              configuration: .init(metrics: [.wallClock, .cpuTotal, .peakMemoryResident, .mallocCountTotal, Metrics.processCPU],
                                   warmupIterations: 1, scalingFactor: .mega, maxDuration: .seconds(30), maxIterations: 5)) { benchmark in
        let spans = AnalyticsFixture.spans
        benchmark.startMeasurement()
        var traces = 0
        measuringCPU(benchmark) { traces = TraceAnalytics.analyse(spans: spans).criticalPath?.traces ?? 0 }
        blackHole(traces)
    } setup: {
        blackHole(AnalyticsFixture.spans.count)
    }
}
