/// The chain of spans that decides a trace's end-to-end time, as time per segment (``SegmentNames`` ids).
///
/// From the root's window `[start, subtreeEnd]`, walking back from the end: repeatedly the child whose subtree ends
/// last before the cursor is on the path (recursively, over its own window), and the cursor moves to that child's
/// start; a child that ends after the cursor's position was passed runs in parallel with the path and is off it. Time
/// in a span's window between the children on the path is the span's self time; time after a span's own end (before an
/// asynchronous child started) is a ``SegmentNames/queue`` segment. The segments add up to the end-to-end time exactly.
///
/// One walker serves every trace of an analysis: its buffers are reused, so a trace costs no allocation.
struct CriticalPath {
    /// Nanoseconds on the path per segment id for the last trace walked; only ``touched`` entries are non-zero.
    private(set) var nanos: [UInt64] = []
    /// The segments the last trace put on its path, in the order first met.
    private(set) var touched: [Int32] = []
    /// (span, cursor): the span's window [start, cursor] is still to be covered. No recursion: deep traces are safe.
    private var pending: [(span: Int, cursor: UInt64)] = []
    private var byEnd: [Int32] = []

    /// Walks `tree`'s critical path, leaving its time per segment in ``nanos`` and ``touched``.
    mutating func walk(_ tree: TraceTree) {
        for segment in touched { nanos[Int(segment)] = 0 }
        touched.removeAll(keepingCapacity: true)
        pending.removeAll(keepingCapacity: true)
        pending.append((tree.root, tree.subtreeEnd[tree.root]))
        while let (span, until) = pending.popLast() {
            let from = tree.start[span]
            var cursor = until
            // Children by subtree end, latest first; ties keep arrival order (a stable insertion sort: lists are short).
            byEnd.removeAll(keepingCapacity: true)
            for child in tree.children(span) {
                byEnd.append(child)
                var slot = byEnd.count - 1
                while slot > 0, tree.subtreeEnd[Int(byEnd[slot - 1])] < tree.subtreeEnd[Int(child)] {
                    byEnd[slot] = byEnd[slot - 1]
                    slot -= 1
                }
                byEnd[slot] = child
            }
            for child in byEnd.lazy.map(Int.init) where tree.start[child] < cursor {
                let childEnd = min(tree.subtreeEnd[child], cursor)
                add(span, from: childEnd, to: cursor, in: tree)
                pending.append((child, childEnd))
                cursor = max(tree.start[child], from)
            }
            add(span, from: from, to: cursor, in: tree)
        }
    }

    /// Time `[from, to]` in `span`'s window: its self time up to its own end, queue time after it.
    private mutating func add(_ span: Int, from: UInt64, to: UInt64, in tree: TraceTree) {
        guard to > from else { return }
        let ownEnd = tree.end[span]
        let own = from < ownEnd ? min(to, ownEnd) - from : 0
        let queued = (to - from) - own
        if own > 0 { credit(tree.segment[span], own) }
        if queued > 0 { credit(SegmentNames.queue, queued) }
    }

    private mutating func credit(_ segment: Int32, _ amount: UInt64) {
        let index = Int(segment)
        if index >= nanos.count { nanos.append(contentsOf: repeatElement(0, count: index + 1 - nanos.count)) }
        if nanos[index] == 0 { touched.append(segment) }
        nanos[index] += amount
    }
}
