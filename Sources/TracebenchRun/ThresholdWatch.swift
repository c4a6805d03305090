import Foundation
import TracebenchJudge
import TracebenchMeasure
import TracebenchMetrics
import TracebenchPipeline
import TracebenchRedis
import TracebenchResults
import TracebenchSink

/// `abort_on_fail` thresholds, judged once a second during the load on what is known live — jobs accepted,
/// dropped arrivals, submit errors, the submit latency histogram, jobs finished, spans at the sink and the rates so
/// far — each first after its `delay_abort_eval`. A threshold that fails stops the run (k6's abortOnFail): the
/// pipeline drains and shuts down as on SIGINT, results are written, flagged `failed`, exit code 99. Figures not
/// known live (trace completeness, overhead, the collector's) are never grounds to abort; the final verdict judges
/// every threshold once, on the whole run.
struct ThresholdWatch: Sendable {
    let thresholds: ThresholdSet

    init?(scenario thresholds: ThresholdSet) {
        let watched = thresholds.thresholds.filter(\.abortOnFail)
        guard !watched.isEmpty else { return nil }
        self.thresholds = ThresholdSet(thresholds: watched, alpha: thresholds.alpha)
    }

    func run(live: @Sendable () -> LiveLoad, sink: OTLPSink?, startMicros: Int64, stop: StopSignal) async {
        while !Task.isCancelled, !stop.isRaised {
            try? await Task.sleep(for: .seconds(1))
            let elapsed = Double(WallClock.nowMicros() - startMicros) / 1e6
            let due = thresholds.thresholds.filter { elapsed >= $0.delayAbortEvalSeconds }
            guard elapsed > 0, !due.isEmpty else { continue }
            let known = Self.liveResults(live(), spansAtSink: sink?.store.spanCount, elapsed: elapsed)
            let verdict = Judge.evaluate(ThresholdSet(thresholds: due, alpha: thresholds.alpha), on: known)
            if let failed = verdict.thresholds.first(where: { $0.outcome == .fail }) {
                stop.abort(.abortedByThreshold, because: String(format: "aborted at %.1f s: ", elapsed) + failed.message)
                return
            }
        }
    }

    /// What is known of the run so far, as results the judge can read.
    static func liveResults(_ load: LiveLoad, spansAtSink: Int?, elapsed: Double) -> RunResults {
        var live = RunResults()
        live.jobs.submitted = load.submitted
        live.jobs.droppedArrivals = load.droppedArrivals
        live.jobs.submitErrors = load.submitErrors
        live.jobs.lateStarts = load.lateStarts
        live.latency["submit"] = load.submitLatency.summary()
        live.throughput.windowSeconds = elapsed
        live.throughput.jobsSubmittedPerSecond = Double(live.jobs.submitted) / elapsed
        if let finished = load.finished { live.throughput.jobsCompletedPerSecond = Double(finished) / elapsed }
        if let spansAtSink {
            live.spans.received = spansAtSink
            live.sink.requests = spansAtSink > 0 ? 1 : 0
            live.throughput.spansPerSecond = Double(spansAtSink) / elapsed
        }
        return live
    }
}

/// What is known of the load while it runs, for the progress line and `abort_on_fail` thresholds: a system under
/// test makes one from its own tally whenever asked.
struct LiveLoad: Sendable {
    var submitted = 0
    var droppedArrivals = 0
    var submitErrors = 0
    var lateStarts = 0
    var inFlight = 0
    var submitLatency = LatencyHistogram()
    /// Jobs finished so far; nil when the system cannot say while it runs (a black-box target's ledger is read at
    /// the drain).
    var finished: Int?
}
