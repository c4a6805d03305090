import TracebenchMeasure
import TracebenchResults
import TracebenchSink
import TracebenchVocabulary

/// Where the time and the errors go, from the whole traces of a run's jobs: the service topology, the critical path
/// and the errors' root causes. Built-in runs and black-box runs feed it the same way (received spans and which
/// traces are the jobs'); traces that are not whole (``TraceTree``) are left to the completeness figures.
public struct TraceAnalytics: Sendable {
    public var topology: TopologyFigures?
    public var criticalPath: CriticalPathFigures?
    public var errors: ErrorFigures?

    /// Analyses the traces of `spans` that `owned` accepts (all, when nil); every figure is nil when no trace is whole.
    public static func analyse(spans: [ReceivedSpan], owned: ((TraceID) -> Bool)? = nil) -> TraceAnalytics {
        var byTrace: [TraceID: [ReceivedSpan]] = [:]
        for span in spans where owned?(span.traceID) ?? true { byTrace[span.traceID, default: []].append(span) }
        var topology = TopologyTally(), path = PathTally(), errors = ErrorTally()
        // Trace order does not change any figure but the bootstrap's draws: sort, so a run's results are reproducible.
        for traceID in byTrace.keys.sorted() {
            guard let tree = TraceTree(byTrace[traceID]!) else { continue }
            topology.add(tree)
            path.add(tree)
            errors.add(tree)
        }
        guard topology.traces > 0 else { return TraceAnalytics() }
        return TraceAnalytics(topology: topology.figures(), criticalPath: path.figures(), errors: errors.figures())
    }
}

/// Nodes and edges, summed over traces.
private struct TopologyTally {
    var traces = 0
    var nodes: [String: (spans: Int, selfNanos: UInt64)] = [:]
    var edges: [String: (caller: String, callee: String, calls: Int, errors: Int, traces: Int, latency: LatencyHistogram)] = [:]

    mutating func add(_ tree: TraceTree) {
        traces += 1
        var seen: Set<String> = []
        for index in tree.topDown {
            let span = tree.spans[index]
            nodes[span.serviceName, default: (0, 0)].spans += 1
            nodes[span.serviceName]!.selfNanos += tree.selfNanos(index)
            let parent = tree.parent[index]
            guard parent >= 0, tree.spans[parent].serviceName != span.serviceName else { continue }
            let caller = tree.spans[parent].serviceName
            let key = SegmentKey.edge(caller: caller, callee: span.serviceName)
            edges[key, default: (caller, span.serviceName, 0, 0, 0, LatencyHistogram())].calls += 1
            if span.isError { edges[key]!.errors += 1 }
            edges[key]!.latency.record(microseconds: Int64(clamping: (tree.end[index] - tree.start[index]) / 1000))
            if seen.insert(key).inserted { edges[key]!.traces += 1 }
        }
    }

    func figures() -> TopologyFigures {
        var figures = TopologyFigures()
        figures.traces = traces
        figures.nodes = nodes.mapValues { ServiceNode(spans: $0.spans, selfTimeUs: $0.selfNanos / 1000) }
        figures.edges = edges.mapValues { edge in
            var summary = edge.latency.summary()
            summary.histogram = edge.latency.encoded()
            return ServiceEdge(caller: edge.caller, callee: edge.callee, calls: edge.calls,
                               traceShare: .clopperPearson(successes: edge.traces, trials: traces),
                               errorShare: .clopperPearson(successes: edge.errors, trials: edge.calls), latency: summary)
        }
        return figures
    }
}

/// Per-trace critical-path segments, kept sparse until the shares are estimated.
private struct PathTally {
    var keys: [String] = []
    var column: [String: Int] = [:]
    var rows: [MeanBootstrap.Row] = []
    var endToEnd: [UInt64] = []
    var contributions: [LatencyHistogram] = []

    var traces: Int { rows.count }

    mutating func add(_ tree: TraceTree) {
        let total = tree.endToEndNanos
        guard total > 0 else { return }
        var row: MeanBootstrap.Row = []
        for (key, nanos) in CriticalPath.segments(of: tree).sorted(by: { $0.key < $1.key }) {
            let index = column[key] ?? {
                column[key] = keys.count
                keys.append(key)
                contributions.append(LatencyHistogram())
                return keys.count - 1
            }()
            row.append((index, Double(nanos) / Double(total)))
            contributions[index].record(microseconds: Int64(clamping: nanos / 1000))
        }
        rows.append(row)
        endToEnd.append(total)
    }

    func figures() -> CriticalPathFigures {
        var figures = CriticalPathFigures()
        figures.traces = traces
        guard traces > 0 else { return figures }
        let shares = MeanBootstrap.intervals(rows: rows, columns: keys.count)
        for (index, key) in keys.enumerated() {
            var contribution = contributions[index].summary()
            contribution.histogram = contributions[index].encoded()
            let onPath = Int(contributions[index].count)
            figures.segments[key] = PathSegment(share: shares[index], onPath: .clopperPearson(successes: onPath, trials: traces),
                                                contribution: contribution)
        }
        figures.bands = bands()
        return figures
    }

    /// Mean shares within end-to-end percentile bands (by rank, so ties cannot empty a band arbitrarily).
    private func bands() -> [PathBand] {
        let order = endToEnd.indices.sorted { endToEnd[$0] < endToEnd[$1] }
        let limits: [(name: String, upTo: Double)] = [("p0-p50", 0.5), ("p50-p90", 0.9), ("p90-p99", 0.99), ("p99-p100", 1.0)]
        var bands: [PathBand] = []
        var first = 0
        for limit in limits {
            let last = limit.upTo >= 1 ? order.count : Int((Double(order.count) * limit.upTo).rounded(.down))
            let members = order[first ..< max(first, min(last, order.count))]
            first = max(first, min(last, order.count))
            guard !members.isEmpty else { continue }
            var sums = [Double](repeating: 0, count: keys.count)
            for trace in members { for entry in rows[trace] { sums[entry.column] += entry.value } }
            let shares = Dictionary(uniqueKeysWithValues: keys.enumerated().compactMap { index, key in
                sums[index] > 0 ? (key, sums[index] / Double(members.count)) : nil
            })
            bands.append(PathBand(band: limit.name, traces: members.count, shares: shares))
        }
        return bands
    }
}

/// Root-cause spans and their ERROR chains.
private struct ErrorTally {
    var traces = 0
    var causes: [String: (spans: Int, traces: Int, levels: Int, maxLevels: Int, reachedRoot: Int)] = [:]

    mutating func add(_ tree: TraceTree) {
        guard tree.spans.contains(where: \.isError) else { return }
        traces += 1
        var seen: Set<String> = []
        for index in tree.topDown where tree.spans[index].isError {
            guard !tree.children[index].contains(where: { tree.spans[$0].isError }) else { continue }
            var levels = 0, top = index
            while tree.parent[top] >= 0, tree.spans[tree.parent[top]].isError {
                top = tree.parent[top]
                levels += 1
            }
            let key = tree.key(index)
            causes[key, default: (0, 0, 0, 0, 0)].spans += 1
            causes[key]!.levels += levels
            causes[key]!.maxLevels = max(causes[key]!.maxLevels, levels)
            if top == tree.root { causes[key]!.reachedRoot += 1 }
            if seen.insert(key).inserted { causes[key]!.traces += 1 }
        }
    }

    func figures() -> ErrorFigures {
        var figures = ErrorFigures()
        figures.traces = traces
        figures.rootCauses = causes.mapValues { cause in
            RootCause(spans: cause.spans, share: .clopperPearson(successes: cause.traces, trials: traces),
                      propagation: ErrorPropagation(meanLevels: Double(cause.levels) / Double(max(cause.spans, 1)),
                                                    maxLevels: cause.maxLevels, reachedRoot: cause.reachedRoot))
        }
        return figures
    }
}
