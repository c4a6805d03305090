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

    func run(generator: LoadGenerator, sink: OTLPSink?, control: RedisConnection, runID: String, startMicros: Int64, stop: StopSignal) async {
        let counter = JobKeys.finishedCounter(runID: runID)
        while !Task.isCancelled, !stop.isRaised {
            try? await Task.sleep(for: .seconds(1))
            let elapsed = Double(WallClock.nowMicros() - startMicros) / 1e6
            let due = thresholds.thresholds.filter { elapsed >= $0.delayAbortEvalSeconds }
            guard elapsed > 0, !due.isEmpty else { continue }
            let finished = Int((try? control.command(["GET", counter]).int) ?? 0)
            let live = Self.liveResults(generator.snapshot, finished: finished, spansAtSink: sink?.store.spanCount, elapsed: elapsed)
            let verdict = Judge.evaluate(ThresholdSet(thresholds: due, alpha: thresholds.alpha), on: live)
            if let failed = verdict.thresholds.first(where: { $0.outcome == .fail }) {
                stop.abort(.abortedByThreshold, because: String(format: "aborted at %.1f s: ", elapsed) + failed.message)
                return
            }
        }
    }

    /// What is known of the run so far, as results the judge can read.
    static func liveResults(_ tally: LoadGenerator.Tally, finished: Int, spansAtSink: Int?, elapsed: Double) -> RunResults {
        var live = RunResults()
        live.jobs.submitted = tally.acceptedJobIDs.count
        live.jobs.droppedArrivals = tally.droppedArrivals
        live.jobs.submitErrors = tally.submitErrors
        live.jobs.lateStarts = tally.lateStarts
        live.latency["submit"] = tally.submitLatency.summary()
        live.throughput.windowSeconds = elapsed
        live.throughput.jobsSubmittedPerSecond = Double(live.jobs.submitted) / elapsed
        live.throughput.jobsCompletedPerSecond = Double(finished) / elapsed
        if let spansAtSink {
            live.spans.received = spansAtSink
            live.sink.requests = spansAtSink > 0 ? 1 : 0
            live.throughput.spansPerSecond = Double(spansAtSink) / elapsed
        }
        return live
    }
}

/// Redis watched during the load: the first failed PING (checked every 250 ms) stops the load generator — load
/// offered into a dead Redis measures nothing — and fails the run with a `component_failed` problem.
struct RedisWatch: Sendable {
    let control: RedisConnection

    func run(startMicros: Int64, stop: StopSignal) async {
        while !Task.isCancelled, !stop.isRaised {
            try? await Task.sleep(for: .milliseconds(250))
            if Task.isCancelled { return }
            do {
                try control.command(["PING"]).orThrow()
            } catch {
                let elapsed = Double(WallClock.nowMicros() - startMicros) / 1e6
                stop.abort(.componentFailed, because: String(format: "Redis stopped answering %.1f s into the load (%@): the load was stopped", elapsed, "\(error)"))
                return
            }
        }
    }
}
