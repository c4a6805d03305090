import Foundation
import TracebenchAnalysis
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink
import TracebenchVocabulary

/// Turns what a black-box run observed (the submissions, the user's ledger, the spans at the sink) into its
/// ``SystemFigures``. Figures only the built-in pipeline can give (per-job and per-span overhead; queue wait, processing
/// and end to end unless the ledger declares time fields) are left out: not measured, never 0.
enum TargetFigureAssembly {
    static func fill(_ figures: inout SystemFigures, scenario: Scenario, target: TargetSpec, tally: TargetLoad.Tally,
                     entries: [String: ReadOnlyLedger.Entry], sink: TraceStore.Snapshot?, window: Double, stillArrivingAfter: UInt64 = .max,
                     judgedAt: UInt64 = .max) {
        let ledgerRead = !entries.isEmpty || tally.acceptedJobIDs.isEmpty
        var jobs = JobCounts()
        jobs.submitted = tally.acceptedJobIDs.count
        jobs.droppedArrivals = tally.droppedArrivals
        jobs.lateStarts = tally.lateStarts
        figures.load = LoadFigures(lag: tally.scheduleLag.summary(), hiccups: tally.hostPauses?.hiccups.summary(), stealSeconds: tally.hostPauses?.stealSeconds)
        jobs.submitErrors = tally.submitErrors
        if let ledger = target.ledger, ledgerRead {
            let statuses = tally.acceptedJobIDs.map { entries[$0]?.status ?? "" }
            jobs.failed = statuses.count { ledger.failed.contains($0) }
            jobs.completed = statuses.count { ledger.done.contains($0) } - jobs.failed
        } else if target.isLoadOnly {
            jobs.completed = jobs.submitted  // load only: a job is its request, done when answered with an accepted status
        }
        jobs.pending = jobs.submitted - jobs.completed - jobs.failed
        figures.jobs = jobs
        figures.latency = ["submit": tally.submitLatency.summary()]
        if ledgerRead, let times = target.ledger?.times {
            TargetLedgerPhases.fill(&figures.latency, problems: &figures.problems, times: times, entries: entries,
                                    intendedMicros: tally.measuredIntendedMicros)
        }
        figures.throughput.windowSeconds = window
        if window > 0 {
            figures.throughput.jobsSubmittedPerSecond = Double(jobs.submitted) / window
            figures.throughput.jobsCompletedPerSecond = Double(jobs.completed + jobs.failed) / window
        }
        guard let sink, let correlate = target.correlate, ledgerRead || correlate.traceID.isKnownWithoutLedger else {
            figures.traces.completeness = nil
            figures.sampling.observedRatio = nil
            return
        }

        let deadlineNanos = UInt64(scenario.visibilityDeadlineSeconds * 1e9)
        let expectOfType = scenario.jobs.map { $0.expect?.map(\.forCheck) }
        let correlated = tally.acceptedJobIDs.map { id -> TargetCheck.Job in
            let parent = traceParent(of: id, target: target, tally: tally, entry: entries[id])
            return TargetCheck.Job(id: id, traceID: parent?.traceID, sampled: parent?.sampled,
                                   deadlineNanos: finishedNanos(entries[id], target.ledger?.times).map { $0 &+ deadlineNanos },
                                   expect: tally.jobTypes[id].flatMap { expectOfType.indices.contains($0) ? expectOfType[$0] : nil })
        }
        let expect = target.expect.map(\.forCheck)
        let check = TargetCheck.check(jobs: correlated, spans: sink.spans, expect: expect, stillArrivingAfter: stillArrivingAfter,
                                      judgedAt: judgedAt)
        let jobTraces = Set(correlated.compactMap(\.traceID))
        figures.analytics = TraceAnalytics.analyse(spans: sink.spans, owned: jobTraces.contains)
        var outcomes = TargetFigures()
        for (job, outcome) in check.outcomes {
            outcomes.outcomes[outcome.rawValue, default: 0] += 1
            if outcome != .complete, outcomes.examples[outcome.rawValue, default: []].count < TargetFigures.exampleLimit {
                outcomes.examples[outcome.rawValue, default: []].append(job)
            }
        }
        for lacking in check.missing.values.joined() { outcomes.missing[lacking, default: 0] += 1 }
        outcomes.uncorrelated = check.uncorrelated
        outcomes.duplicateSpans = check.duplicateSpans
        outcomes.unownedSpans = check.unownedSpans
        figures.target = outcomes

        // Traces: completeness over the jobs whose trace was recorded (the system's own unsampled decisions are not losses).
        let unsampled = outcomes.count(.unsampled)
        var traces = TraceFigures()
        // Censored traces were not judged: they are neither complete nor lost.
        traces.expected = correlated.count - unsampled - outcomes.count(.censored)
        traces.sampledOut = unsampled
        traces.received = check.tracesReceived
        traces.complete = outcomes.count(.complete)
        traces.completeness = traces.expected == 0 ? nil : Double(traces.complete) / Double(traces.expected)
        traces.orphanSpans = check.orphanSpans
        let broken = outcomes.count(.brokenContext)
        traces.brokenContext = broken
        traces.brokenContextShare = .wilson(successes: broken, trials: correlated.count)
        traces.errorSpans = check.errorSpans
        traces.tracesWithErrors = check.tracesWithErrors
        figures.traces = traces

        // The system's own head decisions, where the correlation channel carried the sampled flag.
        let decided = correlated.compactMap(\.sampled)
        var sampling = SamplingFigures()
        sampling.configuredRatio = configuredRatio(target) ?? sampling.configuredRatio
        if decided.isEmpty {
            sampling.observedRatio = nil
        } else {
            let observed = ProportionEstimate.wilson(successes: decided.count(where: \.self), trials: decided.count)
            sampling.observedRatio = observed.ratio
            sampling.ciLow = observed.ciLow
            sampling.ciHigh = observed.ciHigh
            sampling.decidedRatio = observed.ratio
            sampling.trials = decided.count
        }
        figures.sampling = sampling

        var spans = SpanCounts()
        spans.received = check.ownedSpans.count
        spans.late = check.lateSpans
        spans.duplicates = check.duplicateSpans
        spans.unowned = check.unownedSpans
        figures.spans = spans
        figures.sink = SinkCounts(sink)
        var visibility = LatencyHistogram()
        for span in check.ownedSpans where span.receivedNanos >= span.endNanos {
            visibility.record(microseconds: Int64(clamping: (span.receivedNanos - span.endNanos) / 1000))
        }
        figures.latency["visibility"] = visibility.summary()
        if window > 0 {
            figures.throughput.spansPerSecond = Double(check.ownedSpans.count) / window
            figures.throughput.tracesPerMinute = Double(check.tracesReceived) / window * 60
        }
    }

    /// When the job finished (ns since the epoch): the ledger's `finished` time field when declared and readable, else
    /// when tracebench first saw it done; nil when it never finished (no deadline: its trace is judged at the end).
    static func finishedNanos(_ entry: ReadOnlyLedger.Entry?, _ times: LedgerTimes?) -> UInt64? {
        if let times, let micros = times.micros(times.finished.flatMap { entry?.fields[$0] }) { return UInt64(max(0, micros)) &* 1000 }
        return entry?.seenDoneNanos
    }

    /// The job's traceparent from the correlation channel.
    static func traceParent(of id: String, target: TargetSpec, tally: TargetLoad.Tally, entry: ReadOnlyLedger.Entry?) -> TraceParent? {
        switch target.correlate?.traceID {
        case nil:
            return nil
        case .responseHeader, .responseBody:
            return tally.traceHeaders[id].flatMap(TraceParent.init(parsing:))
        case .injected:
            return tally.injected[id].map { TraceParent(traceID: $0.traceID, sampled: $0.sampled) }
        case let .ledger(field, key):
            guard let value = entry?.fields[field] else { return nil }
            guard let key else { return TraceParent(parsing: value) }
            guard let object = try? JSONSerialization.jsonObject(with: Data(value.utf8)) as? [String: Any],
                  let text = object[key] as? String else { return nil }
            return TraceParent(parsing: text)
        }
    }

    /// The head-sampling ratio: tracebench's own `inject_ratio` when it starts the traces, else the system's SDK's, when
    /// `target.launch.env` says it (OTEL_TRACES_SAMPLER[_ARG]).
    static func configuredRatio(_ target: TargetSpec) -> Double? {
        if target.submit.traceparent == .inject { return target.submit.injectRatio }
        guard let env = target.launch?.env, let sampler = env["OTEL_TRACES_SAMPLER"] else { return nil }
        switch sampler {
        case "always_on", "parentbased_always_on": return 1
        case "always_off", "parentbased_always_off": return 0
        case "traceidratio", "parentbased_traceidratio": return Double(env["OTEL_TRACES_SAMPLER_ARG"] ?? "1")
        default: return nil
        }
    }
}

extension TargetSpec.Expectation {
    /// This expectation as the trace checks (`TargetCheck`, `StructureCheck`) read it.
    var forCheck: TargetCheck.Expectation { TargetCheck.Expectation(service: service, minimumCounts: minimumCounts) }
}

extension TargetSpec.TraceIDSource {
    /// Whether the trace id is known without the ledger (from the submit response, or tracebench started it).
    var isKnownWithoutLedger: Bool {
        switch self {
        case .responseHeader, .responseBody, .injected: return true
        case .ledger: return false
        }
    }
}
