import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import TracebenchJudge
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// The firehose: synthetic spans of the scenario's shape sent over OTLP (HTTP protobuf or gRPC) at a constant rate,
/// `batch_spans` per request, at most `concurrency` requests in flight — no Redis pipeline — to the collector
/// under test (or the embedded sink). Every span sent is known, so the sink's count is checked against it.
struct Firehose: SystemUnderTest {
    let spec: FirehoseSpec

    var wire: TracingSpec.WireProtocol { spec.protocol }
    var exportsFromItsOwnSDKs: Bool { false }
    var watchedProcesses: [(name: String, pid: Int32)] { [] }
    func close() async {}

    /// What the sender observed.
    struct Tally: Sendable {
        var requestsSent = 0
        var requestsFailed = 0
        var batchesDropped = 0
        var spansSent = 0
        var tracesSent = 0
        var bytesSent = 0
        var lastError = ""
    }

    func run(in services: RunServices) async -> SystemFigures {
        var results = SystemFigures()
        let scenario = services.scenario
        let tally = Shared(Tally())
        let interval = Double(spec.batchSpans) / spec.spansPerSecond
        let batches = Int(Int64(saturating: (scenario.durationSeconds / interval).rounded(.down)))
        let generator = SpanBatches(spec: spec, seed: scenario.seed)
        let sender: OTLPSender
        do {
            sender = try OTLPSender(endpoint: services.endpoint, protocol: spec.protocol, httpClient: services.httpClient)
        } catch {
            results.problems.append(Problem(.componentFailed, error.description))
            results.problems += await services.finish().problems
            return results
        }
        let start = ContinuousClock.now
        let startMicros = WallClock.nowMicros()
        let loop = OpenLoop(clock: ContinuousClock(), maxInFlight: spec.concurrency)
        await loop.run(count: batches, offset: { .seconds(interval * Double($0)) }, from: start, stop: services.stop) { index in
            let body = generator.batch(index)
            let failure = await sender.send(body)
            tally.withLock { state in
                state.requestsSent += 1
                if let failure {
                    state.requestsFailed += 1
                    state.lastError = failure
                } else {
                    state.spansSent += spec.batchSpans
                    state.tracesSent += generator.tracesIn(batch: index)
                    state.bytesSent += body.count
                }
            }
        }
        // The offered window: `batches` sends, each standing for one `interval` (the last is sent at
        // (batches − 1) · interval, so the elapsed time would understate it); a stop cuts it short.
        let elapsed = (ContinuousClock.now - start) / .seconds(1)
        let window = services.stop.isRaised ? min(Double(batches) * interval, elapsed) : Double(batches) * interval
        await sender.close()
        var sent = tally.withLock { $0 }
        sent.batchesDropped = loop.counts.dropped
        if sent.requestsFailed > 0 { results.problems.append(Problem(.firehoseFailed, "\(sent.requestsFailed) firehose requests failed (last: \(sent.lastError))")) }
        let finished = await services.finish()
        results.problems += finished.problems
        let snapshot = finished.snapshot
        Self.fill(&results, sent: sent, snapshot: snapshot, spansPerTrace: spec.spansPerTrace, window: window)
        if let snapshot {
            let last = Int64(clamping: (snapshot.spans.map(\.receivedNanos).max() ?? 0) / 1000)
            var builder = IntervalSeriesBuilder(originMicros: startMicros, seconds: max(window, Double(last - startMicros) / 1e6) + 0.001,
                                                intervalSeconds: scenario.reportIntervalSeconds)
            builder.addSink(snapshot.spans)
            results.series = builder.build(counters: [IntervalSeries.Counter.spansAtSink, IntervalSeries.Counter.tracesAtSink])
        }
        return results
    }

    /// Sent vs received: span accounting, trace completeness (every trace carries exactly `spans_per_trace`
    /// spans), visibility and rates.
    static func fill(_ results: inout SystemFigures, sent: Tally, snapshot: TraceStore.Snapshot?, spansPerTrace: Int, window: Double) {
        results.jobs.droppedArrivals = sent.batchesDropped
        results.jobs.submitErrors = sent.requestsFailed
        results.spans.created = sent.spansSent
        results.spans.exported = sent.spansSent
        results.firehose = FirehoseFigures(requestsSent: sent.requestsSent, requestsFailed: sent.requestsFailed,
                                           batchesDropped: sent.batchesDropped, spansSent: sent.spansSent,
                                           bytesSent: sent.bytesSent, sendRateSpansPerSecond: window > 0 ? Double(sent.spansSent) / window : 0)
        results.throughput.windowSeconds = window
        results.traces.expected = sent.tracesSent
        guard let snapshot else { return }
        results.spans.received = snapshot.spans.count
        results.spans.dropped = max(0, sent.spansSent - snapshot.spans.count - snapshot.overflow)  // overflow arrived: counted, not lost
        var perTrace: [TraceID: Int] = [:]
        var tracesWithErrors = Set<TraceID>()
        var visibility = LatencyHistogram()
        for span in snapshot.spans {
            perTrace[span.traceID, default: 0] += 1
            if span.isError { tracesWithErrors.insert(span.traceID) }
            visibility.record(microseconds: Int64(span.receivedNanos / 1000) - Int64(span.endNanos / 1000))
        }
        results.traces.received = perTrace.count
        results.traces.complete = perTrace.values.count { $0 == spansPerTrace }
        results.traces.completeness = sent.tracesSent == 0 ? nil : Double(results.traces.complete) / Double(sent.tracesSent)
        results.traces.errorSpans = snapshot.spans.count { $0.isError }
        results.traces.tracesWithErrors = tracesWithErrors.count
        results.latency = ["visibility": visibility.summary()]
        if window > 0 {
            results.throughput.spansPerSecond = Double(snapshot.spans.count) / window
            results.throughput.tracesPerMinute = Double(perTrace.count) / window * 60
        }
        results.sink = SinkCounts(snapshot)
    }
}

/// The synthetic batches: batch `i` holds spans `i·batch …` of a stream where every `spans_per_trace`
/// consecutive spans form one trace (a root and its children), stamped with the send time.
struct SpanBatches: Sendable {
    let spec: FirehoseSpec
    let seed: UInt64
    let encoder = OTLPProtobufEncoder()
    private let template: SpanBatchTemplate

    init(spec: FirehoseSpec, seed: UInt64) {
        self.spec = spec
        self.seed = seed
        template = SpanBatchTemplate(spec: spec, seed: seed)
    }

    func tracesIn(batch index: Int) -> Int {
        let first = index * spec.batchSpans, end = first + spec.batchSpans
        // Traces whose root (position 0 in the trace) falls in this batch.
        return (first..<end).count { $0 % spec.spansPerTrace == 0 }
    }

    /// The resource's `service.name`.
    static let serviceName = "tracebench-firehose"

    /// A root's and a child's span name.
    static func name(isRoot: Bool) -> String { isRoot ? "firehose-root" : "firehose-child" }

    /// Every span's attributes: `attributes` of them, `attr.N` = `attribute_bytes` × "v".
    static func attributes(_ spec: FirehoseSpec) -> [(String, String)] {
        let value = String(repeating: "v", count: spec.attributeBytes)
        return (0..<spec.attributes).map { ("attr.\($0)", value) }
    }

    /// Batch `index` stamped now, from the template (what the firehose sends).
    func batch(_ index: Int) -> [UInt8] {
        template.batch(index, now: WallClock.nowNanos())
    }

    /// Batch `index` stamped `now`, through the general encoder: the reference the template is checked against.
    func encoded(_ index: Int, now: UInt64) -> [UInt8] {
        let attributes = Self.attributes(spec)
        var random = SeededGenerator(seed: seed).derived(UInt64(index))
        var spans: [OTLPProtobufEncoder.Span] = []
        spans.reserveCapacity(spec.batchSpans)
        for position in (index * spec.batchSpans)..<((index + 1) * spec.batchSpans) {
            let trace = position / spec.spansPerTrace, inTrace = position % spec.spansPerTrace
            let traceID = TraceID(high: seed ^ 0x7472_6163_6562_656E, low: UInt64(trace) &+ 1)
            spans.append(OTLPProtobufEncoder.Span(
                traceID: traceID, spanID: UInt64(position) &+ 1, parentSpanID: inTrace == 0 ? 0 : UInt64(position - inTrace) &+ 1,
                name: Self.name(isRoot: inTrace == 0), startNanos: now &- 1_000_000, endNanos: now,
                isError: spec.errorRatio > 0 && random.nextUnit() < spec.errorRatio, attributes: attributes
            ))
        }
        return encoder.encode(serviceName: Self.serviceName, spans: spans)
    }
}

/// A value shared between tasks under a lock.
final class Shared<Value: Sendable>: Sendable {
    private let lock: Mutex<Value>
    init(_ value: Value) { lock = Mutex(value) }
    func withLock<R: Sendable>(_ body: (inout Value) -> R) -> R { lock.withLock { body(&$0) } }
}
