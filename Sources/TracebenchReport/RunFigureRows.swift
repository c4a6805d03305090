import Foundation
import TracebenchMeasure
import TracebenchResults

/// One figure group of a run as a label and its value. The text summary prints it as a line ("  label     value"),
/// the HTML report and its Markdown twin as a table row: both read the same rows, so neither can hold a figure the
/// other lacks.
public struct FigureRow: Sendable, Equatable {
    public var label: String
    public var value: String
    /// The second line of the row above: the summary leaves its label blank, the report names it.
    public var continues: Bool

    public init(_ label: String, _ value: String, continues: Bool = false) {
        self.label = label
        self.value = value
        self.continues = continues
    }

    /// The summary's line: the label in a column of ten (longer labels take one space more), then the value.
    public var line: String {
        let shown = continues ? "" : label
        return "  " + shown.padding(toLength: max(10, shown.count + 1), withPad: " ", startingAt: 0) + value
    }
}

/// The figure rows of a run, the one source of the summary's lines and the report's summary table. A figure that
/// was not measured reads "not measured", never 0.
public enum RunFigureRows {
    public static let notMeasured = "not measured"

    /// `p` as "0.054 [0.011, 0.149] of 56" (`digits` decimals), or "not measured" when it had no trials.
    static func proportion(_ p: ProportionEstimate, digits: Int = 3, of: Bool = true) -> String {
        guard p.trials > 0 else { return notMeasured }
        return String(format: "%.\(digits)f [%.\(digits)f, %.\(digits)f]", p.ratio, p.ciLow, p.ciHigh) + (of ? " of \(p.trials)" : "")
    }

    /// The load and trace figures: firehose or jobs, traces, errors, sampling (retention, chain, adjusted counts,
    /// propagation), spans and rates.
    public static func load(_ r: RunResults) -> [FigureRow] {
        var rows: [FigureRow] = []
        let jobs = r.jobs
        if let f = r.firehose {
            rows.append(FigureRow("firehose", String(format: "sent %d spans in %d requests (%.0f spans/s), %d failed, %d batches dropped (concurrency)",
                                                     f.spansSent, f.requestsSent, f.sendRateSpansPerSecond, f.requestsFailed, f.batchesDropped)))
        } else if r.listen == nil {
            rows.append(FigureRow("jobs", "submitted \(jobs.submitted), completed \(jobs.completed), failed \(jobs.failed), pending \(jobs.pending); "
                + "dropped arrivals \(jobs.droppedArrivals), submit errors \(jobs.submitErrors), retries \(jobs.retries), timeouts \(jobs.timeouts)"))
        }
        if r.tracingOff {
            rows.append(FigureRow("tracing", "off: no trace figures (no span was created; completeness, sampling and spans not measured)"))
        } else if !r.tracesObserved {
            rows.append(FigureRow("tracing", "not observed: a load-only target (no ledger, correlation or expect); a job is its request, no trace figure"))
        } else {
            rows.append(contentsOf: traces(r))
        }
        let tp = r.throughput
        let isFirehose = r.firehose != nil || r.listen != nil
        let jobRates = isFirehose ? "" : String(format: "%.1f jobs/s submitted, %.1f jobs/s completed, ", tp.jobsSubmittedPerSecond, tp.jobsCompletedPerSecond)
        let noTraces = r.tracingOff || !r.tracesObserved
        let sinkRates = noTraces ? "" : String(format: "%.0f traces/min and %.0f spans/s at the sink", tp.tracesPerMinute, tp.spansPerSecond)
        rows.append(FigureRow("rate", noTraces ? String(jobRates.dropLast(2)) : jobRates + sinkRates))
        if let lag = r.load?.lag, lag.count > 0 {
            rows.append(FigureRow("schedule", String(format: "the generator's lag p50 %.3f ms, p99 %.3f ms, max %.3f ms over %llu dispatches; %d started > 1 ms late",
                                                     Double(lag.p50) / 1000, Double(lag.p99) / 1000, Double(lag.max) / 1000, lag.count, jobs.lateStarts)))
            if let hiccups = r.load?.hiccups, hiccups.count > 0 {
                let steal = r.load?.stealSeconds.map { String(format: "; steal %.3f s", $0) } ?? ""
                rows.append(FigureRow("machine", String(format: "its own pauses meanwhile (1 ms sleeps) p50 %.3f ms, p99 %.3f ms, max %.3f ms",
                                                        Double(hiccups.p50) / 1000, Double(hiccups.p99) / 1000, Double(hiccups.max) / 1000) + steal))
            }
        }
        if let agents = r.load?.agents { rows.append(contentsOf: agentRows(agents)) }
        return rows
    }

    /// The traces, errors, sampling and spans rows of a run that traced (black-box and listen runs have their own).
    static func traces(_ r: RunResults) -> [FigureRow] {
        if let target = r.target { return targetRows(r, target) }
        if let listen = r.listen { return listenRows(r, listen) }
        var rows: [FigureRow] = []
        let t = r.traces
        let isFirehose = r.firehose != nil
        let completeness = t.completeness.map { String(format: "%.2f%%", $0 * 100) } ?? notMeasured
        let traceCounts = String(format: "expected %d, received %d, complete %d (%@)", t.expected, t.received, t.complete, completeness)
        let errors = String(format: "%d error spans in %d traces", t.errorSpans, t.tracesWithErrors)
        if isFirehose {
            // Synthetic traces have a fixed shape: no context to break, no depth or attribution to measure.
            rows.append(FigureRow("traces", traceCounts))
            rows.append(FigureRow("errors", errors))
        } else {
            rows.append(FigureRow("traces", traceCounts + String(format: ", orphan spans %d, broken context %d, max depth %d", t.orphanSpans, t.brokenContext, t.maxDepth)))
            rows.append(FigureRow("errors", errors + "; error attribution " + proportion(t.errorAttribution, of: false)))
        }
        let s = r.sampling
        if !isFirehose {
            let observed = s.observedRatio.flatMap { s.trials > 0 ? String(format: "%.4f [%.4f, %.4f]", $0, s.ciLow, s.ciHigh) : nil } ?? notMeasured
            rows.append(FigureRow("sampling", String(format: "configured %.3f, observed %@ over %d jobs", s.configuredRatio, observed, s.trials)))
        }
        if let errors = s.errorRetention {
            rows.append(retention(errors, complete: s.completeErrorRetention, normal: s.normalRetention, slow: s.slowRetention))
        }
        rows.append(contentsOf: samplingDetail(s))
        let sampledOut = r.spans.sampledOut > 0 ? ", sampled out by the collector \(r.spans.sampledOut)" : ""
        rows.append(FigureRow("spans", "created \(r.spans.created), exported \(r.spans.exported), received \(r.spans.received)\(sampledOut), dropped \(r.spans.dropped)"))
        return rows
    }

    /// "errors kept 0.103 [0.071, 0.142] of 174 …" and the verdict on the design document's "100 % for errors".
    static func retention(_ errors: ProportionEstimate, complete: ProportionEstimate?, normal: ProportionEstimate?,
                          slow: ProportionEstimate?) -> FigureRow {
        let verdict = errors.trials == 0 ? "no job failed: the promise \"100 % of errors\" is not measured"
            : errors.successes == errors.trials ? "every error job kept"
            : errors.ciHigh < 0.99 ? "the promise \"100 % of errors\" FAILS" : "not every error job kept"
        // A tail sampler deciding span by span keeps an error's spans but not always the rest of its trace.
        let whole = complete.map { $0.successes < errors.successes ? String(format: " (%.3f whole)", $0.ratio) : "" } ?? ""
        return FigureRow("retention", "errors kept \(proportion(errors)) error jobs\(whole)" + (normal.map { ", normal \(proportion($0))" } ?? "")
            + (slow.map { ", slowest 1 % \(proportion($0))" } ?? "") + " — " + verdict)
    }

    /// The sampler chain, adjusted counts and propagation, one row each when measured.
    static func samplingDetail(_ s: SamplingFigures) -> [FigureRow] {
        var rows: [FigureRow] = []
        if let c = s.chain {
            rows.append(FigureRow("chain", String(format: "SDK %.4f then collector %.6f (th:%@): normal jobs kept %@; independent would keep %.4f, consistent %.4f → %@; %d kept ≠ predicted",
                                                  c.sdkRatio, c.collectorRatio, c.collectorThreshold, proportion(c.kept, digits: 4), c.independentRatio,
                                                  c.consistentRatio, c.model, c.predictionMismatches)))
        }
        if let a = s.adjusted {
            func count(_ name: String, _ x: AdjustedCount) -> String {
                String(format: "%@ %.0f ± %.0f (truth %d, %+.1f %%)", name, x.estimate, x.standardError, x.truth, x.relativeError * 100)
            }
            rows.append(FigureRow("adjusted", [count("jobs", a.jobs), count("error jobs", a.errorJobs), count("spans", a.spans)].joined(separator: ", ")
                                  + " — estimated from the sampled traces, 1/p each"))
        }
        if let p = s.propagation {
            let broken = p.propagated.successes < p.propagated.trials ? " — propagation BROKEN for \(p.propagated.trials - p.propagated.successes) jobs" : ""
            rows.append(FigureRow("propagation", "traceparent reached the worker \(proportion(p.propagated, digits: 4)); decisions agree \(proportion(p.agreement, digits: 4)); "
                                  + "API only \(p.apiOnly), worker only \(p.workerOnly)" + broken))
        }
        return rows
    }

    /// The rig's figures: resources per process, the collector, memory ceilings and a collector stall.
    public static func rig(_ r: RunResults) -> [FigureRow] {
        var rows: [FigureRow] = []
        if !r.resources.isEmpty {
            rows.append(FigureRow("resources", r.resources.sorted { $0.key < $1.key }.map { name, usage in
                usage.samples == 0 && usage.peakRssBytes == 0 ? "\(name) \(notMeasured)"
                    : String(format: "%@ %.0f MB %.2f s", name, Double(usage.peakRssBytes) / 1_048_576, usage.cpuSeconds)
            }.joined(separator: "; ")))
        }
        if let c = r.collector { rows.append(contentsOf: collector(c)) }
        for (name, ceiling) in (r.ceilings ?? [:]).sorted(by: { $0.key < $1.key }) {
            let breach = !ceiling.breached ? "" : ceiling.firstBreachS.map { String(format: " — BREACHED at %.0f s", $0) } ?? " — BREACHED (when: not measured)"
            rows.append(FigureRow("ceiling", String(format: "%@: peak %.0f MB of %.0f MB", name, Double(ceiling.peakBytes) / 1_048_576,
                                                    Double(ceiling.limitBytes) / 1_048_576) + breach))
        }
        if let stall = r.stall {
            let growth = stall.rssGrowthBytes.sorted { $0.key < $1.key }.map { String(format: "%@ %+.1f MB", $0.key, Double($0.value) / 1_048_576) }
            rows.append(FigureRow("stall", String(format: "collector stopped %.1f–%.1f s; RSS growth: ", stall.pausedAtS, stall.resumedAtS) + growth.joined(separator: ", ")))
        }
        return rows
    }

    /// The collector's spans and traces in and out, its cost, and what it says it counted. Figures the run could not
    /// see (an attached collector exporting elsewhere, a process not watched) read "not measured".
    static func collector(_ c: CollectorFigures) -> [FigureRow] {
        let windowed = c.windowSeconds > 0
        func rate(_ perSecond: Double, _ perMinute: Double) -> String {
            windowed ? String(format: " (%.0f/s, %.0f traces/min)", perSecond, perMinute) : " (rates \(notMeasured))"
        }
        let out: String
        if c.measured {
            out = "\(c.spansOut)" + rate(c.spansPerSecondOut, c.tracesPerMinuteOut)
        } else if c.reported != nil {
            out = "\(c.spansOut) as the collector reports (it exports elsewhere)"
        } else {
            out = "\(notMeasured) (the collector exports elsewhere)"
        }
        let dropped = c.measured || c.reported != nil ? "\(c.dropped)" : notMeasured
        var rows = [FigureRow("collector", "in \(c.spansIn) spans" + rate(c.spansPerSecondIn, c.tracesPerMinuteIn) + ", out \(out), dropped \(dropped)")]
        let usage = c.rssBytesMax == 0 ? "CPU and RSS \(notMeasured) (its process was not watched)"
            : String(format: "CPU %.1f%% avg %.1f%% max; RSS %.0f MB avg %.0f MB max", c.cpuPercentAvg, c.cpuPercentMax, c.rssBytesAvg / 1_048_576,
                     Double(c.rssBytesMax) / 1_048_576)
        let visibility = c.measured && c.visibilityP99Ms > 0 ? String(format: "visibility p99 %.0f ms", c.visibilityP99Ms) : "visibility p99 \(notMeasured)"
        let bytes = c.measured && c.tracesOut > 0 ? String(format: "%.0f B/trace, %.1f MB/day", c.bytesPerTrace, c.storageBytesPerDay / 1e6)
            : "bytes per trace \(notMeasured)"
        rows.append(FigureRow("collector cost", "\(usage); \(visibility); \(bytes)", continues: true))
        if let own = c.reported {
            rows.append(FigureRow("collector says:", String(format: "accepted %.0f, refused %.0f, sent %.0f, send failed %.0f spans",
                                                            own.acceptedSpans, own.refusedSpans, own.sentSpans, own.sendFailedSpans)))
        }
        return rows
    }
}
