import Foundation
import Testing
import TracebenchMetrics
import TracebenchResults
@testable import TracebenchRun
@testable import TracebenchScenario

/// What the run seam guarantees whatever the input: built-in limits never vanish, and the results file is the
/// secrets' last choke point.
@Suite("run seam: built-in limits and the results choke point", .computeOnly)
struct SeamTests {
    /// Every capacity number at the low and the high end of its scenario range (the registry's bounds).
    static func capacityEdges() -> [CapacitySpec] {
        let low = CapacitySpec(startSpansPerSecond: 1e-6, stepFactor: 1.000001, maxSteps: 1, stepSeconds: 1e-6, maxDropRatio: 0,
                               maxVisibilityP99Seconds: 1e-9, maxCollectorCPUPercent: 1e-9, maxCollectorRSSMiB: 1e-9,
                               targetTracesPerMinute: 1e-9)
        var high = CapacitySpec(startSpansPerSecond: 10_000_000, stepFactor: 100, maxSteps: 100, stepSeconds: 3600, maxDropRatio: 1,
                                maxVisibilityP99Seconds: 86_400, maxCollectorCPUPercent: 100_000, maxCollectorRSSMiB: 1_048_576,
                                targetTracesPerMinute: 1e9)
        high.maxQueueWaitP99Ms = 1e9
        high.maxEndToEndP99Ms = 1e9
        high.maxSDKRSSMiB = 1_048_576
        var tiny = low
        tiny.maxQueueWaitP99Ms = 1e-9
        tiny.maxEndToEndP99Ms = 1e-9
        tiny.maxSDKRSSMiB = 1e-9
        return [low, high, tiny, CapacitySpec()]
    }

    @Test("every capacity limit is built at the edges of the scenario ranges (none silently dropped)")
    func builtInLimitsNeverVanish() {
        for spec in Self.capacityEdges() {
            #expect(CapacitySweep.limits(spec).thresholds.count == 5)
            #expect(CapacitySweep.limits(spec, collector: false).thresholds.count == 3)
            for rate in [1e-6, 1.0, 100_000.0] {
                #expect(CapacitySweep.jobsLimits(spec, rate: rate).thresholds.count == 8)
            }
        }
    }

    @Test("a URL credential that slipped into any string of a results file is masked when the file is written")
    func resultsFileMasksCredentials() throws {
        var results = RunResults()
        results.problems = [Problem(.componentFailed, "worker log: connecting to redis://:hunter2@10.0.0.5:6379/0 failed")]
        results.tracingEffective.endpoint = "https://user:s3cret@collector.example:4318/v1/traces"
        let path = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(path) }
        try ResultsFile.write(results, to: path)
        let text = try String(contentsOfFile: path, encoding: .utf8)
        #expect(!text.contains("hunter2") && !text.contains("s3cret"), "\(text.prefix(600))")
        #expect(text.contains("redis://:<redacted>@10.0.0.5:6379/0") && text.contains("https://user:<redacted>@collector.example"))
        let back = try JSONDecoder().decode(RunResults.self, from: Data(text.utf8))
        #expect(back.problems.count == 1)
    }
}
