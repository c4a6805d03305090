import TracebenchAnalysis
import TracebenchJudge
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink
import TracebenchVocabulary

/// Turns what the built-in pipeline observed (its jobs and spans folded, the load tally, the sink's counts) into its
/// ``SystemFigures``.
enum ResultsAssembly {
    static func fill(
        _ results: inout SystemFigures, scenario: Scenario, fold: PipelineFold, load: LoadGenerator.Tally,
        sink: TraceStore.Snapshot?, windowSeconds: Double
    ) {
        let figures = fold.traces.figures
        var series = fold.series
        series.merge(load.series)
        results.series = series.build(counters: [IntervalSeries.Counter.submitted, IntervalSeries.Counter.completed, IntervalSeries.Counter.failed,
                                                 IntervalSeries.Counter.spansAtSink, IntervalSeries.Counter.tracesAtSink,
                                                 IntervalSeries.Counter.droppedArrivals])
        // Jobs: the ledger balances by construction (every accepted job is exactly one of the three).
        var jobs = fold.jobs
        jobs.pending = jobs.submitted - jobs.completed - jobs.failed
        jobs.droppedArrivals = load.droppedArrivals
        jobs.lateStarts = load.lateStarts
        jobs.submitErrors = load.submitErrors
        results.load = LoadFigures(lag: load.scheduleLag.summary(), hiccups: load.hostPauses?.hiccups.summary(), stealSeconds: load.hostPauses?.stealSeconds)
        results.jobs = jobs

        // Latency phases from the ledger's timestamps (warm-up excluded).
        results.latency = [
            "submit": load.submitLatency.summary(),
            "queue_wait": fold.queueWait.summary(),
            "processing": fold.processing.summary(),
            "end_to_end": fold.endToEnd.summary(),
        ]
        if sink != nil { results.latency["visibility"] = figures.visibility.summary() }

        var throughput = Throughput()
        throughput.windowSeconds = windowSeconds
        if windowSeconds > 0 {
            throughput.jobsSubmittedPerSecond = Double(jobs.submitted) / windowSeconds
            throughput.jobsCompletedPerSecond = Double(jobs.completed + jobs.failed) / windowSeconds
            if sink != nil {
                throughput.tracesPerMinute = Double(fold.traces.traces) / windowSeconds * 60
                throughput.spansPerSecond = Double(figures.spansReceived) / windowSeconds
            }
        }
        results.throughput = throughput

        guard let sink else {
            results.spans.created = figures.spansCreated
            return
        }
        // Traces against the ledger.
        var traces = TraceFigures()
        traces.expected = figures.tracesExpected
        traces.sampledOut = figures.tracesSampledOut
        traces.received = figures.tracesReceived
        traces.complete = figures.tracesComplete
        traces.completeness = figures.tracesExpected == 0 ? nil : Double(figures.tracesComplete) / Double(figures.tracesExpected)
        traces.orphanSpans = figures.orphanSpans
        traces.brokenContext = figures.brokenContext
        traces.brokenContextShare = .wilson(successes: figures.brokenContext, trials: figures.contextChecked)
        traces.depth = Dictionary(uniqueKeysWithValues: figures.depthCounts.map { (String($0.key), $0.value) })
        traces.maxDepth = figures.depthCounts.keys.max() ?? 0
        traces.errorSpans = figures.errorSpans
        traces.tracesWithErrors = figures.tracesWithErrors
        traces.errorAttribution = .wilson(successes: figures.errorSpansAttributed, trials: figures.errorSpansWithParent)
        results.traces = traces

        // Only jobs of an exporting arm can reach the sink: an overhead run's `off` and `sdk` jobs are not trials.
        let observed = ProportionEstimate.wilson(successes: figures.sampledRootsReceived, trials: figures.exportingJobs)
        var sampling = SamplingFigures()
        sampling.configuredRatio = scenario.tracing.configuredRatio
        sampling.observedRatio = figures.exportingJobs > 0 ? observed.ratio : nil  // no exporting job: not measured
        sampling.ciLow = observed.ciLow
        sampling.ciHigh = observed.ciHigh
        sampling.decidedRatio = figures.jobs == 0 ? 0 : Double(figures.sampledRootsDecided) / Double(figures.jobs)
        sampling.trials = figures.exportingJobs
        results.sampling = sampling

        var spans = SpanCounts()
        spans.created = figures.spansCreated
        spans.exported = figures.spansExpectedExported
        spans.received = figures.spansReceived
        spans.sampledOut = figures.spansSampledOut
        spans.late = fold.judgesLateness ? fold.traces.lateSpans : nil  // only a run that finalised traces live can tell
        // Spans past the sink's limit arrived (counted as overflow, the run failed for it): not lost.
        spans.dropped = max(0, spans.exported - spans.sampledOut - spans.received - sink.overflow)
        results.spans = spans
        results.sink = SinkCounts(sink)

        // Tracing off in every arm: no span exists, so no trace figure was measured — null, never "100 % complete".
        if scenario.overhead == nil, scenario.tracing.mode == .off {
            results.traces.completeness = nil
            results.sampling.observedRatio = nil
            results.problems.append(Problem(.traceFiguresNotMeasured, "tracing.mode is off: no span was created, so the trace figures (completeness, sampling, spans at the sink, visibility) were not measured"))
        }
    }
}

extension IntervalSeriesBuilder {
    /// What the sink received, by arrival time: spans, traces (at their first span) and each span's visibility.
    mutating func addSink(_ spans: [ReceivedSpan]) {
        var seen = Set<TraceID>()
        for span in spans.sorted(by: { $0.receivedNanos < $1.receivedNanos }) {
            if seen.insert(span.traceID).inserted { addSinkTrace(firstReceivedNanos: span.receivedNanos) }
            addSinkSpan(span)
        }
    }

    /// One span the sink received: counted at its arrival, its visibility recorded.
    mutating func addSinkSpan(_ span: ReceivedSpan) {
        let received = Int64(clamping: span.receivedNanos / 1000)
        count(IntervalSeries.Counter.spansAtSink, atMicros: received)
        record("visibility", microseconds: received - Int64(clamping: span.endNanos / 1000), endedAtMicros: received)
    }

    /// A trace, counted at the arrival of its first span.
    mutating func addSinkTrace(firstReceivedNanos: UInt64) {
        count(IntervalSeries.Counter.tracesAtSink, atMicros: Int64(clamping: firstReceivedNanos / 1000))
    }
}

extension TracingEffective {
    /// The scenario's tracing settings with the endpoint in force and the `OTEL_*` overrides seen.
    init(spec: TracingSpec, endpoint: String, environmentOverrides: [String: String]) {
        self.init()
        mode = spec.mode.rawValue
        self.protocol = spec.protocol.rawValue
        sampler = spec.sampler.rawValue
        ratio = spec.configuredRatio
        self.endpoint = Redaction.maskingURLCredentials(endpoint)
        headerNames = spec.headers.keys.sorted()
        self.environmentOverrides = environmentOverrides
        batch = BatchSettings(scheduleDelayMs: spec.batch.scheduleDelayMs, maxQueueSize: spec.batch.maxQueueSize,
                              maxExportBatchSize: spec.batch.maxExportBatchSize, exportTimeoutMs: spec.batch.exportTimeoutMs)
    }
}

extension SinkCounts {
    /// The counts of a sink snapshot.
    init(_ snapshot: TraceStore.Snapshot) {
        self.init()
        requests = snapshot.requests
        grpcRequests = snapshot.grpcRequests
        bodyBytes = snapshot.bodyBytes
        rejected = Dictionary(uniqueKeysWithValues: snapshot.rejected.map { ($0.key.rawValue, $0.value) })
        overflow = snapshot.overflow
        peakOpenSpans = snapshot.peakOpenSpans
    }
}
