import TracebenchAnalysis
import TracebenchJudge
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// Turns an overhead run's per-arm samples into differences against the baseline arm, with intervals:
/// inline latency by bootstrap of medians and p99s (jobs were assigned arms at random within one run), resource
/// cost by paired block differences (Student t).
enum OverheadAnalysis {
    static func analyze(
        scenario: Scenario, overhead: OverheadSpec, ledger: [LedgerEntry], load: LoadGenerator.Tally, blocks: [ResourceBlock]
    ) -> (overhead: [String: ArmOverhead], budgets: Budgets) {
        let armCount = overhead.arms.count
        let warmupEnd = (ledger.map(\.intendedStartMicros).filter { $0 > 0 }.min() ?? 0) + Int64(saturating: scenario.warmupSeconds * 1e6)
        var job = Array(repeating: SampleHistogram(), count: armCount)
        var queueAndProcessing = job, endToEnd = job
        var spans = Array(repeating: (total: 0, jobs: 0), count: armCount)
        for entry in ledger where entry.isFinished && entry.intendedStartMicros >= warmupEnd && entry.arm < armCount {
            if entry.processNanos > 0 { job[entry.arm].record(nanoseconds: UInt64(entry.processNanos)) }
            queueAndProcessing[entry.arm].record(nanoseconds: UInt64(max(0, entry.completedAtMicros - entry.submittedAtMicros)) * 1000)
            endToEnd[entry.arm].record(nanoseconds: UInt64(max(0, entry.completedAtMicros - entry.intendedStartMicros)) * 1000)
            spans[entry.arm].total += entry.workerSpans
            spans[entry.arm].jobs += 1
        }

        let iterations = overhead.bootstrapIterations
        func figure(_ samples: [SampleHistogram], arm: Int, seed: UInt64) -> PhaseDifference {
            guard samples.indices.contains(arm) else {
                let zero = DifferenceEstimate(estimate: 0, ciLow: 0, ciHigh: 0, samples: 0)
                return PhaseDifference(p50: zero, p99: zero)
            }
            return PhaseDifference(
                p50: OverheadStatistics.bootstrapQuantileDifference(baseline: samples[0], treatment: samples[arm], quantile: 0.5, iterations: iterations, seed: seed),
                p99: OverheadStatistics.bootstrapQuantileDifference(baseline: samples[0], treatment: samples[arm], quantile: 0.99, iterations: iterations, seed: seed &+ 1)
            )
        }

        var result: [String: ArmOverhead] = [:]
        var budgets = Budgets()
        let baseline = overhead.arms[0].rawValue
        for arm in 1..<armCount {
            let seed = scenario.seed &+ UInt64(arm) &* 0x9E37
            let request = figure(load.armServerNanos, arm: arm, seed: seed)
            let perJob = figure(job, arm: arm, seed: seed &+ 10)
            let spansPerJob = spans[arm].jobs > 0 ? Double(spans[arm].total) / Double(spans[arm].jobs) : 0
            let perJobFigure = OverheadFigure(median: perJob.p50, p99: perJob.p99)
            let armBlocks = pairedBlocks(blocks, arm: overhead.arms[arm].rawValue, baseline: baseline)
            let perRequest = OverheadFigure(median: request.p50, p99: request.p99)
            result[overhead.arms[arm].rawValue] = ArmOverhead(
                baseline: baseline,
                perRequestUs: perRequest,
                perJobUs: perJobFigure,
                perSpanUs: perJobFigure.divided(by: spansPerJob),
                spansPerJob: spansPerJob,
                phases: [
                    "submit": figure(load.armSubmitNanos, arm: arm, seed: seed &+ 20),
                    "queue_and_processing": figure(queueAndProcessing, arm: arm, seed: seed &+ 30),
                    "end_to_end": figure(endToEnd, arm: arm, seed: seed &+ 40),
                ],
                cpuUsPerJob: armBlocks.isEmpty ? nil : OverheadStatistics.pairedMeanDifference(armBlocks.map { $0.arm.cpuMicrosPerJob - $0.base.cpuMicrosPerJob }),
                rssDeltaBytes: armBlocks.isEmpty ? nil : OverheadStatistics.pairedMeanDifference(armBlocks.map { Double($0.arm.peakRssBytes) - Double($0.base.peakRssBytes) })
            )
            budgets.verdicts[overhead.arms[arm].rawValue] = Judge.budgetVerdict(perRequest: perRequest, budgets: budgets)
        }
        return (result, budgets)
    }

    /// The blocks of `arm` paired with the baseline's block of the same number.
    static func pairedBlocks(_ blocks: [ResourceBlock], arm: String, baseline: String) -> [(arm: ResourceBlock, base: ResourceBlock)] {
        blocks.filter { $0.arm == arm }.compactMap { block in
            blocks.first { $0.arm == baseline && $0.block == block.block }.map { (block, $0) }
        }
    }
}
