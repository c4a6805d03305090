import Foundation
import TracebenchJudge
import TracebenchResults

/// A small SVG line chart: series of (x, y) points with axes, ticks, a legend and optional horizontal marks (ceilings,
/// limits) and vertical marks (the knee). Self-contained markup — no script, no external font or stylesheet — so a
/// report reads offline in any browser.
public struct SVGChart: Sendable {
    /// One line (or a set of dots with error bars).
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// Per point: (low, high) drawn as an error bar.
        public var errorBars: [(low: Double, high: Double)]?
        public init(name: String, points: [(x: Double, y: Double)], errorBars: [(low: Double, high: Double)]? = nil) {
            self.name = name
            self.points = points
            self.errorBars = errorBars
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    /// Horizontal lines (a ceiling, a limit) with their labels.
    public var horizontalMarks: [(y: Double, label: String)] = []
    /// Vertical lines (the knee) with their labels.
    public var verticalMarks: [(x: Double, label: String)] = []
    /// HdrHistogram's percentile axis: x is a percentile (0…100) drawn at log10(1 / (1 − q)).
    public var percentileX = false
    public var logY = false
    /// The x axis's ticks when its values are categories (0, 1, 2 …) rather than a scale; nil: 1-2-5 ticks.
    public var xTickValues: [Double]?
    public var width = 720.0
    public var height = 300.0

    static let palette = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    func mapX(_ x: Double) -> Double { percentileX ? log10(1 / max(1e-7, 1 - min(x, 99.99999) / 100)) : x }
    func mapY(_ y: Double) -> Double { logY ? log10(max(y, 1e-9)) : y }

    /// The chart as an `<svg>` element.
    public func render() -> String {
        let left = 70.0, right = 20.0, top = 30.0, bottom = 45.0
        let plotWidth = width - left - right, plotHeight = height - top - bottom
        // The domain from finite values only: a NaN or an infinity in a series must not blank the chart.
        let xs = (series.flatMap { $0.points.map { mapX($0.x) } } + verticalMarks.map { mapX($0.x) }).filter(\.isFinite)
        let ys = (series.flatMap { s in s.points.map { mapY($0.y) } + (s.errorBars ?? []).flatMap { [mapY($0.low), mapY($0.high)] } }
            + horizontalMarks.map { mapY($0.y) }).filter(\.isFinite)
        var minX = xs.min() ?? 0, maxX = xs.max() ?? 1
        var minY = min(ys.min() ?? 0, logY ? (ys.min() ?? 0) : 0), maxY = ys.max() ?? 1
        if maxX <= minX { maxX = minX + 1 }
        if maxY <= minY { maxY = minY + 1 }
        maxY += (maxY - minY) * 0.05
        if !logY, minY > 0 { minY = 0 }
        if percentileX { minX = 0 }
        // Categories (0, 1, 2 …) get half a slot on each side, so the outer ones are not drawn on the axes.
        if let categories = xTickValues, let first = categories.min(), let last = categories.max() { (minX, maxX) = (first - 0.5, last + 0.5) }
        // Ticks at 1-2-5 values; the y axis widens to its outer ticks so both ends are labelled.
        let yTicks: [Double]
        if logY {
            yTicks = Self.logTicks(minLog: minY, maxLog: maxY)
        } else {
            (minY, maxY, yTicks) = Self.niceAxis(min: minY, max: maxY)
        }
        let xTicks: [Double] = percentileX ? [0, 90, 99, 99.9, 99.99, 99.999].filter { mapX($0) <= maxX + 1e-9 }
            : (xTickValues ?? Self.niceTicks(min: minX, max: maxX, count: 6)).filter { $0 >= minX - 1e-9 && $0 <= maxX + 1e-9 }
        func px(_ x: Double) -> Double { left + (mapX(x) - minX) / (maxX - minX) * plotWidth }
        func py(_ y: Double) -> Double { top + plotHeight - (mapY(y) - minY) / (maxY - minY) * plotHeight }
        func pyMapped(_ y: Double) -> Double { top + plotHeight - (y - minY) / (maxY - minY) * plotHeight }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(Self.escape(title))\">"
        svg += "<rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
        svg += "<text x=\"\(left)\" y=\"18\" font-family=\"sans-serif\" font-size=\"14\" font-weight=\"bold\">\(Self.escape(title))</text>"
        // Axes and ticks.
        svg += "<g stroke=\"#999\" stroke-width=\"1\"><line x1=\"\(left)\" y1=\"\(top + plotHeight)\" x2=\"\(left + plotWidth)\" y2=\"\(top + plotHeight)\"/><line x1=\"\(left)\" y1=\"\(top)\" x2=\"\(left)\" y2=\"\(top + plotHeight)\"/></g>"
        svg += "<g font-family=\"sans-serif\" font-size=\"10\" fill=\"#333\">"
        for mapped in yTicks {
            let label = Self.number(logY ? pow(10, mapped) : mapped)
            let y = pyMapped(mapped)
            svg += "<line x1=\"\(left - 4)\" y1=\"\(y)\" x2=\"\(left + plotWidth)\" y2=\"\(y)\" stroke=\"#eee\"/><text x=\"\(left - 6)\" y=\"\(y + 3)\" text-anchor=\"end\">\(label)</text>"
        }
        for x in xTicks {
            let position = percentileX ? px(x) : left + (x - minX) / (maxX - minX) * plotWidth
            let label = percentileX ? (x == x.rounded() ? String(format: "%.0f%%", x) : String(format: "%g%%", x)) : Self.number(x)
            svg += "<text x=\"\(position)\" y=\"\(top + plotHeight + 14)\" text-anchor=\"middle\">\(label)</text>"
        }
        svg += "<text x=\"\(left + plotWidth / 2)\" y=\"\(height - 8)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>"
        svg += "<text x=\"14\" y=\"\(top + plotHeight / 2)\" text-anchor=\"middle\" transform=\"rotate(-90 14 \(top + plotHeight / 2))\">\(Self.escape(yLabel))</text></g>"
        for mark in horizontalMarks {
            let y = py(mark.y)
            svg += "<line x1=\"\(left)\" y1=\"\(y)\" x2=\"\(left + plotWidth)\" y2=\"\(y)\" stroke=\"#d62728\" stroke-dasharray=\"6 4\"/><text x=\"\(left + plotWidth - 4)\" y=\"\(y - 4)\" text-anchor=\"end\" font-family=\"sans-serif\" font-size=\"10\" fill=\"#d62728\">\(Self.escape(mark.label))</text>"
        }
        for mark in verticalMarks {
            let x = px(mark.x)
            // Labels near the right edge go to the left of their line.
            let anchor = x > left + plotWidth * 0.6 ? "end" : "start"
            let labelX = anchor == "end" ? x - 4 : x + 4
            svg += "<line x1=\"\(x)\" y1=\"\(top)\" x2=\"\(x)\" y2=\"\(top + plotHeight)\" stroke=\"#2ca02c\" stroke-dasharray=\"6 4\"/><text x=\"\(labelX)\" y=\"\(top + 24)\" text-anchor=\"\(anchor)\" font-family=\"sans-serif\" font-size=\"10\" fill=\"#2ca02c\">\(Self.escape(mark.label))</text>"
        }
        let legend = legendPlaces(left: left + 10, top: top + 2, width: plotWidth - 10)
        for (index, line) in series.enumerated() {
            let color = Self.palette[index % Self.palette.count]
            let path = line.points.map { "\(String(format: "%.1f", px($0.x))),\(String(format: "%.1f", py($0.y)))" }.joined(separator: " ")
            if line.points.count > 1, line.errorBars == nil {
                svg += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"1.5\" points=\"\(path)\"/>"
            }
            for (pointIndex, point) in line.points.enumerated() where line.errorBars != nil || line.points.count == 1 {
                svg += "<circle cx=\"\(px(point.x))\" cy=\"\(py(point.y))\" r=\"3.5\" fill=\"\(color)\"/>"
                if let bar = line.errorBars?[pointIndex] {
                    svg += "<line x1=\"\(px(point.x))\" y1=\"\(py(bar.low))\" x2=\"\(px(point.x))\" y2=\"\(py(bar.high))\" stroke=\"\(color)\" stroke-width=\"2\"/>"
                }
            }
            let place = legend[index]
            svg += "<rect x=\"\(place.x)\" y=\"\(place.y)\" width=\"10\" height=\"10\" fill=\"\(color)\"/><text x=\"\(place.x + 14)\" y=\"\(place.y + 9)\" font-family=\"sans-serif\" font-size=\"11\">\(Self.escape(line.name))</text>"
        }
        return svg + "</svg>"
    }

    /// Where each series' legend entry goes: left to right, each as wide as its name (at least 150 px apart, as
    /// before, when they fit), wrapping to a new row rather than running off the chart.
    func legendPlaces(left: Double, top: Double, width: Double) -> [(x: Double, y: Double)] {
        let widths = series.map { 14 + Double($0.name.count) * 6.5 + 16 }
        let roomy = widths.allSatisfy { $0 <= 150 } && Double(series.count) * 150 <= width
        var places: [(x: Double, y: Double)] = [], x = 0.0, y = top
        for w in widths {
            let slot = roomy ? 150 : w
            if x > 0, x + w > width { (x, y) = (0, y + 15) }
            places.append((left + x, y))
            x += slot
        }
        return places
    }

    static func number(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 1e6 { return String(format: "%.3gM", value / 1e6) }
        if magnitude >= 1e4 { return String(format: "%.3gk", value / 1e3) }
        if magnitude >= 100 || value == value.rounded() { return String(format: "%.0f", value) }
        return String(format: "%.3g", value)
    }

    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }

    /// Largest-Triangle-Three-Buckets downsampling (Steinarsson 2013): at most `threshold` points that keep the
    /// series' visual shape, as vegeta's plot does for long runs.
    public static func downsample(_ points: [(x: Double, y: Double)], threshold: Int) -> [(x: Double, y: Double)] {
        guard threshold >= 3, points.count > threshold else { return points }
        var sampled = [points[0]]
        let bucketSize = Double(points.count - 2) / Double(threshold - 2)
        var previous = 0
        for bucket in 0..<(threshold - 2) {
            let start = Int(Double(bucket) * bucketSize) + 1, end = min(Int(Double(bucket + 1) * bucketSize) + 1, points.count - 1)
            let nextStart = end, nextEnd = min(Int(Double(bucket + 2) * bucketSize) + 1, points.count)
            let next = points[nextStart..<max(nextEnd, nextStart + 1)]
            let averageX = next.map(\.x).reduce(0, +) / Double(next.count), averageY = next.map(\.y).reduce(0, +) / Double(next.count)
            var best = start, bestArea = -1.0
            for index in start..<max(end, start + 1) {
                let area = abs((points[previous].x - averageX) * (points[index].y - points[previous].y)
                               - (points[previous].x - points[index].x) * (averageY - points[previous].y))
                if area > bestArea { bestArea = area; best = index }
            }
            sampled.append(points[best])
            previous = best
        }
        sampled.append(points[points.count - 1])
        return sampled
    }
}
