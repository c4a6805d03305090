import Foundation
import TracebenchAnalysis
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// `tracebench listen`: the sink alone, no load. Whatever arrives (production-like traffic, another load tool) is
/// judged on its structure — traces, roots, orphans, duplicates, depth, services, error spans, visibility from span end
/// to arrival — into a results file of `kind: listen` that `gate`, `report` and `compare` read like a run's.
public enum ListenSession {
    /// How `tracebench listen` was invoked.
    public struct Options: Sendable {
        public var seconds: Double
        public var sink: SinkSpec
        public var outputPath: String?
        public var resultsDirectory = "results"
        /// Where the OTEL_* lines to export to the sink go (stderr in the CLI).
        public var announce: @Sendable (String) -> Void = { _ in }
        public var handleSignals = false
        /// Polled while listening: true ends the listening before `seconds` (a caller that knows its traffic is in).
        public var endEarly: @Sendable () -> Bool = { false }
        /// What a complete trace holds (`--expect`); nil: completeness is not measured.
        public var expect: [TargetSpec.Expectation]?
        public init(seconds: Double, sink: SinkSpec = SinkSpec(), outputPath: String? = nil) {
            self.seconds = seconds
            self.sink = sink
            self.outputPath = outputPath
        }
    }

    public static func run(_ options: Options) async throws(RunFailure) -> RunOutcome {
        let stop = StopSignal()
        if options.handleSignals { stop.listenForSignals() }
        defer { stop.stopListening() }
        let startedAt = Date()
        let path = options.outputPath ?? ResultsFile.defaultPath(directory: options.resultsDirectory, scenarioName: "listen", date: startedAt)
        if let reason = ResultsFile.unwritableReason(path) { throw .scenario("cannot write results to \(path): \(reason)") }
        let sink = OTLPSink(host: options.sink.host, port: options.sink.port, token: options.sink.token, maxSpans: options.sink.maxSpans)
        let address = try await CollectorProcess.SinkAddress.start(sink, spec: options.sink)
        options.announce("export OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=\(address.url)/v1/traces OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=http/protobuf")
        options.announce("# or over gRPC: OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=\(address.grpcURL) OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=grpc")
        options.announce("# or Zipkin v2 JSON: OTEL_EXPORTER_ZIPKIN_ENDPOINT=\(address.url)/api/v2/spans")
        if !options.sink.token.isEmpty { options.announce("export OTEL_EXPORTER_OTLP_TRACES_HEADERS=\"Authorization=Bearer $TRACEBENCH_SINK_TOKEN\"") }
        let began = ContinuousClock.now
        let deadline = began + .clampedSeconds(options.seconds)
        while ContinuousClock.now < deadline, !stop.isRaised, !options.endEarly() { try? await Task.sleep(for: .milliseconds(100)) }
        let window = (ContinuousClock.now - began) / .seconds(1)
        let snapshot = sink.store.snapshot()
        await sink.stop()

        var results = RunResults()
        results.kind = .listen
        results.scenarioName = "listen"
        results.runID = String(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF, radix: 16)
        results.startedAt = ResultsFile.timestamp(startedAt)
        results.environment = await EnvironmentProbe.current()
        fill(&results, snapshot: snapshot, window: window, expect: options.expect)
        results.finishedAt = ResultsFile.timestamp()
        let interrupted = stop.isRaised
        if results.spans.received == 0 {
            results.problems.append(Problem(.nothingReceived, "no span arrived in \(String(format: "%.1f", window)) s of listening: there is nothing to judge"))
        }
        if let overflow = results.sink.overflowProblem { results.problems.append(overflow) }
        results.status = RunStatus.derive(problems: results.problems, interrupted: interrupted)
        return try ResultsWriting.write(results, to: path, scenarioName: "listen", startedAt: startedAt)
    }

    /// The structural figures of what arrived; completeness only against an expectation (every trace that arrived is
    /// expected to be complete), not measured without one.
    static func fill(_ results: inout RunResults, snapshot: TraceStore.Snapshot, window: Double, expect: [TargetSpec.Expectation]? = nil) {
        let figures = StructureCheck.check(snapshot.spans, expect: expect?.map(\.forCheck))
        var traces = TraceFigures()
        traces.received = figures.traces
        traces.completeness = nil
        if let complete = figures.complete {
            traces.expected = figures.traces
            traces.complete = complete
            traces.completeness = figures.traces > 0 ? Double(complete) / Double(figures.traces) : nil
        }
        traces.orphanSpans = figures.orphanSpans
        traces.depth = Dictionary(uniqueKeysWithValues: figures.depthCounts.map { (String($0.key), $0.value) })
        traces.maxDepth = figures.depthCounts.keys.max() ?? 0
        traces.errorSpans = figures.errorSpans
        traces.tracesWithErrors = figures.tracesWithErrors
        results.traces = traces
        results.sampling.observedRatio = nil
        results.spans.received = figures.spans
        results.spans.duplicates = figures.duplicateSpans
        results.sink = SinkCounts(snapshot)
        var visibility = LatencyHistogram()
        for micros in figures.visibilityMicros { visibility.record(microseconds: micros) }
        if !figures.visibilityMicros.isEmpty { results.latency["visibility"] = visibility.summary() }
        results.throughput.windowSeconds = window
        if window > 0 {
            results.throughput.spansPerSecond = Double(figures.spans) / window
            results.throughput.tracesPerMinute = Double(figures.traces) / window * 60
        }
        var listen = ListenFigures()
        listen.windowSeconds = window
        listen.roots = figures.roots
        listen.tracesWithoutRoot = figures.tracesWithoutRoot
        listen.duplicateSpans = figures.duplicateSpans
        listen.services = figures.services
        if figures.complete != nil { listen.missing = figures.missing }
        results.listen = listen
    }
}
