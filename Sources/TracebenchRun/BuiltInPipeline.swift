import Synchronization
import TracebenchAnalysis
import TracebenchProcess
import TracebenchRedis
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

    func close() async {
        if let server = redis.server { await OwnThread.run { server.stop() } }
    }

    func run(in services: RunServices) async -> SystemFigures {
        var results = SystemFigures()
        let scenario = services.scenario
        let runID = services.runID
        var phase = PipelinePhase(scenario: scenario, runID: runID, redisURL: redis.url, endpoint: services.endpoint,
                                  executablePath: services.options.executablePath, workDirectory: services.workDirectory)
        phase.sinkAddress = services.sinkAddress
        // Traces are judged while the run goes on (the sink holds what is in flight), except in overhead runs: their
        // resource phase shares the sink, and they are short by design, so they are checked at once at the end.
        let finaliser = scenario.overhead == nil ? services.sink.map {
            TraceFinaliser(store: $0.store, scenario: scenario, recheck: services.options.recheckStreaming)
        } : nil
        // Finished jobs are taken from Redis as they finish (their hashes deleted), so Redis stays flat on long runs.
        let taken = Mutex<(delivered: JobIndexSet, entries: [LedgerEntry])>((JobIndexSet(), []))
        let stream = LedgerStream(url: redis.url, runID: runID) { entries in
            let fresh = taken.withLock { taken in
                entries.filter { entry in JobIndexSet.index(ofJob: entry.jobID, runID: runID).map { taken.delivered.insert($0) } ?? false }
            }
            if let finaliser { finaliser.deliver(fresh) } else { taken.withLock { $0.entries += fresh } }
        }
        stream.start()
        let outcome = await phase.run(monitor: services.monitor, httpClient: services.httpClient, control: redis.control,
                                      sink: services.sink, stop: services.stop, progress: services.options.progress,
                                      onStart: { finaliser?.begin(startMicros: $0) })
        results.problems.append(contentsOf: outcome.problems)
        let load = outcome.load
        try? await stream.finish()

        // Overhead runs: the resource phase, whole processes per arm (the sink keeps receiving the otlp arm).
        var inlineSpans: Int?
        var blocks: [ResourceBlock] = []
        if let overhead = scenario.overhead, overhead.blocks > 0, outcome.problems.isEmpty, !services.stop.isRaised {
            if services.collector != nil {
                await services.sink?.store.waitUntilQuiet(quietFor: .milliseconds(1500), atMost: .seconds(20))
            }
            inlineSpans = services.sink?.store.spanCount
            blocks = await ResourceBlocks.run(
                scenario: scenario, overhead: overhead, runID: runID, redisURL: redis.url, endpoint: services.endpoint,
                executablePath: services.options.executablePath, workDirectory: services.workDirectory,
                httpClient: services.httpClient, control: redis.control, sink: services.sink, stop: services.stop,
                problems: &results.problems
            )
        }
        // The rest of the ground truth (the workers have stopped: the ledger is final), read before the sink is closed
        // so that the spans it says must arrive through a collector are waited for: the hashes of the jobs the stream
        // did not take (pending jobs; every job when the stream failed).
        var rest: [LedgerEntry] = []
        var ledgerLost = false
        do {
            let delivered = taken.withLock { $0.delivered }
            let unread = load.accepted.indices.filter { !delivered.contains($0) }.map { "\(runID)-\($0)" }
            let control = redis.control, runID = runID
            rest = try await OwnThread.run { () throws(RedisError) in
                let rest = try LedgerReader.read(jobIDs: unread, connection: control)
                LedgerReader.removeRun(runID, jobIDs: unread, connection: control)
                return rest
            }
        } catch {
            ledgerLost = true
            results.problems.append(Problem(.ledgerUnreadable, "cannot read the job ledger from Redis: \(error); partial figures: jobs.submitted is the count of jobs the API accepted, counted pending (their outcome is unknown); spans.exported is at least spans.received; trace completeness is not measured"))
        }
        let rules = TraceFold.Rules(scenario: scenario)
        let batchLedger = taken.withLock { $0.entries } + rest
        let due = (finaliser?.spansDue ?? 0) + TraceCheck.spansDue(ledger: finaliser == nil ? batchLedger : rest,
                                                                    collector: rules.collector, exports: rules.exports)
        let finished = await services.finish(expectedSpans: due)
        results.problems += finished.problems
        let snapshot = finished.snapshot

        // Trace check, results.
        let fold: PipelineFold
        if let finaliser {
            let finished = await finaliser.finish(rest: rest, startMicros: outcome.startMicros)
            fold = finished.fold
            if services.stop.isRaised {
                results.problems.append(Problem(.notMeasured, "the run was stopped with \(finished.open.jobs) finished jobs still waiting for their spans, \(rest.count) jobs not finished and \(finished.open.traces) traces open: those were judged with the spans that had arrived; every trace judged before the stop is in the figures as it was"))
            }
            if let batch = finaliser.batchRecheck(startMicros: outcome.startMicros) {
                results.problems += StreamingRecheck.compare(streamed: fold, batch: batch, scenario: scenario, load: load, sink: snapshot,
                                                             windowSeconds: outcome.windowSeconds)
            }
        } else {
            var spans = snapshot?.spans ?? []
            if let inlineSpans, spans.count > inlineSpans { spans.removeSubrange(inlineSpans...) }  // the blocks' spans are not the inline phase's
            fold = PipelineFold.batch(rules: rules, scenario: scenario, startMicros: outcome.startMicros, ledger: batchLedger, spans: spans)
        }
        Self.fill(&results, scenario: scenario, fold: fold, load: load, sink: snapshot, windowSeconds: outcome.windowSeconds)
        results.load?.agents = outcome.agents
        if ledgerLost {
            // What the coordinator knows without the ledger: the jobs the API accepted and the spans that arrived.
            results.jobs.submitted = load.accepted.count
            results.jobs.pending = results.jobs.submitted
            results.spans.received = snapshot?.received ?? 0
            results.spans.exported = max(results.spans.exported, results.spans.received)
        }
        if let overhead = scenario.overhead {
            let analysis = OverheadAnalysis.analyze(scenario: scenario, overhead: overhead, ledger: batchLedger, load: load, blocks: blocks)
            results.overhead = analysis.overhead
            results.budgets = analysis.budgets
            results.resourceBlocks = blocks
        }
        return results
    }

    /// The figures of a folded run: counts, phases and series; with a sink, analytics and sampling too.
    static func fill(_ results: inout SystemFigures, scenario: Scenario, fold: PipelineFold, load: LoadGenerator.Tally,
                     sink: TraceStore.Snapshot?, windowSeconds: Double) {
        ResultsAssembly.fill(&results, scenario: scenario, fold: fold, load: load, sink: sink, windowSeconds: windowSeconds)
        guard sink != nil, fold.traces.figures.jobs > 0 else { return }
        results.analytics = fold.traces.analytics
        SamplingResults.fill(&results.sampling, scenario: scenario, fold: fold.traces)
    }
}
