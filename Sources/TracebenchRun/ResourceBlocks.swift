import AsyncHTTPClient
import TracebenchJudge
import TracebenchMeasure
import TracebenchRedis
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// The resource phase of an overhead run: each arm's processes run alone for `block_seconds`, arms interleaved
/// and their order reversed every other block (A B C, C B A, …) so drift over the run hits every arm alike.
/// CPU and peak RSS of the API and workers come from /proc; the batch processor and exporter are included.
enum ResourceBlocks {
    static func run(
        scenario: Scenario, overhead: OverheadSpec, runID: String, redisURL: RedisURL, endpoint: String,
        executablePath: String, workDirectory: String, httpClient: HTTPClient, control: RedisConnection,
        sink: OTLPSink?, stop: StopSignal, problems: inout [Problem]
    ) async -> [ResourceBlock] {
        var blocks: [ResourceBlock] = []
        for block in 0..<overhead.blocks {
            let order = block.isMultiple(of: 2) ? Array(overhead.arms.indices) : overhead.arms.indices.reversed()
            for arm in order {
                if stop.isRaised { return blocks }
                var single = scenario
                single.overhead = nil
                single.tracing.mode = overhead.arms[arm]
                single.durationSeconds = overhead.blockSeconds
                single.warmupSeconds = 0
                single.seed = scenario.seed &+ UInt64(block)
                let phase = PipelinePhase(scenario: single, runID: "\(runID)-b\(block)-\(overhead.arms[arm].rawValue)", redisURL: redisURL,
                                          endpoint: endpoint, executablePath: executablePath, workDirectory: workDirectory)
                let monitor = ResourceMonitor()
                monitor.start()
                let outcome = await phase.run(monitor: monitor, httpClient: httpClient, control: control, sink: sink, stop: stop, progress: false)
                monitor.stop()
                problems.append(contentsOf: outcome.problems.map { Problem($0.kind, "resource block \(block) (\(overhead.arms[arm].rawValue)): \($0.message)") })
                let usage = monitor.usage()
                let names = outcome.processes.map(\.name)
                blocks.append(ResourceBlock(
                    block: block, arm: overhead.arms[arm].rawValue, jobs: outcome.load.accepted.count,
                    cpuSeconds: names.reduce(0) { $0 + (usage[$1]?.cpuSeconds ?? 0) },
                    peakRssBytes: names.reduce(0) { $0 + (usage[$1]?.peakRssBytes ?? 0) }
                ))
            }
        }
        return blocks
    }
}
