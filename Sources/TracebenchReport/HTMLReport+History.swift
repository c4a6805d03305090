import Foundation
import TracebenchJudge
import TracebenchMetrics
import TracebenchResults

/// The history report: each metric's series across the stored nights (and tonight), with its baseline band and the
/// change points found in it.
extension HTMLReport {
    public static func history(_ check: HistoryCheck) -> (html: String, markdown: String) {
        var html = "<h1>tracebench history</h1><p class=\"note\">\(check.nights) stored nights and tonight; baseline median ± \(check.fences) × IQR; change points by binary segmentation (Welch t, permutation test)</p>"
        var rows: [[String]] = []
        for metric in check.metrics {
            let values = metric.values + [metric.tonight]
            var chart = SVGChart(title: metric.metric, xLabel: "night (the last is tonight)", yLabel: "",
                                 series: [.init(name: metric.metric, points: values.enumerated().map { (Double($0.offset), $0.element) })])
            let fence = check.fences * max(metric.iqr, abs(metric.median) * 0.01)
            chart.horizontalMarks = [(metric.median + fence, "baseline +\(check.fences) IQR"), (metric.median - fence, "baseline −\(check.fences) IQR")]
            chart.verticalMarks = metric.changePoints.map { (x: Double($0.index), label: String(format: "change %+.1f%%", $0.percent)) }
            chart.height = 220
            html += chart.render()
            rows.append([metric.metric, String(format: "%.4g", metric.median), String(format: "%.4g", metric.tonight), metric.outside,
                         metric.changePoints.map { "night \($0.index) (\(String(format: "%+.1f%%", $0.percent)))" }.joined(separator: ", ")])
        }
        let summary = table(["metric", "median", "tonight", "tonight is", "change points"], rows.map { $0.map(SVGChart.escape) })
        let markdown = "# tracebench history\n\n" + markdownTable(["metric", "median", "tonight", "tonight is", "change points"], rows) + "\n"
        return (page(title: "tracebench history", body: summary + html), markdown)
    }
}
