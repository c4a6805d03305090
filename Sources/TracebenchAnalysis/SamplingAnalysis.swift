import TracebenchMeasure
import TracebenchSink

/// Sampling checked against the ledger, which knows every job whether or not its trace was kept: what a chain of
/// samplers kept, what the kept traces say about the whole (adjusted counts), and whether the API's decision reached
/// the worker (propagation and agreement). The counts are folded job by job in ``TraceFold``.
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
}
