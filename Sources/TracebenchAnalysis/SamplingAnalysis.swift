import TracebenchMeasure
import TracebenchSink

/// Sampling checked against the ledger, which knows every job whether or not its trace was kept: what a chain of
/// samplers kept, what the kept traces say about the whole (adjusted counts), and whether the API's decision reached
/// the worker (propagation and agreement).
public enum SamplingAnalysis {
    /// Normal jobs (no failed attempt) through an SDK sampler and then the collector's consistent sampler.
    public struct ChainCounts: Sendable, Equatable {
        public var normalJobs = 0
        /// …whose trace reached the sink.
        public var normalKept = 0
        /// …whose trace both rules keep: the SDK decided to sample it (ledger) and its id passes the threshold.
        public var predictedKept = 0
        /// …where arrival and prediction disagree (a kept trace lost, or one the rules drop arriving).
        public var mismatches = 0
    }

    /// One Horvitz–Thompson estimate: each kept item counts 1/p, with its standard error, beside the ledger's truth.
    public struct Estimate: Sendable, Equatable {
        public var estimate = 0.0
        public var standardError = 0.0
        public var truth = 0
    }

    /// Totals estimated from the kept traces alone.
    public struct AdjustedCounts: Sendable, Equatable {
        public var jobs = Estimate()
        public var errorJobs = Estimate()
        public var spans = Estimate()
    }

    /// The API's sampling decision against the worker's, per finished job.
    public struct PropagationCounts: Sendable, Equatable {
        /// Finished jobs of an exporting arm (with `always_off` at the API too: their trace id is empty).
        public var jobs = 0
        /// …that carried a `traceparent` to the worker.
        public var propagated = 0
        public var apiSampled = 0
        public var workerSampled = 0
        /// Jobs where the two decisions are the same.
        public var agreed = 0
        /// Sampled by the API only, and by the worker only.
        public var apiOnly = 0
        public var workerOnly = 0
    }

    /// What the chain kept of the normal jobs, against the prediction of both rules.
    public static func chain(ledger: [LedgerEntry], spans: [ReceivedSpan], collector: ConsistentThreshold,
                             exports: (LedgerEntry) -> Bool) -> ChainCounts {
        let arrived = Set(spans.map(\.traceID))
        var counts = ChainCounts()
        for entry in ledger where exports(entry) && entry.isFinished && !entry.isErrorJob {
            guard let trace = TraceID(hex: entry.traceID) else { continue }
            counts.normalJobs += 1
            let kept = arrived.contains(trace)
            let predicted = entry.traceSampled && entry.collectorKeeps(collector)
            if kept { counts.normalKept += 1 }
            if predicted { counts.predictedKept += 1 }
            if kept != predicted { counts.mismatches += 1 }
        }
        return counts
    }

    /// Jobs, error jobs and spans estimated from the kept traces: a span counts 1/p with p = the SDK's keep
    /// probability for its service (`sdkRatio(service.name)`) × the keep probability of the `ot=th` threshold it
    /// carries (1 without one: swift-otel writes none); a trace counts 1/p of its most likely kept span (an error span
    /// a tail sampler keeps with p = 1 makes its trace certain).
    public static func adjusted(ledger: [LedgerEntry], spans: [ReceivedSpan], sdkRatio: (String) -> Double,
                                exports: (LedgerEntry) -> Bool) -> AdjustedCounts {
        var counts = AdjustedCounts()
        let exporting = ledger.filter(exports)
        let jobTraces = Set(exporting.compactMap { TraceID(hex: $0.traceID) })
        counts.jobs.truth = exporting.count
        counts.errorJobs.truth = exporting.filter(\.isErrorJob).count
        counts.spans.truth = exporting.reduce(0) { $0 + $1.apiSpans + $1.workerSpans }
        struct Group: Hashable { let trace: TraceID; let probability: Double }
        var spansPerGroup: [Group: Int] = [:]
        var traceProbability: [TraceID: Double] = [:]
        var tracesWithErrors = Set<TraceID>()
        for span in spans {
            let p = min(1, sdkRatio(span.serviceName) * (span.samplingThreshold?.probability ?? 1))
            guard p > 0 else { continue }  // a service whose sampler keeps nothing sent nothing; a stray span weighs nothing
            spansPerGroup[Group(trace: span.traceID, probability: p), default: 0] += 1
            traceProbability[span.traceID] = max(traceProbability[span.traceID] ?? 0, p)
            if span.isError { tracesWithErrors.insert(span.traceID) }
        }
        // Spans kept together in one trace are one draw: the variance is taken per (trace, p) cluster.
        var spanVariance = 0.0
        for (group, n) in spansPerGroup {
            counts.spans.estimate += Double(n) / group.probability
            spanVariance += (1 - group.probability) / (group.probability * group.probability) * Double(n * n)
        }
        counts.spans.standardError = spanVariance.squareRoot()
        var jobVariance = 0.0, errorVariance = 0.0
        for (trace, p) in traceProbability where jobTraces.contains(trace) {
            let weight = 1 / p, variance = (1 - p) / (p * p)
            counts.jobs.estimate += weight
            jobVariance += variance
            if tracesWithErrors.contains(trace) {
                counts.errorJobs.estimate += weight
                errorVariance += variance
            }
        }
        counts.jobs.standardError = jobVariance.squareRoot()
        counts.errorJobs.standardError = errorVariance.squareRoot()
        return counts
    }

    /// Whether each finished job's trace context reached its worker, and whether the two services decided alike.
    public static func propagation(ledger: [LedgerEntry], exports: (LedgerEntry) -> Bool) -> PropagationCounts {
        var counts = PropagationCounts()
        for entry in ledger where exports(entry) && entry.isFinished {
            counts.jobs += 1
            if entry.contextPropagated { counts.propagated += 1 }
            if entry.traceSampled { counts.apiSampled += 1 }
            if entry.workerSampled { counts.workerSampled += 1 }
            switch (entry.traceSampled, entry.workerSampled) {
            case (true, false): counts.apiOnly += 1
            case (false, true): counts.workerOnly += 1
            default: counts.agreed += 1
            }
        }
        return counts
    }
}
