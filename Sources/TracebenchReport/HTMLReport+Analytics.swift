import Foundation
import TracebenchResults

/// The report's analytics sections: where the time goes (a table and a stacked bar per latency band), the service
/// topology (an SVG graph, layered left → right, no script) and the errors' root causes. HTML and Markdown each.
extension HTMLReport {
    static func analytics(_ r: RunResults) -> (html: String, markdown: String) {
        var html = "", markdown = ""
        if let path = r.criticalPath, path.traces > 0 {
            let header = ["segment", "share of end-to-end", "95 % interval", "p50 ms", "p99 ms", "on path"]
            let rows = path.ranked.map { key, s in
                [key, String(format: "%.1f %%", s.share.estimate * 100), String(format: "[%.1f, %.1f] %%", s.share.ciLow * 100, s.share.ciHigh * 100),
                 String(format: "%.1f", Double(s.contribution.p50) / 1000), String(format: "%.1f", Double(s.contribution.p99) / 1000),
                 String(format: "%.1f %%", s.onPath.ratio * 100)]
            }
            html += "<h2>Where the time goes (critical path of \(path.traces) whole traces)</h2>"
                + table(header, rows.map { $0.map(SVGChart.escape) }) + bandBars(path)
            markdown += "\n## Where the time goes (critical path of \(path.traces) whole traces)\n\n" + markdownTable(header, rows) + "\n"
        }
        if let topology = r.topology, !topology.nodes.isEmpty {
            let header = ["edge", "calls", "traces", "errors", "p50 ms", "p99 ms"]
            let rows = topology.edges.sorted { $0.key < $1.key }.map { key, e in
                [key, "\(e.calls)", String(format: "%.1f %%", e.traceShare.ratio * 100),
                 String(format: "%.2f %% [%.2f, %.2f]", e.errorShare.ratio * 100, e.errorShare.ciLow * 100, e.errorShare.ciHigh * 100),
                 String(format: "%.1f", Double(e.latency.p50) / 1000), String(format: "%.1f", Double(e.latency.p99) / 1000)]
            }
            html += "<h2>Service topology (\(topology.traces) whole traces)</h2>" + topologyGraph(topology) + table(header, rows.map { $0.map(SVGChart.escape) })
            markdown += "\n## Service topology (\(topology.traces) whole traces)\n\n" + markdownTable(header, rows) + "\n"
        }
        if let errors = r.errors, errors.traces > 0 {
            let header = ["root cause", "spans", "share of error traces", "95 % interval", "ERROR ancestors (mean, max)", "reached the root"]
            let rows = errors.ranked.map { key, c in
                [key, "\(c.spans)", String(format: "%.1f %%", c.share.ratio * 100), String(format: "[%.1f, %.1f] %%", c.share.ciLow * 100, c.share.ciHigh * 100),
                 String(format: "%.1f, %d", c.propagation.meanLevels, c.propagation.maxLevels), "\(c.propagation.reachedRoot)"]
            }
            html += "<h2>Error root causes (\(errors.traces) error traces)</h2>" + table(header, rows.map { $0.map(SVGChart.escape) })
            markdown += "\n## Error root causes (\(errors.traces) error traces)\n\n" + markdownTable(header, rows) + "\n"
        }
        return (html, markdown)
    }

    /// One horizontal bar per end-to-end band, split by segment share; the same colour for a segment in every bar.
    static func bandBars(_ path: CriticalPathFigures) -> String {
        let keys = path.ranked.map(\.key)
        let colour = Dictionary(uniqueKeysWithValues: keys.enumerated().map { ($1, segmentColour($0)) })
        let left = 150.0, width = 700.0, barHeight = 22.0
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(left + width + 20))\" height=\"\(Int(Double(path.bands.count) * (barHeight + 8) + 30 + Double(keys.count) * 16))\" font-size=\"12\">"
        for (row, band) in path.bands.enumerated() {
            let y = 10 + Double(row) * (barHeight + 8)
            svg += "<text x=\"0\" y=\"\(SVGChart.number(y + 15))\">\(band.band) (\(band.traces))</text>"
            var x = left
            for key in keys {
                guard let share = band.shares[key], share > 0 else { continue }
                let w = share * width
                svg += "<rect x=\"\(SVGChart.number(x))\" y=\"\(SVGChart.number(y))\" width=\"\(SVGChart.number(w))\" height=\"\(Int(barHeight))\" fill=\"\(colour[key]!)\"><title>\(SVGChart.escape(key)) \(String(format: "%.1f %%", share * 100))</title></rect>"
                x += w
            }
        }
        var y = 20 + Double(path.bands.count) * (barHeight + 8)
        for key in keys {
            svg += "<rect x=\"\(Int(left))\" y=\"\(SVGChart.number(y - 10))\" width=\"10\" height=\"10\" fill=\"\(colour[key]!)\"/><text x=\"\(Int(left + 16))\" y=\"\(SVGChart.number(y))\">\(SVGChart.escape(key))</text>"
            y += 16
        }
        return svg + "</svg>"
    }

    /// The palette's colours first, then ones spread around the hue circle, so no two segments share a colour.
    static func segmentColour(_ index: Int) -> String {
        index < SVGChart.palette.count ? SVGChart.palette[index] : "hsl(\((index * 47) % 360), 55%, 60%)"
    }

    /// The services as boxes in layers (a service's layer is one more than its deepest caller's; a cycle is cut where
    /// it closes), edges as lines whose width grows with the calls and whose colour goes green → red with the error share.
    static func topologyGraph(_ topology: TopologyFigures) -> String {
        let services = topology.nodes.keys.sorted()
        var layer = Dictionary(uniqueKeysWithValues: services.map { ($0, 0) })
        for _ in 0 ..< services.count {  // longest-path layering; at most one pass per service, so cycles end
            for edge in topology.edges.values where edge.caller != edge.callee {
                if let from = layer[edge.caller], let to = layer[edge.callee], to <= from, from + 1 < services.count { layer[edge.callee] = from + 1 }
            }
        }
        let columns = Dictionary(grouping: services) { layer[$0] ?? 0 }
        let boxWidth = 190.0, boxHeight = 44.0, columnGap = 230.0, rowGap = 26.0
        var position: [String: (x: Double, y: Double)] = [:]
        for (column, members) in columns {
            for (row, service) in members.sorted().enumerated() {
                position[service] = (20 + Double(column) * (boxWidth + columnGap), 20 + Double(row) * (boxHeight + rowGap))
            }
        }
        let maxCalls = Double(topology.edges.values.map(\.calls).max() ?? 1)
        let width = (position.values.map(\.x).max() ?? 0) + boxWidth + 20, height = (position.values.map(\.y).max() ?? 0) + boxHeight + 30
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(Int(width))\" height=\"\(Int(height))\" font-size=\"12\">"
        for (key, edge) in topology.edges.sorted(by: { $0.key < $1.key }) {
            guard let from = position[edge.caller], let to = position[edge.callee] else { continue }
            let stroke = 1 + 7 * log1p(Double(edge.calls)) / log1p(maxCalls)
            let red = Int(min(1, edge.errorShare.ratio * 4) * 200), green = 150 - Int(min(1, edge.errorShare.ratio * 4) * 110)
            let (x1, y1, x2, y2) = (from.x + boxWidth, from.y + boxHeight / 2, to.x, to.y + boxHeight / 2)
            svg += "<line x1=\"\(SVGChart.number(x1))\" y1=\"\(SVGChart.number(y1))\" x2=\"\(SVGChart.number(x2))\" y2=\"\(SVGChart.number(y2))\" stroke=\"rgb(\(red),\(green),60)\" stroke-width=\"\(SVGChart.number(stroke))\"><title>\(SVGChart.escape(key))</title></line>"
            svg += "<text x=\"\(SVGChart.number((x1 + x2) / 2))\" y=\"\(SVGChart.number((y1 + y2) / 2 - 6))\" text-anchor=\"middle\">\(edge.calls) calls · \(String(format: "%.1f %% err", edge.errorShare.ratio * 100))</text>"
        }
        for service in services {
            guard let p = position[service], let node = topology.nodes[service] else { continue }
            svg += "<rect x=\"\(SVGChart.number(p.x))\" y=\"\(SVGChart.number(p.y))\" width=\"\(Int(boxWidth))\" height=\"\(Int(boxHeight))\" rx=\"6\" fill=\"#eef3fa\" stroke=\"#1f77b4\"/>"
            svg += "<text x=\"\(SVGChart.number(p.x + 8))\" y=\"\(SVGChart.number(p.y + 18))\" font-weight=\"bold\">\(SVGChart.escape(service.isEmpty ? "(no service.name)" : service))</text>"
            svg += "<text x=\"\(SVGChart.number(p.x + 8))\" y=\"\(SVGChart.number(p.y + 35))\">\(node.spans) spans · self \(String(format: "%.0f ms", Double(node.selfTimeUs) / 1000))</text>"
        }
        return svg + "</svg>"
    }
}
