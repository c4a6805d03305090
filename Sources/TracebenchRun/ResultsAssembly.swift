import TracebenchAnalysis
import TracebenchJudge
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink
import TracebenchVocabulary

/// Turns what the built-in pipeline observed (ledger, received spans, load tally) into its ``SystemFigures``.
enum ResultsAssembly {
    static func fill(
        _ results: inout SystemFigures, scenario: Scenario, ledger: [LedgerEntry], figures: TraceCheck.Figures,
        load: LoadGenerator.Tally, sink: TraceStore.Snapshot?, windowSeconds: Double, startMicros: Int64
    ) {
        results.series = series(scenario: scenario, ledger: ledger, load: load, sink: sink, startMicros: startMicros)
        // Jobs: the ledger balances by construction (every accepted job is exactly one of the three).
        var jobs = JobCounts()
        jobs.submitted = ledger.count
        jobs.completed = ledger.count { $0.status == JobStatus.completed }
        jobs.failed = ledger.count { $0.status == JobStatus.failed }
        jobs.pending = jobs.submitted - jobs.completed - jobs.failed
        jobs.droppedArrivals = load.droppedArrivals
        jobs.lateStarts = load.lateStarts
        results.load = LoadFigures(lag: load.scheduleLag.summary())
        jobs.submitErrors = load.submitErrors
        jobs.retries = ledger.reduce(0) { $0 + max(0, $1.attempts - 1) }
        jobs.timeouts = ledger.reduce(0) { $0 + $1.timeouts }
        results.jobs = jobs

        // Latency phases from the ledger's timestamps (warm-up excluded).
        let warmupEnd = (ledger.map(\.intendedStartMicros).filter { $0 > 0 }.min() ?? 0) + Int64(saturating: scenario.warmupSeconds * 1e6)
        var queueWait = LatencyHistogram(), processing = LatencyHistogram(), endToEnd = LatencyHistogram()
        for entry in ledger where entry.isFinished && entry.intendedStartMicros >= warmupEnd {
            queueWait.record(microseconds: entry.claimedAtMicros - entry.submittedAtMicros)
            processing.record(microseconds: entry.completedAtMicros - entry.claimedAtMicros)
            endToEnd.record(microseconds: entry.completedAtMicros - entry.intendedStartMicros)
        }
        results.latency = [
            "submit": load.submitLatency.summary(),
            "queue_wait": queueWait.summary(),
            "processing": processing.summary(),
            "end_to_end": endToEnd.summary(),
        ]
        if sink != nil { results.latency["visibility"] = figures.visibility.summary() }

        var throughput = Throughput()
        throughput.windowSeconds = windowSeconds
        if windowSeconds > 0 {
            throughput.jobsSubmittedPerSecond = Double(jobs.submitted) / windowSeconds
            throughput.jobsCompletedPerSecond = Double(jobs.completed + jobs.failed) / windowSeconds
            if let sink {
                throughput.tracesPerMinute = Double(Set(sink.spans.map(\.traceID)).count) / windowSeconds * 60
                throughput.spansPerSecond = Double(sink.spans.count) / windowSeconds
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
        sampling.decidedRatio = ledger.isEmpty ? 0 : Double(figures.sampledRootsDecided) / Double(ledger.count)
        sampling.trials = figures.exportingJobs
        results.sampling = sampling

        var spans = SpanCounts()
        spans.created = figures.spansCreated
        spans.exported = figures.spansExpectedExported
        spans.received = figures.spansReceived
        spans.sampledOut = figures.spansSampledOut
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

extension ResultsAssembly {
    /// Counters and latency histograms per `report_interval_s`, from the load's start to the last event.
    static func series(scenario: Scenario, ledger: [LedgerEntry], load: LoadGenerator.Tally, sink: TraceStore.Snapshot?,
                       startMicros: Int64) -> IntervalSeries {
        let lastMicros = max(ledger.map(\.completedAtMicros).max() ?? startMicros,
                             Int64((sink?.spans.map(\.receivedNanos).max() ?? 0) / 1000), startMicros)
        var builder = IntervalSeriesBuilder(originMicros: startMicros, seconds: Double(lastMicros - startMicros) / 1e6 + 0.001,
                                            intervalSeconds: scenario.reportIntervalSeconds)
        typealias Counter = IntervalSeries.Counter
        for event in load.submitEvents {
            builder.record("submit", microseconds: event.latencyMicros, endedAtMicros: event.endedMicros)
        }
        for micros in load.droppedArrivalMicros { builder.count(Counter.droppedArrivals, atMicros: micros) }
        let warmupEnd = startMicros + Int64(saturating: scenario.warmupSeconds * 1e6)
        for entry in ledger {
            builder.count(Counter.submitted, atMicros: entry.submittedAtMicros)
            guard entry.isFinished else { continue }
            builder.count(entry.status == JobStatus.failed ? Counter.failed : Counter.completed, atMicros: entry.completedAtMicros)
            guard entry.intendedStartMicros >= warmupEnd else { continue }
            builder.record("queue_wait", microseconds: entry.claimedAtMicros - entry.submittedAtMicros, endedAtMicros: entry.claimedAtMicros)
            builder.record("processing", microseconds: entry.completedAtMicros - entry.claimedAtMicros, endedAtMicros: entry.completedAtMicros)
            builder.record("end_to_end", microseconds: entry.completedAtMicros - entry.intendedStartMicros, endedAtMicros: entry.completedAtMicros)
        }
        builder.addSink(sink?.spans ?? [])
        return builder.build(counters: [Counter.submitted, Counter.completed, Counter.failed, Counter.spansAtSink, Counter.tracesAtSink,
                                        Counter.droppedArrivals])
    }
}

extension IntervalSeriesBuilder {
    /// What the sink received, by arrival time: spans, traces (at their first span) and each span's visibility.
    mutating func addSink(_ spans: [ReceivedSpan]) {
        var seen = Set<TraceID>()
        for span in spans.sorted(by: { $0.receivedNanos < $1.receivedNanos }) {
            let received = Int64(clamping: span.receivedNanos / 1000)
            count(IntervalSeries.Counter.spansAtSink, atMicros: received)
            if seen.insert(span.traceID).inserted { count(IntervalSeries.Counter.tracesAtSink, atMicros: received) }
            record("visibility", microseconds: received - Int64(clamping: span.endNanos / 1000), endedAtMicros: received)
        }
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
    }
}
