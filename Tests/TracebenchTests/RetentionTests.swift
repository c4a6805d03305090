import Foundation
import Testing
@testable import TracebenchRun
import TracebenchResults
import TracebenchScenario

/// "10 % for normal operations, 100 % for errors": with head sampling an error in an unsampled trace is lost, so
/// error retention must come out at the sampling ratio — the known answer that shows the figure is real.
@Suite("Sampling retention", .serialized)
struct RetentionTests {
    @Test func headSamplingKeepsErrorsAtTheSamplingRatio() async throws {
        let yaml = """
        name: retention
        duration_s: 12
        seed: 404
        time_scale: 0.01
        drain_timeout_s: 20
        load: {arrival: constant, rate_per_s: 250, max_in_flight: 256}
        pipeline: {workers: 2, concurrency_per_worker: 32}
        jobs:
          - service: comfyui
            steps:
              - name: service-process-job
                duration_ms: 100
                error_ratio: 0.05
              - name: webhook-notify
        tracing:
          mode: otlp
          sampler: traceidratio
          ratio: 0.1
          batch: {schedule_delay_ms: 200, max_queue_size: 8192, max_export_batch_size: 512, export_timeout_ms: 10000}
        """
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "retention.yaml")
        let directory = TestSupport.temporaryPath("-retention")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let outcome = try await RunCoordinator.run(scenario: scenario, options: RunOptions(resultsDirectory: directory, executablePath: TestSupport.tracebenchBinary, progress: false))
        let s = outcome.results.sampling
        let errors = try #require(s.errorRetention), normal = try #require(s.normalRetention)
        #expect(errors.trials > 100, "\(errors)")
        #expect(errors.ciLow <= 0.10 && errors.ciHigh >= 0.10, "error retention \(errors)")
        #expect(normal.ciLow <= 0.10 && normal.ciHigh >= 0.10, "normal retention \(normal)")
        #expect(errors.ciHigh < 0.99)
        let summary = Summary.text(outcome.results, path: outcome.path)
        #expect(summary.contains("the promise \"100 % of errors\" FAILS"), "\(summary)")
    }
}
