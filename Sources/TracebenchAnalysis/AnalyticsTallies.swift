import Foundation
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

/// Per-trace critical-path shares: the bootstrap folds them in as they come (each trace's weights drawn from its own
/// trace id, so the order traces are folded in changes nothing); for the percentile bands, traces are grouped by
/// end-to-end time in buckets 1 % wide, each bucket holding its trace count and its share sums — memory bounded by the
/// buckets, not the traces.
struct PathTally {
    private var bootstrap = MeanBootstrap()
    private var row: MeanBootstrap.Row = []
    /// End-to-end bucket → traces in it and the sum of their shares per segment id.
    private var buckets: [Int: (traces: Int, sums: [Int32: Double])] = [:]
    /// Time on the path per segment id (created when the segment is first on a path).
    private var contributions: [LatencyHistogram?] = []

    private(set) var traces = 0

    /// The bucket of an end-to-end time: ⌊log(ns) / log(1.01)⌋.
    private static func bucket(_ nanos: UInt64) -> Int { Int((log(Double(max(nanos, 1))) / log(1.01)).rounded(.down)) }

    mutating func add(_ tree: TraceTree, _ walk: CriticalPath, unit: UInt64) {
        let total = tree.endToEndNanos
        guard total > 0 else { return }
        traces += 1
        row.removeAll(keepingCapacity: true)
        var bucket = buckets[Self.bucket(total), default: (0, [:])]
        bucket.traces += 1
        for segment in walk.touched {
            let column = Int(segment), nanos = walk.nanos[column]
            let share = Double(nanos) / Double(total)
            row.append((column, share))
            bucket.sums[segment, default: 0] += share
            if column >= contributions.count { contributions.append(contentsOf: repeatElement(nil, count: column + 1 - contributions.count)) }
            if contributions[column] == nil { contributions[column] = LatencyHistogram() }
            contributions[column]!.record(microseconds: Int64(clamping: nanos / 1000))
        }
        buckets[Self.bucket(total)] = bucket
        bootstrap.add(row, unit: unit)
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

    /// Mean shares within end-to-end percentile bands, by rank (so ties cannot empty a band arbitrarily): a bucket
    /// that straddles a band's edge gives each side its share of the bucket's traces, at the bucket's mean shares.
    private func bands(_ names: SegmentNames) -> [PathBand] {
        let ordered = buckets.keys.sorted().map { buckets[$0]! }
        let limits: [(name: String, upTo: Double)] = [("p0-p50", 0.5), ("p50-p90", 0.9), ("p90-p99", 0.99), ("p99-p100", 1.0)]
        var result: [PathBand] = []
        var first = 0
        for limit in limits {
            let last = max(first, min(traces, limit.upTo >= 1 ? traces : Int((Double(traces) * limit.upTo).rounded(.down))))
            defer { first = last }
            guard last > first else { continue }
            var sums: [Int32: Double] = [:]
            var rank = 0
            for bucket in ordered {
                let overlap = min(last, rank + bucket.traces) - max(first, rank)
                if overlap > 0 {
                    let fraction = Double(overlap) / Double(bucket.traces)
                    for (segment, sum) in bucket.sums { sums[segment, default: 0] += sum * fraction }
                }
                rank += bucket.traces
                if rank >= last { break }
            }
            let count = Double(last - first)
            let shares = Dictionary(uniqueKeysWithValues: sums.compactMap { segment, sum in
                sum > 0 ? (names.keys[Int(segment)], sum / count) : nil
            })
            result.append(PathBand(band: limit.name, traces: last - first, shares: shares))
        }
        return result
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
