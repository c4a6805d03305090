import TracebenchSink

/// What the spans alone say, with no ledger (`tracebench listen`): traces, roots, orphans, duplicates, depth, services
/// and errors; and, given what a complete trace holds (`--expect`), which traces are complete: one root, no orphan,
/// every expected span. Duplicates (same trace and span id) are counted once.
public enum StructureCheck {
    public struct Figures: Sendable, Equatable {
        /// Distinct spans.
        public var spans = 0
        public var duplicateSpans = 0
        public var traces = 0
        /// Spans with no parent.
        public var roots = 0
        /// Traces with no root span among what arrived.
        public var tracesWithoutRoot = 0
        /// Spans whose parent is not in their trace.
        public var orphanSpans = 0
        /// Traces by their depth (the longest chain of parent links that arrived, a root alone is 1).
        public var depthCounts: [Int: Int] = [:]
        /// Distinct spans per `service.name` ("" when absent).
        public var services: [String: Int] = [:]
        public var errorSpans = 0
        public var tracesWithErrors = 0
        /// Span end → arrival at the sink, µs, one per distinct span that ended before it arrived.
        public var visibilityMicros: [Int64] = []
        /// With an expectation: traces with one root, no orphan and every expected span; nil without one.
        public var complete: Int?
        /// With an expectation: per `service/span`, the traces that lacked it.
        public var missing: [String: Int] = [:]
    }

    public static func check(_ spans: [ReceivedSpan], expect: [TargetCheck.Expectation]? = nil) -> Figures {
        var figures = Figures()
        var seen = Set<SpanIdentity>()
        var byTrace: [TraceID: [ReceivedSpan]] = [:]
        for span in spans {
            guard seen.insert(SpanIdentity(trace: span.traceID, span: span.spanID)).inserted else {
                figures.duplicateSpans += 1
                continue
            }
            byTrace[span.traceID, default: []].append(span)
            figures.services[span.serviceName, default: 0] += 1
            if span.receivedNanos >= span.endNanos { figures.visibilityMicros.append(Int64(clamping: (span.receivedNanos - span.endNanos) / 1000)) }
        }
        figures.traces = byTrace.count
        if expect != nil { figures.complete = 0 }
        for traceSpans in byTrace.values {
            figures.spans += traceSpans.count
            let parents = Dictionary(traceSpans.map { ($0.spanID, $0.parentSpanID) }, uniquingKeysWith: { first, _ in first })
            let roots = traceSpans.count { $0.parentSpanID == 0 }
            figures.roots += roots
            if roots == 0 { figures.tracesWithoutRoot += 1 }
            let orphans = traceSpans.count { $0.parentSpanID != 0 && parents[$0.parentSpanID] == nil }
            figures.orphanSpans += orphans
            if let expect {
                let lacking = TargetCheck.Expectation.lacking(traceSpans, expect)
                for key in lacking { figures.missing[key, default: 0] += 1 }
                if roots == 1, orphans == 0, lacking.isEmpty { figures.complete? += 1 }
            }
            let errors = traceSpans.count(where: \.isError)
            figures.errorSpans += errors
            if errors > 0 { figures.tracesWithErrors += 1 }
            figures.depthCounts[depth(parents), default: 0] += 1
        }
        return figures
    }

    /// The longest chain of parent links among `parents` (span → parent), cycles cut.
    static func depth(_ parents: [UInt64: UInt64]) -> Int {
        var memo: [UInt64: Int] = [:]
        func depth(of span: UInt64, guardSteps: Int) -> Int {
            if let known = memo[span] { return known }
            guard guardSteps > 0, let parent = parents[span], parent != 0, parents[parent] != nil else { return 1 }
            let value = 1 + depth(of: parent, guardSteps: guardSteps - 1)
            memo[span] = value
            return value
        }
        return parents.keys.map { depth(of: $0, guardSteps: min(parents.count, 10_000)) }.max() ?? 0
    }

    private struct SpanIdentity: Hashable {
        let trace: TraceID
        let span: UInt64
    }
}
