import TracebenchMeasure
import TracebenchResults
import TracebenchVocabulary

/// Nodes and edges, summed over traces; services and edges are integer ids until the figures are written.
struct TopologyTally {
    var traces = 0
    private var nodeSpans: [Int] = []
    private var nodeSelfNanos: [UInt64] = []
    private var edgeIDs: [Int64: Int] = [:]
    private var edges: [Edge] = []

    private struct Edge {
        var caller: Int32, callee: Int32
        var calls = 0, errors = 0, traces = 0
        /// The last trace that counted this edge (for `traces`).
        var lastTrace = -1
        var latency = LatencyHistogram()
    }

    mutating func add(_ tree: inout TraceTree) {
        traces += 1
        for index in tree.topDown.lazy.map(Int.init) {
            let service = Int(tree.service[index])
            if service >= nodeSpans.count {
                nodeSpans.append(contentsOf: repeatElement(0, count: service + 1 - nodeSpans.count))
                nodeSelfNanos.append(contentsOf: repeatElement(0, count: service + 1 - nodeSelfNanos.count))
            }
            nodeSpans[service] += 1
            nodeSelfNanos[service] += tree.selfNanos(index)
            let parent = Int(tree.parent[index])
            guard parent >= 0, tree.service[parent] != tree.service[index] else { continue }
            let key = Int64(tree.service[parent]) << 32 | Int64(tree.service[index])
            let edge = edgeIDs[key] ?? {
                edges.append(Edge(caller: tree.service[parent], callee: tree.service[index]))
                edgeIDs[key] = edges.count - 1
                return edges.count - 1
            }()
            edges[edge].calls += 1
            if tree.isError[index] { edges[edge].errors += 1 }
            edges[edge].latency.record(microseconds: Int64(clamping: (tree.end[index] - tree.start[index]) / 1000))
            if edges[edge].lastTrace != traces {
                edges[edge].lastTrace = traces
                edges[edge].traces += 1
            }
        }
    }

    func figures(_ names: SegmentNames) -> TopologyFigures {
        var figures = TopologyFigures()
        figures.traces = traces
        for (service, spans) in nodeSpans.enumerated() where spans > 0 {
            figures.nodes[names.services[service]] = ServiceNode(spans: spans, selfTimeUs: nodeSelfNanos[service] / 1000)
        }
        for edge in edges {
            let caller = names.services[Int(edge.caller)], callee = names.services[Int(edge.callee)]
            var summary = edge.latency.summary()
            summary.histogram = edge.latency.encoded()
            figures.edges[SegmentKey.edge(caller: caller, callee: callee)] = ServiceEdge(
                caller: caller, callee: callee, calls: edge.calls, traceShare: .clopperPearson(successes: edge.traces, trials: traces),
                errorShare: .clopperPearson(successes: edge.errors, trials: edge.calls), latency: summary)
        }
        return figures
    }
}

/// Per-trace critical-path shares: the bootstrap folds them in as they come; one sparse row per trace is kept, with
/// the trace's end-to-end time, for the percentile bands.
struct PathTally {
    private var bootstrap = MeanBootstrap()
    private var row: MeanBootstrap.Row = []
    /// Rows of every trace, flattened: trace `t`'s entries are `rowStart[t] ..< rowStart[t + 1]`.
    private var rowStart: [Int] = [0]
    private var rowColumns: [Int32] = []
    private var rowShares: [Double] = []
    private var endToEnd: [UInt64] = []
    /// Time on the path per segment id (created when the segment is first on a path).
    private var contributions: [LatencyHistogram?] = []

    var traces: Int { endToEnd.count }

    mutating func add(_ tree: TraceTree, _ walk: CriticalPath) {
        let total = tree.endToEndNanos
        guard total > 0 else { return }
        row.removeAll(keepingCapacity: true)
        for segment in walk.touched {
            let column = Int(segment), nanos = walk.nanos[column]
            let share = Double(nanos) / Double(total)
            row.append((column, share))
            rowColumns.append(segment)
            rowShares.append(share)
            if column >= contributions.count { contributions.append(contentsOf: repeatElement(nil, count: column + 1 - contributions.count)) }
            if contributions[column] == nil { contributions[column] = LatencyHistogram() }
            contributions[column]!.record(microseconds: Int64(clamping: nanos / 1000))
        }
        bootstrap.add(row)
        rowStart.append(rowColumns.count)
        endToEnd.append(total)
    }

    func figures(_ names: SegmentNames) -> CriticalPathFigures {
        var figures = CriticalPathFigures()
        figures.traces = traces
        guard traces > 0 else { return figures }
        let shares = bootstrap.intervals(columns: contributions.count)
        for (column, histogram) in contributions.enumerated() {
            guard let histogram else { continue }
            var contribution = histogram.summary()
            contribution.histogram = histogram.encoded()
            figures.segments[names.keys[column]] = PathSegment(
                share: shares[column], onPath: .clopperPearson(successes: Int(histogram.count), trials: traces), contribution: contribution)
        }
        figures.bands = bands(names)
        return figures
    }

    /// Mean shares within end-to-end percentile bands (by rank, so ties cannot empty a band arbitrarily).
    private func bands(_ names: SegmentNames) -> [PathBand] {
        let order = endToEnd.indices.sorted { endToEnd[$0] < endToEnd[$1] }
        let limits: [(name: String, upTo: Double)] = [("p0-p50", 0.5), ("p50-p90", 0.9), ("p90-p99", 0.99), ("p99-p100", 1.0)]
        var bands: [PathBand] = []
        var first = 0
        for limit in limits {
            let last = limit.upTo >= 1 ? order.count : Int((Double(order.count) * limit.upTo).rounded(.down))
            let members = order[first ..< max(first, min(last, order.count))]
            first = max(first, min(last, order.count))
            guard !members.isEmpty else { continue }
            var sums = [Double](repeating: 0, count: contributions.count)
            for trace in members {
                for entry in rowStart[trace] ..< rowStart[trace + 1] { sums[Int(rowColumns[entry])] += rowShares[entry] }
            }
            let shares = Dictionary(uniqueKeysWithValues: sums.enumerated().compactMap { column, sum in
                sum > 0 ? (names.keys[column], sum / Double(members.count)) : nil
            })
            bands.append(PathBand(band: limit.name, traces: members.count, shares: shares))
        }
        return bands
    }
}

/// Root-cause spans and their ERROR chains, per segment id.
struct ErrorTally {
    var traces = 0
    private var causes: [Int32: Cause] = [:]

    private struct Cause {
        var spans = 0, traces = 0, levels = 0, maxLevels = 0, reachedRoot = 0
        /// The last error trace that counted this cause (for `traces`).
        var lastTrace = -1
    }

    mutating func add(_ tree: TraceTree) {
        guard tree.hasError else { return }
        traces += 1
        for index in tree.topDown.lazy.map(Int.init) where tree.isError[index] {
            guard !tree.children(index).contains(where: { tree.isError[Int($0)] }) else { continue }
            var levels = 0, top = index
            while tree.parent[top] >= 0, tree.isError[Int(tree.parent[top])] {
                top = Int(tree.parent[top])
                levels += 1
            }
            var cause = causes[tree.segment[index], default: Cause()]
            cause.spans += 1
            cause.levels += levels
            cause.maxLevels = max(cause.maxLevels, levels)
            if top == tree.root { cause.reachedRoot += 1 }
            if cause.lastTrace != traces {
                cause.lastTrace = traces
                cause.traces += 1
            }
            causes[tree.segment[index]] = cause
        }
    }

    func figures(_ names: SegmentNames) -> ErrorFigures {
        var figures = ErrorFigures()
        figures.traces = traces
        for (segment, cause) in causes {
            figures.rootCauses[names.keys[Int(segment)]] = RootCause(
                spans: cause.spans, share: .clopperPearson(successes: cause.traces, trials: traces),
                propagation: ErrorPropagation(meanLevels: Double(cause.levels) / Double(max(cause.spans, 1)),
                                              maxLevels: cause.maxLevels, reachedRoot: cause.reachedRoot))
        }
        return figures
    }
}
