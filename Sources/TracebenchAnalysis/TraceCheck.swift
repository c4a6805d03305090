import TracebenchMeasure
import TracebenchSink
import TracebenchVocabulary

/// Assembles received spans into traces and checks them against the ledger: completeness, orphans, broken
/// context, depth, error attribution, sampling and span accounting.
public struct TraceCheck: Sendable {
    /// The figures, as they go into the results.
    public struct Figures: Sendable {
        public var tracesExpected = 0
        public var tracesReceived = 0
        public var tracesComplete = 0
        public var orphanSpans = 0
        /// Jobs whose worker spans arrived in a different trace than their API spans.
        public var brokenContext = 0
        /// Jobs where both the API's and the worker's spans arrived (the denominator of the broken share).
        public var contextChecked = 0
        /// Max depth of each received API trace → number of traces.
        public var depthCounts: [Int: Int] = [:]
        public var errorSpans = 0
        /// Error spans whose parent (same service) arrived and is itself marked ERROR.
        public var errorSpansAttributed = 0
        /// Error spans whose parent, in the same service, arrived (denominator of attribution).
        public var errorSpansWithParent = 0
        public var tracesWithErrors = 0
        /// Jobs submitted whose API trace reached the sink (observed sampling numerator).
        public var sampledRootsReceived = 0
        /// Jobs whose arm exports (every job, unless an overhead run mixes arms): the trials of the observed ratio.
        public var exportingJobs = 0
        /// Jobs whose API trace the SDK decided to sample (from the ledger).
        public var sampledRootsDecided = 0
        public var jobs = 0
        public var spansCreated = 0
        public var spansExpectedExported = 0
        /// Exported spans of traces the collector's rule rejects that did not arrive (sampled out, not lost).
        public var spansSampledOut = 0
        /// SDK-sampled traces the collector's rule rejects.
        public var tracesSampledOut = 0
        public var spansReceived = 0
        public var visibility = LatencyHistogram()
    }

    /// Checks `spans` against `ledger`; `exports` says whether a job's arm exports (overhead runs mix arms).
    /// `collector` is the threshold of a collector that samples (declared in the scenario): a trace it rejects is not
    /// expected, and its exported spans that did not arrive (all but the error spans a tail sampler keeps) count as
    /// sampled out, not lost. The batch form of ``TraceFold``.
    public static func check(ledger: [LedgerEntry], spans: [ReceivedSpan], collector: ConsistentThreshold? = nil,
                             exports: @escaping @Sendable (LedgerEntry) -> Bool) -> Figures {
        fold(ledger: ledger, spans: spans, rules: TraceFold.Rules(collector: collector, exports: exports)).figures
    }

    /// Every job of `ledger` folded with its traces (its API trace and every trace with a span naming the job, each
    /// taken once, by the first job that owns it), then the traces no job owns: what the streaming finaliser does
    /// over a run, done at once.
    public static func fold(ledger: [LedgerEntry], spans: [ReceivedSpan], rules: TraceFold.Rules) -> TraceFold {
        var fold = TraceFold(rules: rules)
        visit(ledger: ledger, spans: spans, job: { fold.add(job: $0, traces: $1) }, unowned: { fold.add(unowned: $0) })
        return fold
    }

    /// Hands each job of `ledger` with its traces to `job`, then each trace no job owns to `unowned`
    /// (``bundles(ledger:spans:)``).
    public static func visit(ledger: [LedgerEntry], spans: [ReceivedSpan], job: (LedgerEntry, [[ReceivedSpan]]) -> Void,
                             unowned: ([ReceivedSpan]) -> Void) {
        for bundle in bundles(ledger: ledger, spans: spans) {
            if let entry = bundle.entry { job(entry, bundle.traces) } else { bundle.traces.forEach(unowned) }
        }
    }

    /// `spans` grouped by trace (arrival order within each) and by the job that owns each trace; the traces no job owns
    /// come last, in trace-id order, with a nil entry.
    public static func bundles(ledger: [LedgerEntry], spans: [ReceivedSpan]) -> [(entry: LedgerEntry?, traces: [[ReceivedSpan]])] {
        var byTrace: [TraceID: [ReceivedSpan]] = [:]
        var byJob: [String: [TraceID]] = [:]
        for span in spans {
            if let job = span.jobID, byJob[job]?.contains(span.traceID) != true { byJob[job, default: []].append(span.traceID) }
            byTrace[span.traceID, default: []].append(span)
        }
        var result: [(entry: LedgerEntry?, traces: [[ReceivedSpan]])] = []
        for entry in ledger {
            var traces: [[ReceivedSpan]] = []
            for id in (TraceID(hex: entry.traceID).map { [$0] } ?? []) + (byJob[entry.jobID] ?? []) {
                if let trace = byTrace.removeValue(forKey: id) { traces.append(trace) }
            }
            result.append((entry, traces))
        }
        result.append((nil, byTrace.keys.sorted().map { byTrace[$0]! }))
        return result
    }

    /// Spans that must reach the sink: every sampled span of an exporting job whose trace the collector's declared
    /// rule (if any) keeps. A lower bound (a tail sampler also forwards the error spans of traces it rejects).
    public static func spansDue(ledger: [LedgerEntry], collector: ConsistentThreshold?, exports: (LedgerEntry) -> Bool) -> Int {
        ledger.reduce(0) { sum, entry in exports(entry) && entry.collectorKeeps(collector) ? sum + entry.sampledSpans : sum }
    }

    /// Depth of the deepest span in a trace (a root is depth 1); spans whose parent is missing count from 1.
    static func maxDepth(members: [Int], spans: [ReceivedSpan], index: [UInt64: Int]) -> Int {
        var memo: [UInt64: Int] = [:]
        func depth(_ position: Int, guardSteps: Int) -> Int {
            let span = spans[position]
            if let known = memo[span.spanID] { return known }
            var result = 1
            if span.parentSpanID != 0, let parent = index[span.parentSpanID], guardSteps < 64 {
                result = 1 + depth(parent, guardSteps: guardSteps + 1)
            }
            memo[span.spanID] = result
            return result
        }
        return members.map { depth($0, guardSteps: 0) }.max() ?? 0
    }
}
