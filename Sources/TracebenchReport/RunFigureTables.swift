import Foundation
import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// The run's tabular figure groups — latency per phase and tracing overhead per arm — as rows of values, the one
/// source of the summary's aligned columns and the report's tables.
public enum RunFigureTables {
    /// One latency phase: p50, p90, p99 and max in ms (or "not measured" when it has no sample) and its count.
    public struct LatencyRow: Sendable, Equatable {
        public var phase: String
        public var cells: [String]
        public var count: Int
    }

    public static let latencyHeader = ["phase", "p50 ms", "p90 ms", "p99 ms", "max ms", "count"]

    /// The phases in pipeline order (visibility left out when tracing was off).
    public static func latency(_ r: RunResults) -> [LatencyRow] {
        MetricCatalog.phases.compactMap { phase -> LatencyRow? in
            guard let l = r.latency[phase], !(r.tracingOff && phase == "visibility") else { return nil }
            let ms = [l.p50, l.p90, l.p99, l.max].map { l.count > 0 ? String(format: "%.1f", Double($0) / 1000) : "–" }
            return LatencyRow(phase: phase, cells: l.count > 0 ? ms : [RunFigureRows.notMeasured] + ms.dropFirst(), count: Int(l.count))
        }
    }

    /// One figure of an arm's overhead: an estimate with its 95 % interval (and p99 when it has one), or a verdict.
    public struct OverheadRow: Sendable, Equatable {
        public var arm: String
        public var figure: String
        /// (estimate, interval low, interval high); nil for the budget's verdict and a figure not measured.
        public var estimate: [Double]?
        public var decimals = 1
        public var unit = "µs"
        public var p99: Double?
        /// What follows the figures in the summary, with its separator ("  n=98", " over 2 blocks").
        public var note = ""

        /// The summary's figures column: aligned numbers, the unit where the header does not give it, then the note.
        public var text: String {
            guard let e = estimate, e.count == 3 else { return note }
            let d = decimals
            let unitText = p99 == nil ? " \(unit)" : ""
            return String(format: "%8.\(d)f [%7.\(d)f, %7.\(d)f]", e[0], e[1], e[2]) + unitText + (p99.map { String(format: " p99 %8.1f", $0) } ?? "") + note
        }

        /// The report's cells: arm, figure, median, 95 % interval, p99 and note, each with its unit.
        public var cells: [String] {
            let noteCell = note.trimmingCharacters(in: .whitespaces)
            guard let e = estimate, e.count == 3 else { return [arm, figure, "", "", "", noteCell] }
            let d = decimals
            return [arm, figure, String(format: "%.\(d)f %@", e[0], unit), String(format: "[%.\(d)f, %.\(d)f] %@", e[1], e[2], unit),
                    p99.map { String(format: "%.1f %@", $0, unit) } ?? "", noteCell]
        }
    }

    public static let overheadHeader = ["arm", "figure", "median", "95 % interval", "p99", "n / note"]

    /// Every arm's per-request, per-job and per-span overhead, CPU per job, RSS delta and budget verdict.
    public static func overhead(_ r: RunResults) -> [OverheadRow] {
        guard let overhead = r.overhead else { return [] }
        var rows: [OverheadRow] = []
        for arm in overhead.keys.sorted() {
            let o = overhead[arm]!
            func figure(_ name: String, _ f: OverheadFigure, note: String) -> OverheadRow {
                OverheadRow(arm: arm, figure: name, estimate: [f.estimate, f.ciLow, f.ciHigh], p99: f.p99Estimate, note: note)
            }
            rows.append(figure("per request", o.perRequestUs, note: "  n=\(o.perRequestUs.samples)"))
            // Not measured in black-box runs (tracebench cannot time the user's workers): "not measured", never a 0.
            let unmeasured = "\(RunFigureRows.notMeasured) (the workers are not tracebench's to time)"
            if let perJob = o.perJobUs { rows.append(figure("per job", perJob, note: "  n=\(perJob.samples)")) }
            else { rows.append(OverheadRow(arm: arm, figure: "per job", estimate: nil, note: unmeasured)) }
            if let perSpan = o.perSpanUs, let spans = o.spansPerJob {
                rows.append(figure("per span", perSpan, note: String(format: "  (%.1f worker spans/job)", spans)))
            } else {
                rows.append(OverheadRow(arm: arm, figure: "per span", estimate: nil, note: unmeasured))
            }
            if let cpu = o.cpuUsPerJob {
                rows.append(OverheadRow(arm: arm, figure: "cpu/job", estimate: [cpu.estimate, cpu.ciLow, cpu.ciHigh], note: " over \(cpu.samples) blocks"))
            }
            if let rss = o.rssDeltaBytes {
                rows.append(OverheadRow(arm: arm, figure: "rss delta", estimate: [rss.estimate, rss.ciLow, rss.ciHigh].map { $0 / 1_048_576 }, decimals: 2, unit: "MB"))
            }
            if let budgets = r.budgets, let verdict = budgets.verdicts[arm] {
                rows.append(OverheadRow(arm: arm, figure: "budget", estimate: nil,
                                        note: "\(verdict) (per-request upper bound vs \(budgets.targetMs) ms target, \(budgets.currentMs) ms current)"))
            }
        }
        return rows
    }
}
