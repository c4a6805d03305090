import Foundation
import TracebenchMeasure
import TracebenchSink
import TracebenchVocabulary

/// The built-in pipeline's trace figures folded in one job at a time: each finished job comes with its ledger entry and
/// the traces that are its (its API trace, and any trace holding a span that names the job — the worker's when the
/// context broke), and leaves only counters, histograms and tallies behind; traces no job owns are folded on their
/// own. The streaming finaliser (spans released as traces complete) and the batch check after a run go through this
/// one type, so they cannot disagree. No figure depends on the order jobs and traces are folded in.
public struct TraceFold: Sendable {
    /// What decides a job's expectations beyond its ledger entry.
    public struct Rules: Sendable {
        /// The threshold of a collector that samples (declared in the scenario).
        public var collector: ConsistentThreshold?
        /// Whether a job's arm exports (overhead runs mix arms).
        public var exports: @Sendable (LedgerEntry) -> Bool
        /// The SDK's keep probability for a service (for the adjusted counts).
        public var sdkRatio: @Sendable (String) -> Double

        public init(collector: ConsistentThreshold? = nil, exports: @escaping @Sendable (LedgerEntry) -> Bool = { _ in true },
                    sdkRatio: @escaping @Sendable (String) -> Double = { _ in 1 }) {
            self.collector = collector
            self.exports = exports
            self.sdkRatio = sdkRatio
        }
    }

    public let rules: Rules
    /// Completeness, context, depth, errors and span accounting.
    public private(set) var figures = TraceCheck.Figures()
    /// Spans that arrived after their trace was finalised: counted as received (and in visibility), judged in no trace.
    public private(set) var lateSpans = 0
    /// Traces folded (each once; late spans add none).
    public private(set) var traces = 0
    private var retentionCounts = RetentionCounts()
    private var slow = SlowJobTally()
    /// What the sampler chain kept of the normal jobs.
    public private(set) var chain = SamplingAnalysis.ChainCounts()
    /// Whether each finished job's context reached its worker.
    public private(set) var propagation = SamplingAnalysis.PropagationCounts()
    private var adjustedCounts = SamplingAnalysis.AdjustedCounts()
    private var variances = (jobs: 0.0, errorJobs: 0.0, spans: 0.0)
    private var analyticsFold = TraceAnalyticsAccumulator()

    public init(rules: Rules) {
        self.rules = rules
    }

    /// What one trace told the fold.
    private struct TraceFacts {
        var count = 0
        var hasError = false
        var hasOrphan = false
        var depth = 0
        /// The highest keep probability of its spans (0 when none weighs anything).
        var probability = 0.0
        /// Arrival time of its earliest `process_job` span per job id.
        var processJobs: [String: UInt64] = [:]
    }

    /// Folds in one finished (or, at the end, pending) job with its traces, each in arrival order.
    public mutating func add(job entry: LedgerEntry, traces jobTraces: [[ReceivedSpan]]) {
        let apiTrace = TraceID(hex: entry.traceID)
        var api: TraceFacts?
        var errorTraces = Set<TraceID>()
        var workerTrace: (trace: TraceID, at: UInt64)?
        for spans in jobTraces where !spans.isEmpty {
            let facts = fold(trace: spans)
            let id = spans[0].traceID
            if id == apiTrace { api = facts }
            if facts.hasError { errorTraces.insert(id) }
            if let at = facts.processJobs[entry.jobID], workerTrace.map({ at < $0.at }) ?? true { workerTrace = (id, at) }
            if id == apiTrace { analyticsFold.add(trace: spans) }
        }
        let exporting = rules.exports(entry)
        let collectorKeeps = entry.collectorKeeps(rules.collector)
        figures.jobs += 1
        figures.spansCreated += entry.apiSpans + entry.workerSpans
        if exporting {
            figures.exportingJobs += 1
            let exported = entry.sampledSpans
            figures.spansExpectedExported += exported
            if !collectorKeeps, apiTrace != nil {
                figures.spansSampledOut += max(0, exported - (api?.count ?? 0))
                if entry.traceSampled { figures.tracesSampledOut += 1 }
            }
        }
        if entry.traceSampled, !entry.traceID.isEmpty { figures.sampledRootsDecided += 1 }
        if let apiTrace, apiTrace.isValid {
            if exporting, entry.traceSampled, collectorKeeps { figures.tracesExpected += 1 }
            if let api {
                figures.tracesReceived += 1
                figures.sampledRootsReceived += 1
                if api.hasError { figures.tracesWithErrors += 1 }
                figures.depthCounts[api.depth, default: 0] += 1
                if entry.isFinished, api.count == entry.expectedSpansInAPITrace, !api.hasOrphan { figures.tracesComplete += 1 }
                if let workerTrace {
                    figures.contextChecked += 1
                    if workerTrace.trace != apiTrace { figures.brokenContext += 1 }
                }
            }
        }
        guard exporting else { return }
        addRetention(entry, api: api, apiTrace: apiTrace, errorTraces: errorTraces)
        addSampling(entry, api: api, apiTrace: apiTrace, collectorKeeps: collectorKeeps)
    }

    /// Folds in a trace no job owns (spans of another system, a foreign exporter, a trace whose job never finished).
    public mutating func add(unowned spans: [ReceivedSpan]) {
        guard !spans.isEmpty else { return }
        _ = fold(trace: spans)
    }

    /// Counts spans that arrived after their trace was finalised (received, and in visibility; in no trace figure).
    /// A late span of a trace the collector's rule drops was counted as sampled out when its job was judged (its
    /// collector kept it after all, e.g. an error span held by a tail sampler's decision wait): it moves to received, so
    /// every exported span is counted once, as received, sampled out or dropped.
    public mutating func add(late spans: [ReceivedSpan]) {
        lateSpans += spans.count
        figures.spansReceived += spans.count
        for span in spans {
            recordVisibility(span)
            if let rule = rules.collector, !rule.keeps(traceIDLow: span.traceID.low), figures.spansSampledOut > 0 { figures.spansSampledOut -= 1 }
        }
    }

    /// Retention by outcome (the slowest 1 % read once every job is in).
    public var retention: RetentionCounts {
        var counts = retentionCounts
        (counts.slowJobs, counts.slowJobsKept) = slow.slowest(share: 0.01)
        return counts
    }

    /// Jobs, error jobs and spans estimated from the kept traces, with standard errors.
    public var adjusted: SamplingAnalysis.AdjustedCounts {
        var counts = adjustedCounts
        counts.jobs.standardError = variances.jobs.squareRoot()
        counts.errorJobs.standardError = variances.errorJobs.squareRoot()
        counts.spans.standardError = variances.spans.squareRoot()
        return counts
    }

    /// Where the time and the errors go, over the jobs' whole API traces.
    public var analytics: TraceAnalytics { analyticsFold.analytics }

    // MARK: - One trace

    private mutating func recordVisibility(_ span: ReceivedSpan) {
        if span.receivedNanos >= span.endNanos {
            figures.visibility.record(microseconds: Int64((span.receivedNanos - span.endNanos) / 1000))
        } else {
            figures.visibility.record(microseconds: -Int64((span.endNanos - span.receivedNanos) / 1000))
        }
    }

    /// Per-span figures of one trace (received, visibility, orphans, error attribution, adjusted spans) and its facts.
    private mutating func fold(trace spans: [ReceivedSpan]) -> TraceFacts {
        traces += 1
        var facts = TraceFacts(count: spans.count)
        var index: [UInt64: Int] = [:]
        index.reserveCapacity(spans.count)
        for (position, span) in spans.enumerated() where index[span.spanID] == nil { index[span.spanID] = position }
        var spansPerProbability: [Double: Int] = [:]
        figures.spansReceived += spans.count
        for span in spans {
            recordVisibility(span)
            if span.name == SpanName.processJob, let job = span.jobID, facts.processJobs[job].map({ span.receivedNanos < $0 }) ?? true {
                facts.processJobs[job] = span.receivedNanos
            }
            let parent = span.parentSpanID == 0 ? nil : index[span.parentSpanID].map { spans[$0] }
            if span.parentSpanID != 0, parent == nil {
                figures.orphanSpans += 1
                facts.hasOrphan = true
            }
            if span.isError {
                facts.hasError = true
                figures.errorSpans += 1
                // Attribution is checked within one service: a worker cannot mark the API's (already ended) span.
                if let parent, parent.serviceName == span.serviceName {
                    figures.errorSpansWithParent += 1
                    if parent.isError { figures.errorSpansAttributed += 1 }
                }
            }
            let p = min(1, rules.sdkRatio(span.serviceName) * (span.samplingThreshold?.probability ?? 1))
            guard p > 0 else { continue }  // a service whose sampler keeps nothing sent nothing; a stray span weighs nothing
            spansPerProbability[p, default: 0] += 1
            facts.probability = max(facts.probability, p)
        }
        let trace = Self.adjustedSpans(spansPerProbability)
        adjustedCounts.spans.estimate += trace.estimate
        variances.spans += trace.variance
        facts.depth = TraceCheck.maxDepth(members: Array(spans.indices), spans: spans, index: index)
        return facts
    }

    /// One kept trace's share of the adjusted span count (Horvitz–Thompson) and of its variance, from how many of its
    /// spans were kept at each probability. Spans kept together at one probability are one draw (a cluster). Clusters
    /// of one trace at different probabilities are nested, not independent: consistent samplers threshold the same
    /// trace id, so the worker's 5 % keeps a subset of the API's 10 % — their estimates rise and fall together. The
    /// variance therefore has, besides each cluster's (1 − p)/p² · n², a covariance term per pair: joint inclusion is the
    /// smaller probability q, giving 2 (1 − p) n m / (p q). (Were the samplers independent, that term would only widen the
    /// interval.) Without it a run whose API kept few traces read its spans z at −4.1 on a jobs z of −2.7.
    static func adjustedSpans(_ spansPerProbability: [Double: Int]) -> (estimate: Double, variance: Double) {
        let clusters = spansPerProbability.sorted { $0.key > $1.key }
        var estimate = 0.0, variance = 0.0
        for (position, (p, n)) in clusters.enumerated() {
            estimate += Double(n) / p
            variance += (1 - p) / (p * p) * Double(n * n)
            for (q, m) in clusters[(position + 1)...] { variance += 2 * (1 - p) * Double(n * m) / (p * q) }
        }
        return (estimate, variance)
    }

    // MARK: - One job

    private mutating func addRetention(_ entry: LedgerEntry, api: TraceFacts?, apiTrace: TraceID?, errorTraces: Set<TraceID>) {
        if entry.isErrorJob {
            retentionCounts.errorJobs += 1
            let workerTrace = TraceID(hex: entry.workerTraceID)
            if let apiTrace, errorTraces.contains(apiTrace) || workerTrace.map(errorTraces.contains) == true {
                retentionCounts.errorJobsKept += 1
                if api?.count == entry.expectedSpansInAPITrace { retentionCounts.errorJobsKeptComplete += 1 }
            }
        } else {
            retentionCounts.normalJobs += 1
            if api != nil { retentionCounts.normalJobsKept += 1 }
        }
        if entry.isFinished { slow.add(latencyMicros: entry.completedAtMicros - entry.intendedStartMicros, kept: api != nil) }
    }

    private mutating func addSampling(_ entry: LedgerEntry, api: TraceFacts?, apiTrace: TraceID?, collectorKeeps: Bool) {
        if entry.isFinished, !entry.isErrorJob, apiTrace != nil {
            chain.normalJobs += 1
            let kept = api != nil
            let predicted = entry.traceSampled && collectorKeeps
            if kept { chain.normalKept += 1 }
            if predicted { chain.predictedKept += 1 }
            if kept != predicted { chain.mismatches += 1 }
        }
        adjustedCounts.jobs.truth += 1
        if entry.isErrorJob { adjustedCounts.errorJobs.truth += 1 }
        adjustedCounts.spans.truth += entry.apiSpans + entry.workerSpans
        if let api, api.probability > 0 {
            let p = api.probability, weight = 1 / p, variance = (1 - p) / (p * p)
            adjustedCounts.jobs.estimate += weight
            variances.jobs += variance
            if api.hasError {
                adjustedCounts.errorJobs.estimate += weight
                variances.errorJobs += variance
            }
        }
        if entry.isFinished {
            propagation.jobs += 1
            if entry.contextPropagated { propagation.propagated += 1 }
            if entry.traceSampled { propagation.apiSampled += 1 }
            if entry.workerSampled { propagation.workerSampled += 1 }
            switch (entry.traceSampled, entry.workerSampled) {
            case (true, false): propagation.apiOnly += 1
            case (false, true): propagation.workerOnly += 1
            default: propagation.agreed += 1
            }
        }
    }
}

/// The slowest share of finished jobs by end-to-end latency, and how many of their traces arrived, in memory bounded
/// by the latency buckets (0.1 % wide), not the jobs: jobs within 0.1 % of the cut count with it.
struct SlowJobTally: Sendable {
    private var buckets: [Int: (jobs: Int, kept: Int)] = [:]
    private var jobs = 0

    mutating func add(latencyMicros: Int64, kept: Bool) {
        let bucket = latencyMicros <= 0 ? Int.min : Int((log(Double(latencyMicros)) / log(1.001)).rounded(.down))
        buckets[bucket, default: (0, 0)].jobs += 1
        if kept { buckets[bucket, default: (0, 0)].kept += 1 }
        jobs += 1
    }

    /// Jobs at or above the latency of rank ⌊(1 − share) × n⌋, and how many of those were kept.
    func slowest(share: Double) -> (jobs: Int, kept: Int) {
        guard jobs > 0 else { return (0, 0) }
        let cutRank = min(jobs - 1, Int((Double(jobs) * (1 - share)).rounded(.down)))
        var rank = 0, result = (jobs: 0, kept: 0), reached = false
        for key in buckets.keys.sorted() {
            let bucket = buckets[key]!
            if !reached, rank + bucket.jobs > cutRank { reached = true }
            if reached {
                result.jobs += bucket.jobs
                result.kept += bucket.kept
            }
            rank += bucket.jobs
        }
        return result
    }
}
