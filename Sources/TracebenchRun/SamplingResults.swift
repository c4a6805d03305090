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
    static func fill(_ sampling: inout SamplingFigures, scenario: Scenario, ledger: [LedgerEntry], spans: [ReceivedSpan],
                     exports: (LedgerEntry) -> Bool) {
        let sdkRatio = scenario.tracing.configuredRatio
        if let declared = scenario.collector?.sampling {
            let threshold = declared.threshold
            let counts = SamplingAnalysis.chain(ledger: ledger, spans: spans, collector: threshold, exports: exports)
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
        // The worker's spans are kept with the API's probability when its sampler follows the parent, else its own.
        let worker = scenario.tracing.sampler(for: .worker)
        let workerRatio = worker.sampler.isParentBased ? sdkRatio : worker.sampler.rootRatio(worker.ratio)
        let adjusted = SamplingAnalysis.adjusted(ledger: ledger, spans: spans, sdkRatio: { service in
            service == ServiceName.worker ? workerRatio : sdkRatio
        }, exports: exports)
        if sdkRatio > 0, adjusted.jobs.truth > 0 {
            func figure(_ e: SamplingAnalysis.Estimate) -> AdjustedCount {
                AdjustedCount(estimate: e.estimate, standardError: e.standardError, truth: e.truth)
            }
            sampling.adjusted = AdjustedCounts(jobs: figure(adjusted.jobs), errorJobs: figure(adjusted.errorJobs), spans: figure(adjusted.spans))
        }
        let propagation = SamplingAnalysis.propagation(ledger: ledger, exports: exports)
        if let propagated = share(propagation.propagated, propagation.jobs), let agreement = share(propagation.agreed, propagation.jobs) {
            sampling.propagation = PropagationFigures(
                propagated: propagated, agreement: agreement,
                workerKeptOfAPIKept: share(propagation.apiSampled - propagation.apiOnly, propagation.apiSampled),
                apiOnly: propagation.apiOnly, workerOnly: propagation.workerOnly
            )
        }
    }
}
