import TracebenchAnalysis
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink
import TracebenchVocabulary

/// Everything a built-in run's figures need from its jobs and spans, folded one finished job (with its traces) at a
/// time: the trace figures (``TraceFold``), the ledger's job counts and latency phases, and the interval series. What
/// it keeps is counters and histograms, so the coordinator's memory follows the jobs in flight, not the run; the
/// batch check after a run folds the same way (``TraceCheck/bundles(ledger:spans:)``), so both give the same figures.
struct PipelineFold: Sendable {
    private(set) var traces: TraceFold
    /// Jobs by outcome, retries and timeouts (from the ledger).
    private(set) var jobs = JobCounts()
    private(set) var queueWait = LatencyHistogram()
    private(set) var processing = LatencyHistogram()
    private(set) var endToEnd = LatencyHistogram()
    /// The ledger's and the sink's events per interval (the load generator's are merged in at the end).
    private(set) var series: IntervalSeriesBuilder
    /// Whether traces were finalised while the run went on (then spans after their trace's deadline are late).
    var judgesLateness = false
    /// Jobs intended before this (µs since the epoch) are warm-up: left out of the latency phases.
    private let warmupEndMicros: Int64

    init(rules: TraceFold.Rules, scenario: Scenario, startMicros: Int64) {
        traces = TraceFold(rules: rules)
        series = IntervalSeriesBuilder(originMicros: startMicros, intervalSeconds: scenario.reportIntervalSeconds)
        warmupEndMicros = startMicros + Int64(saturating: scenario.warmupSeconds * 1e6)
    }

    /// Every job of `ledger` and every span of `spans` folded at once (the batch check: overhead runs, and the
    /// streaming path's recheck).
    static func batch(rules: TraceFold.Rules, scenario: Scenario, startMicros: Int64, ledger: [LedgerEntry], spans: [ReceivedSpan]) -> PipelineFold {
        var fold = PipelineFold(rules: rules, scenario: scenario, startMicros: startMicros)
        TraceCheck.visit(ledger: ledger, spans: spans, job: { fold.add(job: $0, traces: $1) }, unowned: { fold.add(unowned: $0) })
        return fold
    }

    /// Folds in one job (finished, or pending at the end of the run) with the traces it owns.
    mutating func add(job entry: LedgerEntry, traces owned: [[ReceivedSpan]]) {
        jobs.submitted += 1
        if entry.status == JobStatus.completed { jobs.completed += 1 }
        if entry.status == JobStatus.failed { jobs.failed += 1 }
        jobs.retries += max(0, entry.attempts - 1)
        jobs.timeouts += entry.timeouts
        typealias Counter = IntervalSeries.Counter
        series.count(Counter.submitted, atMicros: entry.submittedAtMicros)
        if entry.isFinished {
            series.count(entry.status == JobStatus.failed ? Counter.failed : Counter.completed, atMicros: entry.completedAtMicros)
            if entry.intendedStartMicros >= warmupEndMicros {
                let wait = entry.claimedAtMicros - entry.submittedAtMicros, work = entry.completedAtMicros - entry.claimedAtMicros
                let total = entry.completedAtMicros - entry.intendedStartMicros
                queueWait.record(microseconds: wait)
                processing.record(microseconds: work)
                endToEnd.record(microseconds: total)
                series.record("queue_wait", microseconds: wait, endedAtMicros: entry.claimedAtMicros)
                series.record("processing", microseconds: work, endedAtMicros: entry.completedAtMicros)
                series.record("end_to_end", microseconds: total, endedAtMicros: entry.completedAtMicros)
            }
        }
        for trace in owned { addToSeries(trace) }
        traces.add(job: entry, traces: owned)
    }

    /// Folds in a trace no job owns.
    mutating func add(unowned trace: [ReceivedSpan]) {
        addToSeries(trace)
        traces.add(unowned: trace)
    }

    /// Counts spans that arrived after their trace was finalised.
    mutating func add(late spans: [ReceivedSpan]) {
        for span in spans { series.addSinkSpan(span) }
        traces.add(late: spans)
    }

    /// Encodes the interval histograms idle since `micros` (a long run's memory stays flat).
    mutating func seal(idleSince micros: Int64) { series.seal(idleSince: micros) }

    /// What the sink received, by arrival time: spans, the trace (at its first span) and each span's visibility.
    private mutating func addToSeries(_ trace: [ReceivedSpan]) {
        guard let first = trace.map(\.receivedNanos).min() else { return }
        series.addSinkTrace(firstReceivedNanos: first)
        for span in trace { series.addSinkSpan(span) }
    }
}
