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
    /// sampled out, not lost.
    public static func check(ledger: [LedgerEntry], spans: [ReceivedSpan], collector: ConsistentThreshold? = nil,
                             exports: (LedgerEntry) -> Bool) -> Figures {
        var figures = Figures()
        figures.jobs = ledger.count
        figures.spansReceived = spans.count

        var byTrace: [TraceID: [Int]] = [:]
        var spanIndex: [TraceID: [UInt64: Int]] = [:]
        var processJobTrace: [String: TraceID] = [:]
        for (index, span) in spans.enumerated() {
            byTrace[span.traceID, default: []].append(index)
            spanIndex[span.traceID, default: [:]][span.spanID] = index
            if span.receivedNanos >= span.endNanos {
                figures.visibility.record(microseconds: Int64((span.receivedNanos - span.endNanos) / 1000))
            } else {
                figures.visibility.record(microseconds: -Int64((span.endNanos - span.receivedNanos) / 1000))
            }
            if span.name == SpanName.processJob, let job = span.jobID, processJobTrace[job] == nil {
                processJobTrace[job] = span.traceID
            }
        }

        // Orphans and error attribution over every received span.
        var orphanTraces: Set<TraceID> = []
        for span in spans {
            let parent = span.parentSpanID == 0 ? nil : spanIndex[span.traceID]?[span.parentSpanID].map { spans[$0] }
            if span.parentSpanID != 0, parent == nil {
                figures.orphanSpans += 1
                orphanTraces.insert(span.traceID)
            }
            if span.isError {
                figures.errorSpans += 1
                // Attribution is checked within one service: a worker cannot mark the API's (already ended) span.
                if let parent, parent.serviceName == span.serviceName {
                    figures.errorSpansWithParent += 1
                    if parent.isError { figures.errorSpansAttributed += 1 }
                }
            }
        }

        for entry in ledger {
            let exporting = exports(entry)
            let traceID = TraceID(hex: entry.traceID)
            let collectorKeeps = entry.collectorKeeps(collector)
            figures.spansCreated += entry.apiSpans + entry.workerSpans
            if exporting {
                figures.exportingJobs += 1
                let exported = entry.sampledSpans
                figures.spansExpectedExported += exported
                if !collectorKeeps, let traceID {
                    figures.spansSampledOut += max(0, exported - (byTrace[traceID]?.count ?? 0))
                    if entry.traceSampled { figures.tracesSampledOut += 1 }
                }
            }
            if entry.traceSampled, !entry.traceID.isEmpty { figures.sampledRootsDecided += 1 }
            guard let traceID, traceID.isValid else { continue }
            if exporting, entry.traceSampled, collectorKeeps { figures.tracesExpected += 1 }
            guard let members = byTrace[traceID] else { continue }
            figures.tracesReceived += 1
            figures.sampledRootsReceived += 1
            if members.contains(where: { spans[$0].isError }) { figures.tracesWithErrors += 1 }
            let depth = maxDepth(members: members, spans: spans, index: spanIndex[traceID] ?? [:])
            figures.depthCounts[depth, default: 0] += 1
            if entry.isFinished, members.count == entry.expectedSpansInAPITrace, !orphanTraces.contains(traceID) {
                figures.tracesComplete += 1
            }
            if let workerTrace = processJobTrace[entry.jobID] {
                figures.contextChecked += 1
                if workerTrace != traceID { figures.brokenContext += 1 }
            }
        }
        return figures
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
