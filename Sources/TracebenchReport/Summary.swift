import Foundation
import TracebenchJudge
import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// The short human summary printed after a run.
public enum Summary {
    public static func text(_ results: RunResults, path: String, promises: ThresholdSet = Promises.designDocument) -> String {
        func ms(_ micros: UInt64) -> String { String(format: "%.1f", Double(micros) / 1000) }
        var lines: [String] = []
        let board = results.listen == nil ? Promises.scoreboard(results, promises: promises) : GateVerdict()
        let failed = board.failures
        let status = failed > 0 ? "\(results.status) (the run completed) — \(failed) promise\(failed == 1 ? "" : "s") FAIL" : "\(results.status)"
        lines.append("tracebench \(results.scenarioName): \(status) — results in \(path)")
        lines.append(contentsOf: promiseLines(board))
        let jobs = results.jobs
        if let f = results.firehose {
            lines.append(String(format: "  firehose  sent %d spans in %d requests (%.0f spans/s), %d failed, %d batches dropped (concurrency)",
                                f.spansSent, f.requestsSent, f.sendRateSpansPerSecond, f.requestsFailed, f.batchesDropped))
        } else if results.listen == nil {
            lines.append("  jobs      submitted \(jobs.submitted), completed \(jobs.completed), failed \(jobs.failed), pending \(jobs.pending); dropped arrivals \(jobs.droppedArrivals), submit errors \(jobs.submitErrors), retries \(jobs.retries), timeouts \(jobs.timeouts)")
        }
        let isFirehose = results.firehose != nil || results.listen != nil
        if results.tracingOff {
            lines.append("  tracing   off: no trace figures (no span was created; completeness, sampling and spans not measured)")
        } else {
            lines.append(contentsOf: traceLines(results))
        }
        let tp = results.throughput
        let jobRates = isFirehose ? "" : String(format: "%.1f jobs/s submitted, %.1f jobs/s completed, ", tp.jobsSubmittedPerSecond, tp.jobsCompletedPerSecond)
        let sinkRates = results.tracingOff ? "" : String(format: "%.0f traces/min and %.0f spans/s at the sink", tp.tracesPerMinute, tp.spansPerSecond)
        lines.append("  rate      " + (results.tracingOff ? String(jobRates.dropLast(2)) : jobRates + sinkRates))
        lines.append("  latency   (ms)          p50      p90      p99      max    count")
        for phase in ["submit", "queue_wait", "processing", "end_to_end", "visibility"] {
            guard let l = results.latency[phase], !(results.tracingOff && phase == "visibility") else { continue }
            lines.append("            " + phase.padding(toLength: 12, withPad: " ", startingAt: 0)
                + [ms(l.p50), ms(l.p90), ms(l.p99), ms(l.max)].map { $0.leftPadded(9) }.joined() + String(l.count).leftPadded(9))
        }
        lines.append(contentsOf: analyticsLines(results))
        let processes = results.resources.keys.sorted()
        if !processes.isEmpty {
            lines.append("  resources " + processes.map { name in
                let usage = results.resources[name]!
                return String(format: "%@ %.0f MB %.2f s", name, Double(usage.peakRssBytes) / 1_048_576, usage.cpuSeconds)
            }.joined(separator: "; "))
        }
        if let c = results.collector {
            lines.append(String(format: "  collector in %d spans (%.0f/s, %.0f traces/min), out %d (%.0f/s, %.0f traces/min), dropped %d",
                                c.spansIn, c.spansPerSecondIn, c.tracesPerMinuteIn, c.spansOut, c.spansPerSecondOut, c.tracesPerMinuteOut, c.dropped))
            lines.append(String(format: "            CPU %.1f%% avg %.1f%% max; RSS %.0f MB avg %.0f MB max; visibility p99 %.0f ms; %.0f B/trace, %.1f MB/day",
                                c.cpuPercentAvg, c.cpuPercentMax, c.rssBytesAvg / 1_048_576, Double(c.rssBytesMax) / 1_048_576,
                                c.visibilityP99Ms, c.bytesPerTrace, c.storageBytesPerDay / 1e6))
            if let own = c.reported {
                lines.append(String(format: "  collector says: accepted %.0f, refused %.0f, sent %.0f, send failed %.0f spans",
                                    own.acceptedSpans, own.refusedSpans, own.sentSpans, own.sendFailedSpans))
            }
        }
        for (name, ceiling) in (results.ceilings ?? [:]).sorted(by: { $0.key < $1.key }) {
            lines.append(String(format: "  ceiling   %@: peak %.0f MB of %.0f MB%@", name, Double(ceiling.peakBytes) / 1_048_576,
                                Double(ceiling.limitBytes) / 1_048_576, ceiling.breached ? String(format: " — BREACHED at %.0f s", ceiling.firstBreachS ?? 0) : ""))
        }
        if let stall = results.stall {
            let growth = stall.rssGrowthBytes.sorted { $0.key < $1.key }.map { String(format: "%@ %+.1f MB", $0.key, Double($0.value) / 1_048_576) }
            lines.append(String(format: "  stall     collector stopped %.1f–%.1f s; RSS growth: ", stall.pausedAtS, stall.resumedAtS) + growth.joined(separator: ", "))
        }
        if let overhead = results.overhead {
            lines.append("  overhead  (µs, arm − \(overhead.values.first?.baseline ?? "baseline"); median [95 % CI], p99)")
            for arm in overhead.keys.sorted() {
                let o = overhead[arm]!
                func show(_ f: OverheadFigure) -> String {
                    String(format: "%8.1f [%7.1f, %7.1f] p99 %8.1f", f.estimate, f.ciLow, f.ciHigh, f.p99Estimate)
                }
                lines.append("    \(arm.padding(toLength: 5, withPad: " ", startingAt: 0)) per request \(show(o.perRequestUs))  n=\(o.perRequestUs.samples)")
                lines.append("          per job     \(show(o.perJobUs))  n=\(o.perJobUs.samples)")
                lines.append(String(format: "          per span    %@  (%.1f worker spans/job)", show(o.perSpanUs), o.spansPerJob))
                if let cpu = o.cpuUsPerJob {
                    lines.append(String(format: "          cpu/job     %8.1f [%7.1f, %7.1f] µs over %d blocks", cpu.estimate, cpu.ciLow, cpu.ciHigh, cpu.samples))
                }
                if let rss = o.rssDeltaBytes {
                    lines.append(String(format: "          rss delta   %8.2f [%7.2f, %7.2f] MB", rss.estimate / 1_048_576, rss.ciLow / 1_048_576, rss.ciHigh / 1_048_576))
                }
                if let verdict = results.budgets?.verdicts[arm] {
                    lines.append("          budget      \(verdict) (per-request upper bound vs \(results.budgets!.targetMs) ms target, \(results.budgets!.currentMs) ms current)")
                }
            }
        }
        if let verdict = results.thresholds, !verdict.thresholds.isEmpty {
            lines.append("  thresholds \(verdict.outcome.rawValue.uppercased()) — \(verdict.count(.pass)) pass, \(verdict.count(.fail)) fail, \(verdict.count(.inconclusive)) inconclusive, \(verdict.count(.notMeasured)) not measured (Holm, family of \(verdict.familySize) at α \(verdict.alpha))")
            for outcome in verdict.thresholds { lines.append("    \(GateReport.mark(outcome.outcome)) \(outcome.message)") }
        }
        for problem in results.problems { lines.append("  problem   [\(problem.kind)] \(problem.message)") }
        return lines.joined(separator: "\n")
    }

    /// The traces, errors, sampling and spans lines of a run that traced.
    static func traceLines(_ results: RunResults) -> [String] {
        if let target = results.target { return targetLines(results, target) }
        if let listen = results.listen { return listenLines(results, listen) }
        var lines: [String] = []
        let t = results.traces
        let isFirehose = results.firehose != nil
        let traceCounts = String(format: "  traces    expected %d, received %d, complete %d (%.2f%%)", t.expected, t.received, t.complete, (t.completeness ?? 0) * 100)
        let errors = String(format: "  errors    %d error spans in %d traces", t.errorSpans, t.tracesWithErrors)
        if isFirehose {
            // Synthetic traces have a fixed shape: no context to break, no depth or attribution to measure.
            lines.append(traceCounts)
            lines.append(errors)
        } else {
            lines.append(traceCounts + String(format: ", orphan spans %d, broken context %d, max depth %d", t.orphanSpans, t.brokenContext, t.maxDepth))
            lines.append(errors + String(format: "; error attribution %.3f [%.3f, %.3f]",
                                         t.errorAttribution.ratio, t.errorAttribution.ciLow, t.errorAttribution.ciHigh))
        }
        let s = results.sampling
        if !isFirehose { lines.append(String(format: "  sampling  configured %.3f, observed %.4f [%.4f, %.4f] over %d jobs", s.configuredRatio, s.observedRatio ?? 0, s.ciLow, s.ciHigh, s.trials)) }
        if let errors = s.errorRetention {
            lines.append(retentionLine(errors, complete: s.completeErrorRetention, normal: s.normalRetention, slow: s.slowRetention))
        }
        lines.append(contentsOf: samplingDetailLines(s))
        let sampledOut = results.spans.sampledOut > 0 ? ", sampled out by the collector \(results.spans.sampledOut)" : ""
        lines.append("  spans     created \(results.spans.created), exported \(results.spans.exported), received \(results.spans.received)\(sampledOut), dropped \(results.spans.dropped)")
        return lines
    }
}

extension Summary {
    /// "errors kept 0.103 [0.071, 0.142] of 174 …" and the verdict on the design document's "100 % for errors".
    static func retentionLine(_ errors: ProportionEstimate, complete: ProportionEstimate?, normal: ProportionEstimate?,
                              slow: ProportionEstimate?) -> String {
        func show(_ p: ProportionEstimate) -> String { String(format: "%.3f [%.3f, %.3f] of %d", p.ratio, p.ciLow, p.ciHigh, p.trials) }
        let verdict = errors.successes == errors.trials ? "every error job kept"
            : errors.ciHigh < 0.99 ? "the promise \"100 % of errors\" FAILS" : "not every error job kept"
        // A tail sampler deciding span by span keeps an error's spans but not always the rest of its trace.
        let whole = complete.map { $0.successes < errors.successes ? String(format: " (%.3f whole)", $0.ratio) : "" } ?? ""
        return "  retention errors kept \(show(errors)) error jobs\(whole)" + (normal.map { ", normal \(show($0))" } ?? "")
            + (slow.map { ", slowest 1 % \(show($0))" } ?? "") + " — " + verdict
    }
}

extension Summary {
    /// The sampler chain, adjusted counts and propagation, one line each when measured.
    static func samplingDetailLines(_ s: SamplingFigures) -> [String] {
        func show(_ p: ProportionEstimate) -> String { String(format: "%.4f [%.4f, %.4f] of %d", p.ratio, p.ciLow, p.ciHigh, p.trials) }
        var lines: [String] = []
        if let c = s.chain {
            lines.append(String(format: "  chain     SDK %.4f then collector %.6f (th:%@): normal jobs kept %@; independent would keep %.4f, consistent %.4f → %@; %d kept ≠ predicted",
                                c.sdkRatio, c.collectorRatio, c.collectorThreshold, show(c.kept), c.independentRatio, c.consistentRatio, c.model, c.predictionMismatches))
        }
        if let a = s.adjusted {
            func count(_ name: String, _ x: AdjustedCount) -> String {
                String(format: "%@ %.0f ± %.0f (truth %d, %+.1f %%)", name, x.estimate, x.standardError, x.truth, x.relativeError * 100)
            }
            lines.append("  adjusted  " + [count("jobs", a.jobs), count("error jobs", a.errorJobs), count("spans", a.spans)].joined(separator: ", ")
                         + " — estimated from the sampled traces, 1/p each")
        }
        if let p = s.propagation {
            let broken = p.propagated.successes < p.propagated.trials ? " — propagation BROKEN for \(p.propagated.trials - p.propagated.successes) jobs" : ""
            lines.append("  propagation traceparent reached the worker \(show(p.propagated)); decisions agree \(show(p.agreement)); "
                         + "API only \(p.apiOnly), worker only \(p.workerOnly)" + broken)
        }
        return lines
    }
}

extension String {
    func leftPadded(_ width: Int) -> String {
        count >= width ? self : String(repeating: " ", count: width - count) + self
    }
}
