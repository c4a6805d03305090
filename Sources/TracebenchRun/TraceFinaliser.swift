import Synchronization
import TracebenchAnalysis
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// Judges a built-in run's traces while it goes on, so the coordinator holds what is in flight instead of the run:
/// each finished job (from the ``LedgerStream``) waits until the spans its ledger entry says must arrive have arrived
/// (then its traces are taken from the sink's ``OpenTraces`` and folded into the ``PipelineFold``) or until its deadline,
/// `visibility_deadline_s` after it finished, passes (folded with what came; the rest, if it comes, is late). Traces
/// that name no job are folded once idle for a deadline. At the end, every job still waiting and every trace still
/// open are folded with what arrived, as the batch check would.
final class TraceFinaliser: Sendable {
    private struct Waiting: Sendable {
        var entry: LedgerEntry
        /// Spans that must arrive before the job is judged early (0: wait for the deadline, a sampler may still send).
        var due: Int
        /// Whether its SDKs exported spans (then its traces are marked judged even if none arrived: later ones are late).
        var exported: Bool
        var deadlineNanos: UInt64
    }

    private struct State: Sendable {
        var fold: PipelineFold?
        var waiting: [String: Waiting] = [:]
        /// Spans the delivered jobs' ledger entries say must arrive (what the end of the run waits for).
        var due = 0
        var lastRetireNanos: UInt64 = 0
        /// `recheck`: every job and span, for the batch recomputation.
        var kept: (entries: [LedgerEntry], spans: [ReceivedSpan])?
    }

    private let state: Mutex<State>
    private let store: TraceStore
    private let rules: TraceFold.Rules
    private let scenario: Scenario
    private let deadlineNanos: UInt64
    private let stopping = Atomic<Bool>(false)
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// - Parameter recheck: keep a copy of every job and span so that ``batchRecheck()`` can recompute the figures at
    ///   once (a test of the streaming path; memory grows with the run).
    init(store: TraceStore, scenario: Scenario, recheck: Bool = false) {
        self.store = store
        self.scenario = scenario
        rules = TraceFold.Rules(scenario: scenario)
        deadlineNanos = UInt64(scenario.visibilityDeadlineSeconds * 1e9)
        state = Mutex(State(kept: recheck ? ([], []) : nil))
        store.finaliseByTrace()
    }

    /// The load's time zero is known: the fold (and its interval series) starts; the judging loop runs every 200 ms.
    func begin(startMicros: Int64) {
        state.withLock { state in
            var fold = PipelineFold(rules: rules, scenario: scenario, startMicros: startMicros)
            fold.judgesLateness = true
            state.fold = fold
            state.lastRetireNanos = UInt64(WallClock.nowMicros()) * 1000
        }
        let work = Task.detached { [self] in
            while !stopping.load(ordering: .relaxed) {
                judge(nowNanos: UInt64(WallClock.nowMicros()) * 1000)
                try? await Task.sleep(for: .milliseconds(200))
            }
        }
        task.withLock { $0 = work }
    }

    /// How long a judged trace is remembered (its later spans counted late): a deadline, and at least a minute — a
    /// few thousand trace ids on a long run at hundreds of jobs a second.
    static func rememberNanos(deadline: UInt64) -> UInt64 { max(deadline, 60_000_000_000) }

    /// Finished jobs taken from the ledger.
    func deliver(_ entries: [LedgerEntry]) {
        state.withLock { state in
            for entry in entries {
                let finished = entry.completedAtMicros > 0 ? UInt64(entry.completedAtMicros) * 1000 : UInt64(WallClock.nowMicros()) * 1000
                let exported = rules.exports(entry) ? entry.sampledSpans : 0
                let due = entry.collectorKeeps(rules.collector) ? exported : 0
                state.waiting[entry.jobID] = Waiting(entry: entry, due: due, exported: exported > 0, deadlineNanos: finished + deadlineNanos)
                state.due += due
                state.kept?.entries.append(entry)
            }
        }
    }

    /// Spans the delivered jobs say must arrive.
    var spansDue: Int { state.withLock { $0.due } }

    /// Jobs waiting for their spans or deadline.
    var waitingJobs: Int { state.withLock { $0.waiting.count } }

    /// One pass: folds the jobs whose spans are in or whose deadline passed, idle traces no job names, late spans.
    func judge(nowNanos: UInt64) {
        state.withLock { state in
            guard state.fold != nil else { return }
            var ready: [Waiting] = []
            for (job, waiting) in state.waiting {
                let trace = TraceID(hex: waiting.entry.traceID)
                let arrived = waiting.due > 0 ? (store.withOpenTraces { $0.spanCount(job: job, trace: trace) } ?? 0) : 0
                if (waiting.due > 0 && arrived >= waiting.due) || nowNanos >= waiting.deadlineNanos { ready.append(waiting) }
            }
            for waiting in ready {
                state.waiting[waiting.entry.jobID] = nil
                let entry = waiting.entry
                let traces = store.withOpenTraces {
                    $0.take(job: entry.jobID, trace: TraceID(hex: entry.traceID), workerTrace: TraceID(hex: entry.workerTraceID),
                            expectingSpans: waiting.exported)
                } ?? []
                state.kept?.spans.append(contentsOf: traces.joined())
                state.fold!.add(job: waiting.entry, traces: traces)
            }
            let idle = nowNanos > deadlineNanos ? nowNanos - deadlineNanos : 0
            for trace in store.withOpenTraces({ $0.takeUnowned(idleSince: idle) }) ?? [] {
                state.kept?.spans.append(contentsOf: trace)
                state.fold!.add(unowned: trace)
            }
            let late = store.withOpenTraces { $0.takeLate() } ?? []
            state.kept?.spans.append(contentsOf: late)
            state.fold!.add(late: late)
            if nowNanos - state.lastRetireNanos >= Self.rememberNanos(deadline: deadlineNanos) {
                store.withOpenTraces { $0.retire() }
                state.lastRetireNanos = nowNanos
            }
            // Interval histograms nothing was recorded into for 15 s are kept encoded.
            state.fold!.seal(idleSince: Int64(nowNanos / 1000) - 15_000_000)
        }
    }

    /// Stops the loop and folds everything left: the jobs still waiting, `rest` (jobs the stream never delivered,
    /// read from Redis at the end), and every trace still open — with what arrived, no deadline applied.
    /// `open` says what was still unjudged then: finished jobs waiting for spans, and traces held.
    func finish(rest: [LedgerEntry], startMicros: Int64) async -> (fold: PipelineFold, open: (jobs: Int, traces: Int)) {
        stopping.store(true, ordering: .relaxed)
        await task.withLock { $0 }?.value
        return state.withLock { state in
            if state.fold == nil { state.fold = PipelineFold(rules: rules, scenario: scenario, startMicros: startMicros) }
            let open = (jobs: state.waiting.count, traces: store.withOpenTraces { $0.traces.count } ?? 0)
            let remaining = state.waiting.values.map(\.entry).sorted { $0.jobID < $1.jobID } + rest
            state.waiting = [:]
            state.kept?.entries.append(contentsOf: rest)
            for entry in remaining {
                let traces = store.withOpenTraces { $0.take(job: entry.jobID, trace: TraceID(hex: entry.traceID)) } ?? []
                state.kept?.spans.append(contentsOf: traces.joined())
                state.fold!.add(job: entry, traces: traces)
            }
            for trace in store.withOpenTraces({ $0.takeAll() }) ?? [] {
                state.kept?.spans.append(contentsOf: trace)
                state.fold!.add(unowned: trace)
            }
            let late = store.withOpenTraces { $0.takeLate() } ?? []
            state.kept?.spans.append(contentsOf: late)
            state.fold!.add(late: late)
            return (state.fold!, open)
        }
    }

    /// The figures recomputed at once from every job and span kept (nil unless made with `recheck`): the batch check
    /// the streaming fold must agree with (where no span was late).
    func batchRecheck(startMicros: Int64) -> PipelineFold? {
        guard let kept = state.withLock({ $0.kept }) else { return nil }
        return PipelineFold.batch(rules: rules, scenario: scenario, startMicros: startMicros, ledger: kept.entries, spans: kept.spans)
    }
}
