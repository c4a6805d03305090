import TracebenchSink

/// One trace's spans as a tree, built only when the trace is structurally whole: exactly one root, every other span's
/// parent present, every span reachable from the root (no cycles), span ids unique (later copies dropped).
///
/// Times are normalised on the way down so that hostile or skewed clocks cannot produce negative segments: a span
/// starts no earlier than its parent and ends no earlier than it starts. `subtreeEnd` is the latest end of a span and
/// everything under it: an asynchronous child (the worker's span under the API's enqueue span) may outlive its parent.
/// Built without recursion, so a trace 100,000 spans deep is as safe as a flat one.
///
/// One value is reused for every trace of an analysis (``build(_:members:names:)`` refills its buffers), so a trace
/// costs no allocation once the buffers have grown to the largest trace; spans are indices `0 ..< count` in arrival
/// order, carrying only what the analyses read (times, ids, the error flag).
struct TraceTree {
    /// Spans in the tree (after de-duplication).
    private(set) var count = 0
    /// Index of the root.
    private(set) var root = 0
    /// Parent of each span; -1 for the root.
    private(set) var parent: [Int32] = []
    /// Children of span `i`: `childList[childStart[i] ..< childStart[i + 1]]`, in arrival order.
    private(set) var childStart: [Int32] = []
    private(set) var childList: [Int32] = []
    /// Normalised start and end of each span, ns.
    private(set) var start: [UInt64] = []
    private(set) var end: [UInt64] = []
    /// The latest normalised end in each span's subtree, ns.
    private(set) var subtreeEnd: [UInt64] = []
    /// Spans in an order where every parent comes before its children.
    private(set) var topDown: [Int32] = []
    /// Each span's service and `service/span` ids (``SegmentNames``).
    private(set) var service: [Int32] = []
    private(set) var segment: [Int32] = []
    /// Each span's ERROR status, and whether any span has it.
    private(set) var isError: [Bool] = []
    private(set) var hasError = false

    private var byID: [(id: UInt64, position: Int32)] = []
    private var local: [Int32] = []
    private var parentID: [UInt64] = []
    private var windows: [(from: UInt64, to: UInt64)] = []

    /// Refills the tree with `members` (indices into `spans`, in arrival order); false when they are not one whole trace.
    mutating func build(_ spans: [ReceivedSpan], members: ArraySlice<Int>, names: inout SegmentNames) -> Bool {
        // De-duplicate by span id (the first arrival wins), then number the kept spans in arrival order.
        byID.removeAll(keepingCapacity: true)
        for (position, member) in members.enumerated() { byID.append((spans[member].spanID, Int32(position))) }
        byID.sort { $0.id != $1.id ? $0.id < $1.id : $0.position < $1.position }
        local.removeAll(keepingCapacity: true)
        local.append(contentsOf: repeatElement(-1, count: members.count))
        var unique = 0
        for next in byID.indices where unique == 0 || byID[unique - 1].id != byID[next].id {
            byID[unique] = byID[next]
            local[Int(byID[next].position)] = 0
            unique += 1
        }
        byID.removeLast(byID.count - unique)
        clear()
        for (position, member) in members.enumerated() where local[position] == 0 {
            local[position] = Int32(count)
            count += 1
            let span = spans[member]
            let serviceID = names.service(span.serviceName)
            service.append(serviceID)
            segment.append(names.segment(service: serviceID, span: span.name))
            start.append(span.startNanos)
            end.append(span.endNanos)
            isError.append(span.isError)
            hasError = hasError || span.isError
            parentID.append(span.parentSpanID)
        }
        return link()
    }

    /// Parents, children, the top-down order and the normalised times; false when the spans are not one whole trace.
    private mutating func link() -> Bool {
        var rootIndex = -1
        for index in 0 ..< count {
            if parentID[index] == 0 {
                guard rootIndex == -1 else { return false }
                rootIndex = index
                parent.append(-1)
                continue
            }
            guard let position = position(of: parentID[index]), local[position] != Int32(index) else { return false }
            parent.append(local[position])
        }
        guard rootIndex >= 0 else { return false }
        root = rootIndex
        childStart.append(contentsOf: repeatElement(0, count: count + 1))
        for index in 0 ..< count where parent[index] >= 0 { childStart[Int(parent[index]) + 1] += 1 }
        for index in 0 ..< count { childStart[index + 1] += childStart[index] }
        childList.append(contentsOf: repeatElement(0, count: count - 1))
        // Each parent's cursor moves through its own range; afterwards childStart[p] holds p + 1's start: shift back.
        for index in 0 ..< count where parent[index] >= 0 {
            let p = Int(parent[index])
            childList[Int(childStart[p])] = Int32(index)
            childStart[p] += 1
        }
        for index in stride(from: count, to: 0, by: -1) { childStart[index] = childStart[index - 1] }
        childStart[0] = 0
        topDown.append(Int32(root))
        var next = 0
        while next < topDown.count {
            topDown.append(contentsOf: children(Int(topDown[next])))
            next += 1
        }
        guard topDown.count == count else { return false }  // a cycle, unreachable from the root
        for index in topDown.lazy.map(Int.init) {
            let floor = parent[index] >= 0 ? start[Int(parent[index])] : 0
            start[index] = max(start[index], floor)
            end[index] = max(end[index], start[index])
        }
        subtreeEnd.append(contentsOf: end)
        for index in topDown.reversed().lazy.map(Int.init) where parent[index] >= 0 {
            let p = Int(parent[index])
            subtreeEnd[p] = max(subtreeEnd[p], subtreeEnd[index])
        }
        return true
    }

    /// The children of a span, in arrival order.
    func children(_ index: Int) -> ArraySlice<Int32> { childList[Int(childStart[index]) ..< Int(childStart[index + 1])] }

    /// The trace's end-to-end time: from the root's start to the last end under it, ns.
    var endToEndNanos: UInt64 { subtreeEnd[root] - start[root] }

    /// A span's own time: its duration less the union of its children's time inside it, ns.
    mutating func selfNanos(_ index: Int) -> UInt64 {
        let from = start[index], to = end[index]
        guard childStart[index] < childStart[index + 1] else { return to - from }
        windows.removeAll(keepingCapacity: true)
        for child in children(index).lazy.map(Int.init) where max(start[child], from) < min(end[child], to) {
            windows.append((max(start[child], from), min(end[child], to)))
        }
        windows.sort { $0.from < $1.from }
        var covered: UInt64 = 0
        var reach = from
        for window in windows where window.to > reach {
            covered += window.to - max(window.from, reach)
            reach = window.to
        }
        return (to - from) - covered
    }

    /// The position (in `members`) of the kept span with this id, by binary search.
    private func position(of id: UInt64) -> Int? {
        var low = 0, high = byID.count
        while low < high {
            let middle = (low + high) / 2
            if byID[middle].id < id { low = middle + 1 } else { high = middle }
        }
        return low < byID.count && byID[low].id == id ? Int(byID[low].position) : nil
    }

    private mutating func clear() {
        count = 0
        hasError = false
        parent.removeAll(keepingCapacity: true)
        childStart.removeAll(keepingCapacity: true)
        childList.removeAll(keepingCapacity: true)
        topDown.removeAll(keepingCapacity: true)
        service.removeAll(keepingCapacity: true)
        segment.removeAll(keepingCapacity: true)
        start.removeAll(keepingCapacity: true)
        end.removeAll(keepingCapacity: true)
        subtreeEnd.removeAll(keepingCapacity: true)
        parentID.removeAll(keepingCapacity: true)
        isError.removeAll(keepingCapacity: true)
    }
}
