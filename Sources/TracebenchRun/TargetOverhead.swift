import Foundation
import TracebenchJudge
import TracebenchMeasure
import TracebenchProcess
import TracebenchResults
import TracebenchScenario

/// What the user's own tracing costs per request (black-box `overhead.arms` with `env`): after the run, the launched
/// system is relaunched once per arm and block, in alternating order (ABBA…: block 0 runs the arms in their order,
/// block 1 in reverse, …), each time with `target.launch.env` plus the arm's `env`, and offered the scenario's arrivals
/// for `block_seconds`. The first second of each block (or `warmup_s`, if longer; at most half the block) is not
/// measured: a freshly started interpreter or JIT is not the steady state.
///
/// An arm's per-request overhead is the mean over blocks of (its median request latency − the baseline's median in the
/// same block), with a paired Student t interval over the blocks: drift of a shared machine between blocks hits both
/// arms of a pair alike, and the interval says how much the pairs disagree. Latency is measured from each request's
/// intended start (open model), as the run's `submit` phase.
enum TargetOverhead {
    /// One block of one arm: its measured request latencies.
    struct Block: Sendable {
        var block: Int
        var arm: String
        var latency: LatencyHistogram
        var accepted: Int
        var errors: Int
    }

    static func runBlocks(_ overhead: OverheadSpec, launch: TargetSpec.Launch, system: ExternalTarget, rig: RunServices,
                          problems: inout [Problem]) async -> [Block] {
        var blocks: [Block] = []
        var blockScenario = system.scenario
        blockScenario.durationSeconds = overhead.blockSeconds
        blockScenario.warmupSeconds = min(max(system.scenario.warmupSeconds, 1), overhead.blockSeconds / 2)
        let values = system.placeholderValues(endpoint: rig.endpoint, grpc: rig.sinkAddress.grpcURL)
        for block in 0 ..< overhead.blocks {
            let order = block.isMultiple(of: 2) ? Array(overhead.environments) : overhead.environments.reversed()
            for arm in order {
                guard !rig.stop.isRaised else { return blocks }
                let child: ChildProcess
                do {
                    child = try await system.start(launch, extraEnvironment: arm.env, watched: false, rig: rig)
                } catch {
                    problems.append(Problem(.componentFailed, "overhead block \(block) (\(arm.name)): \(error.message)"))
                    return blocks
                }
                let load = TargetLoad(scenario: blockScenario, target: system.target, runID: "\(rig.runID)-b\(block)-\(arm.name)", values: values)
                let schedule = ArrivalSchedule(load: blockScenario.load, durationSeconds: overhead.blockSeconds,
                                               seed: system.scenario.seed &+ UInt64(block) &* 0x9E37_79B9)
                await load.run(schedule: schedule, startMicros: WallClock.nowMicros() + 50_000, stop: rig.stop)
                let tally = load.snapshot
                blocks.append(Block(block: block, arm: arm.name, latency: tally.submitLatency, accepted: tally.acceptedJobIDs.count,
                                    errors: tally.submitErrors))
                if tally.submitErrors > 0 {
                    problems.append(Problem(.submitErrors, "overhead block \(block) (\(arm.name)): \(tally.submitErrors) submissions failed (last: \(tally.lastError))"))
                }
                if !(await child.stopGroup(timeout: .clampedSeconds(launch.stopTimeoutSeconds))) {
                    problems.append(Problem(.componentFailed, "overhead block \(block) (\(arm.name)): the target did not exit cleanly\(child.logTail())"))
                }
            }
        }
        return blocks
    }

    /// Each non-baseline arm against the baseline, block by block; the budgets judged on the per-request interval.
    /// An arm with fewer complete block pairs has no per-request figure (one pair has no spread: its interval is unknown).
    static let minimumPairs = 2

    static func analyse(_ blocks: [Block], overhead: OverheadSpec, problems: inout [Problem]) -> (overhead: [String: ArmOverhead], budgets: Budgets) {
        var result: [String: ArmOverhead] = [:]
        var budgets = Budgets()
        guard let baseline = overhead.environments.first?.name else { return (result, budgets) }
        for arm in overhead.environments.dropFirst().map(\.name) {
            let pairs = blocks.filter { $0.arm == arm && $0.latency.count > 0 }.compactMap { block in
                blocks.first { $0.arm == baseline && $0.block == block.block && $0.latency.count > 0 }.map { (arm: block, base: $0) }
            }
            guard pairs.count >= minimumPairs else {
                problems.append(Problem(.notMeasured, "overhead of arm \(arm) not measured: \(pairs.count) complete block pair(s) with \(baseline), at least \(minimumPairs) needed"))
                continue
            }
            func differences(_ percentile: Double) -> [Double] {
                pairs.map { Double($0.arm.latency.value(atPercentile: percentile)) - Double($0.base.latency.value(atPercentile: percentile)) }
            }
            let median = OverheadStatistics.pairedMeanDifference(differences(50))
            let p99 = OverheadStatistics.pairedMeanDifference(differences(99))
            let perRequest = OverheadFigure(median: median, p99: p99)
            result[arm] = ArmOverhead(baseline: baseline, perRequestUs: perRequest, perJobUs: nil, perSpanUs: nil, spansPerJob: nil,
                                      phases: ["submit": PhaseDifference(p50: median, p99: p99)], cpuUsPerJob: nil, rssDeltaBytes: nil)
            budgets.verdicts[arm] = Judge.budgetVerdict(perRequest: perRequest, budgets: budgets)
        }
        return (result, budgets)
    }
}
