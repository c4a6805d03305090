import TracebenchAnalysis
import TracebenchJudge
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// The built-in pipeline, tracebench's own replica of the design document's job queue: API and worker processes
/// over Redis, traced with swift-otel (for overhead runs, the inline phase and then the resource blocks); its ledger
/// is read back from Redis and every received trace checked against it.
struct BuiltInPipeline: SystemUnderTest {
    /// The Redis the pipeline uses (the user's, or a private server stopped by ``close()``).
    let redis: RedisHandle
    /// `tracing.protocol`: how the pipeline's SDKs export.
    let wire: TracingSpec.WireProtocol

    var exportsFromItsOwnSDKs: Bool { true }
    var watchedProcesses: [(name: String, pid: Int32)] { redis.server.map { [("redis", $0.pid)] } ?? [] }

    func close() { redis.server?.stop() }

    func run(in services: RunServices) async -> SystemFigures {
        var results = SystemFigures()
        let scenario = services.scenario
        let phase = PipelinePhase(scenario: scenario, runID: services.runID, redisURL: redis.url, endpoint: services.endpoint,
                                  executablePath: services.options.executablePath, workDirectory: services.workDirectory)
        // Finished jobs are taken from Redis as they finish (their hashes deleted), so Redis stays flat on long runs.
        let stream = LedgerStream(url: redis.url, runID: services.runID)
        stream.start()
        let outcome = await phase.run(monitor: services.monitor, httpClient: services.httpClient, control: redis.control,
                                      sink: services.sink, stop: services.stop, progress: services.options.progress)
        results.problems.append(contentsOf: outcome.problems)
        let load = outcome.load
        let streamed = try? await stream.finish()

        // Overhead runs: the resource phase, whole processes per arm (the sink keeps receiving the otlp arm).
        var inlineSpans: Int?
        var blocks: [ResourceBlock] = []
        if let overhead = scenario.overhead, overhead.blocks > 0, outcome.problems.isEmpty, !services.stop.isRaised {
            if services.collector != nil {
                await services.sink?.store.waitUntilQuiet(quietFor: .milliseconds(1500), atMost: .seconds(20))
            }
            inlineSpans = services.sink?.store.spanCount
            blocks = await ResourceBlocks.run(
                scenario: scenario, overhead: overhead, runID: services.runID, redisURL: redis.url, endpoint: services.endpoint,
                executablePath: services.options.executablePath, workDirectory: services.workDirectory,
                httpClient: services.httpClient, control: redis.control, sink: services.sink, stop: services.stop,
                problems: &results.problems
            )
        }
        // Ground truth (the workers have stopped: the ledger is final), read before the sink is closed so that the
        // spans it says must arrive through a collector are waited for: the finished jobs the stream took, and the
        // hashes of the rest (pending jobs; every job when the stream failed).
        var ledger: [LedgerEntry] = []
        var ledgerLost = false
        do {
            let taken = streamed ?? [:]
            let rest = try LedgerReader.read(jobIDs: load.acceptedJobIDs.filter { taken[$0] == nil }, connection: redis.control)
            let restByID = Dictionary(rest.map { ($0.jobID, $0) }, uniquingKeysWith: { first, _ in first })
            ledger = load.acceptedJobIDs.compactMap { taken[$0] ?? restByID[$0] }
        } catch {
            ledgerLost = true
            results.problems.append(Problem(.ledgerUnreadable, "cannot read the job ledger from Redis: \(error); partial figures: jobs.submitted is the count of jobs the API accepted, counted pending (their outcome is unknown); spans.exported is at least spans.received; trace completeness is not measured"))
        }
        let armModes = scenario.overhead?.arms ?? [scenario.tracing.mode]
        let exports = { (entry: LedgerEntry) in (armModes.indices.contains(entry.arm) ? armModes[entry.arm] : armModes[0]) == .otlp }
        let collectorSampling = scenario.collector?.sampling
        let due = TraceCheck.spansDue(ledger: ledger, collector: collectorSampling?.threshold, exports: exports)
        let finished = await services.finish(expectedSpans: due)
        results.problems += finished.problems
        var snapshot = finished.snapshot
        if let inlineSpans, snapshot != nil, snapshot!.spans.count > inlineSpans {
            snapshot!.spans.removeSubrange(inlineSpans...)  // the blocks' spans are not the inline phase's
        }

        // Trace check, results.
        let figures = TraceCheck.check(ledger: ledger, spans: snapshot?.spans ?? [], collector: collectorSampling?.threshold, exports: exports)
        ResultsAssembly.fill(&results, scenario: scenario, ledger: ledger, figures: figures, load: load, sink: snapshot,
                             windowSeconds: outcome.windowSeconds, startMicros: outcome.startMicros)
        if let snapshot, !ledger.isEmpty {
            let jobTraces = Set(ledger.compactMap { TraceID(hex: $0.traceID) })
            results.analytics = TraceAnalytics.analyse(spans: snapshot.spans, owned: jobTraces.contains)
            let kept = TraceCheck.retention(ledger: ledger, spans: snapshot.spans, exports: exports)
            results.sampling.errorRetention = share(kept.errorJobsKept, kept.errorJobs)
            results.sampling.completeErrorRetention = share(kept.errorJobsKeptComplete, kept.errorJobs)
            results.sampling.normalRetention = share(kept.normalJobsKept, kept.normalJobs)
            results.sampling.slowRetention = share(kept.slowJobsKept, kept.slowJobs)
            SamplingResults.fill(&results.sampling, scenario: scenario, ledger: ledger, spans: snapshot.spans, exports: exports)
        }
        if ledgerLost {
            // What the coordinator knows without the ledger: the jobs the API accepted and the spans that arrived.
            results.jobs.submitted = load.acceptedJobIDs.count
            results.jobs.pending = results.jobs.submitted
            results.spans.received = snapshot?.spans.count ?? 0
            results.spans.exported = max(results.spans.exported, results.spans.received)
        }
        if let overhead = scenario.overhead {
            let analysis = OverheadAnalysis.analyze(scenario: scenario, overhead: overhead, ledger: ledger, load: load, blocks: blocks)
            results.overhead = analysis.overhead
            results.budgets = analysis.budgets
            results.resourceBlocks = blocks
        }
        return results
    }
}
