import TracebenchVocabulary

/// The chain of spans that decides a trace's end-to-end time, as time per ``SegmentKey``.
///
/// From the root's window `[start, subtreeEnd]`, walking back from the end: repeatedly the child whose subtree ends
/// last before the cursor is on the path (recursively, over its own window), and the cursor moves to that child's
/// start; a child that ends after the cursor's position was passed runs in parallel with the path and is off it. Time
/// in a span's window between the children on the path is the span's self time; time after a span's own end (before an
/// asynchronous child started) is a ``SegmentKey/queue`` segment. The segments add up to the end-to-end time exactly.
enum CriticalPath {
    /// Nanoseconds on the critical path per segment key, for one whole trace.
    static func segments(of tree: TraceTree) -> [String: UInt64] {
        var totals: [String: UInt64] = [:]
        // (span, cursor): the span's window [start, cursor] is still to be covered. No recursion: deep traces are safe.
        var pending: [(span: Int, cursor: UInt64)] = [(tree.root, tree.subtreeEnd[tree.root])]
        while let (span, until) = pending.popLast() {
            let from = tree.start[span]
            var cursor = until
            let byEnd = tree.children[span].sorted { tree.subtreeEnd[$0] > tree.subtreeEnd[$1] }
            for child in byEnd where tree.start[child] < cursor {
                let childEnd = min(tree.subtreeEnd[child], cursor)
                add(span, from: childEnd, to: cursor, in: tree, to: &totals)
                pending.append((child, childEnd))
                cursor = max(tree.start[child], from)
            }
            add(span, from: from, to: cursor, in: tree, to: &totals)
        }
        return totals
    }

    /// Time `[from, to]` in `span`'s window: its self time up to its own end, queue time after it.
    private static func add(_ span: Int, from: UInt64, to: UInt64, in tree: TraceTree, to totals: inout [String: UInt64]) {
        guard to > from else { return }
        let ownEnd = tree.end[span]
        let own = from < ownEnd ? min(to, ownEnd) - from : 0
        let queued = (to - from) - own
        if own > 0 { totals[tree.key(span), default: 0] += own }
        if queued > 0 { totals[SegmentKey.queue, default: 0] += queued }
    }
}
