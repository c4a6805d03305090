import Benchmark
import Instrumentation
import OTel
import ServiceLifecycle
import Synchronization
import TracebenchMeasure
import TracebenchPipeline
import TracebenchScenario
import TracebenchSink
import TracebenchVocabulary
import Tracing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

// Micro-benchmarks of what tracing costs per operation in tracebench's own code paths. Every figure is per
// operation (span, carrier round trip, decoded span, histogram record): `scalingFactor` says how many operations
// one measured iteration runs. See README.md for how to run them and what they measured here.

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .cpuTotal, .mallocCountTotal, Metrics.processCPU],
        warmupIterations: 10,
        scalingFactor: .kilo,
        maxDuration: .seconds(3),
        maxIterations: 10_000,
        // For `baseline check`. package-benchmark's default (5 % on p25/p50/p75) fails on noise alone on a shared
        // 2-core machine; times get 25 % on p50, malloc counts 10 % (the batch processor's background allocations
        // make them vary a little), and cpuTotal (10 ms ticks on Linux) none.
        thresholds: [
            .wallClock: .init(relative: [.p50: 25]),
            Metrics.processCPU: .init(relative: [.p50: 25]),
            .mallocCountTotal: .init(relative: [.p50: 10]),
            .cpuTotal: .init(),
        ]
    )

    // MARK: 1. Span start + end, per sampler

    Benchmark("Span start+end: no-op tracer") { benchmark in
        let tracer: any Tracer = NoOpTracer()
        benchmark.startMeasurement()
        measuringCPU(benchmark) {
            for _ in benchmark.scaledIterations {
                startAndEnd(tracer)
            }
        }
    }

    for (name, sampler, ratio) in [
        ("always_off", TracingSpec.Sampler.alwaysOff, 0.0),
        ("traceidratio 0.1", .traceIDRatio, 0.1),
        ("always_on", .alwaysOn, 1.0),
    ] {
        let harness = OTelHarness(spec: TracingSpec(mode: .sdk, sampler: sampler, ratio: ratio))
        Benchmark("Span start+end: swift-otel \(name)") { benchmark in
            let tracer = harness.tracer
            benchmark.startMeasurement()
            measuringCPU(benchmark) {
                for _ in benchmark.scaledIterations {
                    startAndEnd(tracer)
                }
            }
        } setup: {
            try await harness.start(expectingSampledRatio: ratio)
        } teardown: {
            await harness.stop()
        }
    }

    // MARK: 2. The design document's process-job span: 5 attributes, always_on

    do {
        let harness = OTelHarness(spec: TracingSpec(mode: .sdk, sampler: .alwaysOn))
        Benchmark("Span + 5 attributes: swift-otel always_on") { benchmark in
            let tracer = harness.tracer
            let ids = Fixtures.jobIDs
            benchmark.startMeasurement()
            measuringCPU(benchmark) {
                for i in benchmark.scaledIterations {
                    // As JobProcessor does it: one subscript assignment per attribute on `any Span`.
                    let span = tracer.startSpan(SpanName.processJob, context: .topLevel, ofKind: .internal)
                    span.attributes[SpanAttribute.jobID] = ids[i & (ids.count - 1)]
                    span.attributes[SpanAttribute.jobService] = Fixtures.service
                    span.attributes[SpanAttribute.jobPriority] = i & 7
                    span.attributes["worker.id"] = Fixtures.workerID
                    span.attributes[ResourceAttribute.machineID] = Fixtures.machineID
                    span.end()
                }
            }
        } setup: {
            try await harness.start(expectingSampledRatio: 1)
        } teardown: {
            await harness.stop()
        }
    }

    // MARK: 3. Trace context through the Redis hash: inject → JSON → parse → extract

    do {
        let harness = OTelHarness(spec: TracingSpec(mode: .sdk, sampler: .alwaysOn))
        Benchmark("Context inject+encode+decode+extract: always_on") { benchmark in
            let tracer = harness.tracer
            // A live, sampled span's context, as the API has when it writes the job hash.
            let context = harness.liveContext
            benchmark.startMeasurement()
            measuringCPU(benchmark) {
                for _ in benchmark.scaledIterations {
                    let carrier = TraceContextCarrier.inject(context, tracer: tracer)
                    let text = TraceContextCarrier.encode(carrier)
                    let parsed = TraceContextCarrier.decode(text)
                    blackHole(TraceContextCarrier.extract(parsed, tracer: tracer))
                }
            }
        } setup: {
            try await harness.start(expectingSampledRatio: 1)
            try harness.checkRoundTrip()
        } teardown: {
            await harness.stop()
        }
    }

    // MARK: 4. Sink: OTLP protobuf decode, on bodies swift-otel itself exported

    do {
        let capture = ExportCapture()
        // Scaling factors are powers of ten, so the per-span figure decodes 1,000 spans per iteration: the two
        // requests swift-otel sent for 1,000 spans (512 + 488), concatenated (protobuf concatenation is the
        // repeated `resource_spans` field's append, i.e. one valid ExportTraceServiceRequest).
        Benchmark("Sink decodeProtobuf: per span (1000-span body)") { benchmark in
            let body = capture.concatenated
            benchmark.startMeasurement()
            measuringCPU(benchmark) {
                blackHole(try? OTLPDecoder.decodeProtobuf(body, receivedNanos: 1_700_000_000_000_000_000))
            }
        } setup: {
            try await capture.run()
        }

        let capture512 = ExportCapture()
        // The batch exactly as swift-otel sends it (maxExportBatchSize 512): per request, not per span.
        Benchmark(
            "Sink decodeProtobuf: one 512-span request",
            configuration: .init(scalingFactor: .one)
        ) { benchmark in
            let body = capture512.full512
            benchmark.startMeasurement()
            measuringCPU(benchmark) {
                blackHole(try? OTLPDecoder.decodeProtobuf(body, receivedNanos: 1_700_000_000_000_000_000))
            }
        } setup: {
            try await capture512.run()
        }
    }

    // MARK: 5. LatencyHistogram.record

    Benchmark("LatencyHistogram.record(microseconds:)", configuration: .init(scalingFactor: .mega)) { benchmark in
        var histogram = LatencyHistogram()
        let values = Fixtures.latencies
        benchmark.startMeasurement()
        measuringCPU(benchmark) {
            for i in benchmark.scaledIterations {
                histogram.record(microseconds: values[i & (values.count - 1)])
            }
        }
        blackHole(histogram.count)
    }

    analyticsBenchmarks()
}

// MARK: - Measured operations

@inline(__always)
func startAndEnd(_ tracer: any Tracer) {
    let span = tracer.startSpan("process-job", context: .topLevel, ofKind: .internal)
    span.end()
}

// MARK: - Process CPU time

enum Metrics {
    /// CPU time of the whole process (every thread: swift-otel's batch processor consumer too) during the
    /// iteration, from `CLOCK_PROCESS_CPUTIME_ID` (nanosecond resolution). package-benchmark's own `cpuTotal` on
    /// Linux reads /proc/self/stat, in scheduler ticks of 10 ms, far coarser than one iteration here.
    static var processCPU: BenchmarkMetric {
        .custom("CPU process (ns)", polarity: .prefersSmaller, useScalingFactor: true)
    }
}

func processCPUNanos() -> Int {
    var spec = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &spec)
    return spec.tv_sec * 1_000_000_000 + spec.tv_nsec
}

/// Runs `body` and records the process CPU it took as ``Metrics/processCPU``.
@inline(__always)
func measuringCPU(_ benchmark: Benchmark, _ body: () -> Void) {
    let start = processCPUNanos()
    body()
    benchmark.measurement(Metrics.processCPU, processCPUNanos() - start)
}

// MARK: - Inputs

enum Fixtures {
    static let service = "comfyui-sdxl"
    static let workerID = "worker-0"
    static let machineID = "tracebench-bench-host"

    /// 1,024 heap-allocated job ids shaped like the API's (`job-` + 32 hex digits).
    static let jobIDs: [String] = {
        var generator = SplitMix64(seed: 42)
        return (0 ..< 1024).map { _ in
            "job-" + spanIDHex(generator.next()) + spanIDHex(generator.next())
        }
    }()

    /// 4,096 latencies, log-uniform between 50 µs and 30 s, with a few negatives and a few above one hour (the
    /// clamped paths).
    static let latencies: [Int64] = {
        var generator = SplitMix64(seed: 7)
        return (0 ..< 4096).map { i in
            if i % 997 == 0 { return -5 }
            if i % 1999 == 0 { return 4_000_000_000 }
            let unit = Double(generator.next() >> 11) / Double(1 << 53)
            return Int64(50 * pow(600_000, unit))
        }
    }()
}

struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

struct BenchmarkSetupError: Error, CustomStringConvertible {
    var description: String
}
