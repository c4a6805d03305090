import TracebenchAnalysis
import TracebenchJudge
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink
import TracebenchVocabulary

/// An exact (Clopper–Pearson) 95 % share, or nil without trials.
func share(_ successes: Int, _ trials: Int) -> ProportionEstimate? {
    trials > 0 ? .clopperPearson(successes: successes, trials: trials) : nil
}

/// The sampling figures beyond retention: the sampler chain, adjusted counts and propagation.
enum SamplingResults {
    /// The retention shares, the sampler chain, adjusted counts and propagation, from the folded jobs.
    static func fill(_ sampling: inout SamplingFigures, scenario: Scenario, fold: TraceFold) {
        let kept = fold.retention
        sampling.errorRetention = share(kept.errorJobsKept, kept.errorJobs)
        sampling.completeErrorRetention = share(kept.errorJobsKeptComplete, kept.errorJobs)
        sampling.normalRetention = share(kept.normalJobsKept, kept.normalJobs)
        sampling.slowRetention = share(kept.slowJobsKept, kept.slowJobs)
        let sdkRatio = scenario.tracing.configuredRatio
        if let declared = scenario.collector?.sampling {
            let threshold = declared.threshold
            let counts = fold.chain
            var chain = SamplingChainFigures()
            chain.sdkRatio = sdkRatio
            chain.collectorRatio = threshold.probability
            chain.collectorThreshold = threshold.th
            chain.keepsErrors = declared.keepsErrors
            chain.independentRatio = sdkRatio * threshold.probability
            chain.consistentRatio = min(sdkRatio, threshold.probability)
            chain.predictedKept = counts.predictedKept
            chain.predictionMismatches = counts.mismatches
            if let kept = share(counts.normalKept, counts.normalJobs) {
                chain.kept = kept
                chain.model = SamplingChainFigures.model(kept, independent: chain.independentRatio, consistent: chain.consistentRatio)
            }
            sampling.chain = chain
        }
        let adjusted = fold.adjusted
        if sdkRatio > 0, adjusted.jobs.truth > 0 {
            func figure(_ e: SamplingAnalysis.Estimate) -> AdjustedCount {
                AdjustedCount(estimate: e.estimate, standardError: e.standardError, truth: e.truth)
            }
            sampling.adjusted = AdjustedCounts(jobs: figure(adjusted.jobs), errorJobs: figure(adjusted.errorJobs), spans: figure(adjusted.spans))
        }
        let propagation = fold.propagation
        if let propagated = share(propagation.propagated, propagation.jobs), let agreement = share(propagation.agreed, propagation.jobs) {
            sampling.propagation = PropagationFigures(
                propagated: propagated, agreement: agreement,
                workerKeptOfAPIKept: share(propagation.apiSampled - propagation.apiOnly, propagation.apiSampled),
                apiOnly: propagation.apiOnly, workerOnly: propagation.workerOnly
            )
        }
    }
}

extension TraceFold.Rules {
    /// A built-in run's rules: which arms export, the collector's declared threshold, and each service's SDK keep
    /// probability (the worker's is the API's when its sampler follows the parent, else its own).
    init(scenario: Scenario) {
        let armModes = scenario.overhead?.arms ?? [scenario.tracing.mode]
        let sdkRatio = scenario.tracing.configuredRatio
        let worker = scenario.tracing.sampler(for: .worker)
        let workerRatio = worker.sampler.isParentBased ? sdkRatio : worker.sampler.rootRatio(worker.ratio)
        self.init(collector: scenario.collector?.sampling?.threshold,
                  exports: { entry in (armModes.indices.contains(entry.arm) ? armModes[entry.arm] : armModes[0]) == .otlp },
                  sdkRatio: { service in service == ServiceName.worker ? workerRatio : sdkRatio })
    }
}
