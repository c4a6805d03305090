import TracebenchResults
import TracebenchSink

/// Where the time and the errors go, from the whole traces of a run's jobs: the service topology, the critical path
/// and the errors' root causes. Built-in runs and black-box runs feed it the same way (received spans and which
/// traces are the jobs'); traces that are not whole (``TraceTree``) are left to the completeness figures.
public struct TraceAnalytics: Sendable {
    public var topology: TopologyFigures?
    public var criticalPath: CriticalPathFigures?
    public var errors: ErrorFigures?

    /// Analyses the traces of `spans` that `owned` accepts (all, when nil); every figure is nil when no trace is whole.
    public static func analyse(spans: [ReceivedSpan], owned: ((TraceID) -> Bool)? = nil) -> TraceAnalytics {
        // Group by trace without a container per trace: sort (trace, arrival) pairs. Trace order does not change any
        // figure but the bootstrap's draws: sorted, a run's results are reproducible.
        var order = spans.indices.map { (trace: spans[$0].traceID, index: $0) }
        order.sort { $0.trace != $1.trace ? $0.trace < $1.trace : $0.index < $1.index }
        var members = order.map(\.index)
        order = []
        var accumulator = TraceAnalyticsAccumulator()
        var first = 0
        while first < members.count {
            let trace = spans[members[first]].traceID
            var last = first + 1
            while last < members.count, spans[members[last]].traceID == trace { last += 1 }
            if owned?(trace) ?? true { accumulator.add(spans, members: members[first ..< last]) }
            first = last
        }
        members = []
        return accumulator.analytics
    }
}

/// ``TraceAnalytics`` folded in one trace at a time: each whole trace's figures go into tallies, histograms and the
/// bootstrap's sums, and nothing of its spans is kept. The figures do not depend on the order traces are folded in.
public struct TraceAnalyticsAccumulator: Sendable {
    private var names = SegmentNames()
    private var tree = TraceTree()
    private var walker = CriticalPath()
    private var topology = TopologyTally()
    private var path = PathTally()
    private var errors = ErrorTally()

    public init() {}

    /// Folds in one trace: `members` are the indices in `spans` of its spans, in arrival order. A trace that is not
    /// whole changes nothing.
    public mutating func add(_ spans: [ReceivedSpan], members: ArraySlice<Int>) {
        guard let first = members.first, tree.build(spans, members: members, names: &names) else { return }
        let trace = spans[first].traceID
        topology.add(&tree)
        walker.walk(tree)
        path.add(tree, walker, unit: trace.high ^ (trace.low &* 0x9E37_79B9_7F4A_7C15))
        errors.add(tree)
    }

    /// Folds in one trace given as its spans, in arrival order.
    public mutating func add(trace spans: [ReceivedSpan]) {
        add(spans, members: Array(spans.indices)[...])
    }

    /// The figures of every trace folded in so far; nil figures when none was whole.
    public var analytics: TraceAnalytics {
        guard topology.traces > 0 else { return TraceAnalytics() }
        return TraceAnalytics(topology: topology.figures(names), criticalPath: path.figures(names), errors: errors.figures(names))
    }
}
