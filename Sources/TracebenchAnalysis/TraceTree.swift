import TracebenchSink
import TracebenchVocabulary

/// One trace's spans as a tree, built only when the trace is structurally whole: exactly one root, every other span's
/// parent present, every span reachable from the root (no cycles), span ids unique (later copies dropped).
///
/// Times are normalised on the way down so that hostile or skewed clocks cannot produce negative segments: a span
/// starts no earlier than its parent and ends no earlier than it starts. `subtreeEnd` is the latest end of a span and
/// everything under it: an asynchronous child (the worker's span under the API's enqueue span) may outlive its parent.
/// Built without recursion, so a trace 100,000 spans deep is as safe as a flat one.
struct TraceTree {
    /// The trace's spans, deduplicated, in arrival order.
    let spans: [ReceivedSpan]
    /// Index of the root in ``spans``.
    let root: Int
    /// Children of each span (indices into ``spans``).
    let children: [[Int]]
    /// Parent of each span; -1 for the root.
    let parent: [Int]
    /// Normalised start and end of each span, ns.
    let start: [UInt64]
    let end: [UInt64]
    /// The latest normalised end in each span's subtree, ns.
    let subtreeEnd: [UInt64]
    /// Spans in an order where every parent comes before its children.
    let topDown: [Int]

    /// The tree of `members`, or nil when they are not one whole trace.
    init?(_ members: [ReceivedSpan]) {
        var seen: [UInt64: Int] = [:]
        var spans: [ReceivedSpan] = []
        spans.reserveCapacity(members.count)
        for span in members where seen[span.spanID] == nil {
            seen[span.spanID] = spans.count
            spans.append(span)
        }
        var root = -1
        var parent = [Int](repeating: -1, count: spans.count)
        var children = [[Int]](repeating: [], count: spans.count)
        for (index, span) in spans.enumerated() {
            if span.isRoot {
                guard root == -1 else { return nil }
                root = index
            } else {
                guard let p = seen[span.parentSpanID], p != index else { return nil }
                parent[index] = p
                children[p].append(index)
            }
        }
        guard root >= 0 else { return nil }

        var topDown: [Int] = [root]
        topDown.reserveCapacity(spans.count)
        var next = 0
        while next < topDown.count {
            topDown.append(contentsOf: children[topDown[next]])
            next += 1
        }
        guard topDown.count == spans.count else { return nil }  // a cycle, unreachable from the root

        var start = [UInt64](repeating: 0, count: spans.count)
        var end = [UInt64](repeating: 0, count: spans.count)
        for index in topDown {
            let floor = parent[index] >= 0 ? start[parent[index]] : 0
            start[index] = max(spans[index].startNanos, floor)
            end[index] = max(spans[index].endNanos, start[index])
        }
        var subtreeEnd = end
        for index in topDown.reversed() where parent[index] >= 0 {
            subtreeEnd[parent[index]] = max(subtreeEnd[parent[index]], subtreeEnd[index])
        }
        self.spans = spans
        self.root = root
        self.children = children
        self.parent = parent
        self.start = start
        self.end = end
        self.subtreeEnd = subtreeEnd
        self.topDown = topDown
    }

    /// The trace's end-to-end time: from the root's start to the last end under it, ns.
    var endToEndNanos: UInt64 { subtreeEnd[root] - start[root] }

    /// The `service/span` key of a span (``SegmentKey``).
    func key(_ index: Int) -> String { SegmentKey.of(service: spans[index].serviceName, span: spans[index].name) }

    /// A span's own time: its duration less the union of its children's time inside it, ns.
    func selfNanos(_ index: Int) -> UInt64 {
        let windows = children[index].map { (max(start[$0], start[index]), min(end[$0], end[index])) }
            .filter { $0.0 < $0.1 }.sorted { $0.0 < $1.0 }
        var covered: UInt64 = 0
        var reach = start[index]
        for (from, to) in windows where to > reach {
            covered += to - max(from, reach)
            reach = to
        }
        return (end[index] - start[index]) - covered
    }
}
