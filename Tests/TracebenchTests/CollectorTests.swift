import Foundation
import Testing
import TracebenchJudge
import TracebenchMeasure
import TracebenchReport
import TracebenchResults
@testable import TracebenchRun
import TracebenchScenario
import Yams

/// The collector under test: scenario keys, and a real rotel between the SDKs and the sink.
@Suite("Collector")
struct CollectorTests {
    static let base = """
    duration_s: 2
    load: {rate_per_s: 1}
    jobs: [{service: s, steps: [{name: x}]}]
    """

    func problems(_ yaml: String) -> [ScenarioProblem] {
        do {
            _ = try ScenarioLoader.parse(yaml: Self.base + "\n" + yaml, file: "c.yaml")
            return []
        } catch {
            return error.problems
        }
    }

    @Test func launchAndAttachParse() throws {
        let launched = try ScenarioLoader.parse(yaml: Self.base + """

        collector:
          launch:
            command: ["{rotel_agent}", start, --otlp-http-endpoint, "127.0.0.1:{otlp_http_port}"]
            env: {RUST_LOG: warn}
            ready: "{otlp_http_port}"
        """, file: "c.yaml")
        #expect(launched.collector?.launch?.command.first == "{rotel_agent}")
        #expect(launched.collector?.launch?.env == ["RUST_LOG": "warn"])
        let attached = try ScenarioLoader.parse(yaml: Self.base + """

        collector: {attach: {endpoint: "http://127.0.0.1:4318/v1/traces", pid: 42}}
        """, file: "c.yaml")
        #expect(attached.collector?.attach == CollectorSpec.Attach(endpoint: "http://127.0.0.1:4318/v1/traces", pid: 42))
    }

    @Test(arguments: [
        ("collector: {}", "collector", "exactly one of launch or attach"),
        ("collector: {launch: {command: [a]}, attach: {endpoint: \"http://h:1\"}}", "collector", "exactly one"),
        ("collector: {launch: {command: []}}", "collector.launch.command", "must not be empty"),
        ("collector: {launch: {cmd: [a]}}", "collector.launch.cmd", "command"),
        ("collector: {attach: {pid: 3}}", "collector.attach.endpoint", "missing required key"),
        ("collector: {attach: {endpoint: \"ftp://h\"}}", "collector.attach.endpoint", "http"),
    ])
    func invalidSections(yaml: String, path: String, message: String) {
        let found = problems(yaml)
        #expect(found.contains { $0.keyPath == path && $0.message.contains(message) && $0.line == 4 }, "\(found)")
    }

    @Test func placeholdersAreFilled() {
        let values = CollectorProcess.Placeholders(otlpHTTPPort: 4318, otlpGRPCPort: 4317, sink: .init(url: "http://127.0.0.1:9", grpcURL: "http://127.0.0.1:8"))
        #expect(values.fill("127.0.0.1:{otlp_http_port}/{otlp_grpc_port} {sink_traces_url}") == "127.0.0.1:4318/4317 http://127.0.0.1:9/v1/traces")
        #expect(values.fill("{sink_grpc_url}") == "http://127.0.0.1:8")
    }

    @Test("smoke through a real rotel collector: sent == received, every trace complete, collector sampled",
          .enabled(if: CollectorProcess.rotelAgent != nil, "rotel is not installed (pip install --pre rotel)"),
          arguments: [TracingSpec.WireProtocol.httpProtobuf, .grpc])
    func smokeThroughRotel(wire: TracingSpec.WireProtocol) async throws {
        var scenario = try TestSupport.scenario("smoke-rotel")
        if wire == .grpc { scenario = Self.overGRPC(scenario) }
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let outcome = try await TestSupport.runSystem(scenario: scenario, options: RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false))
        let r = outcome.results
        #expect(outcome.exitCode == 0, "\(r.problems)")
        let collector = try #require(r.collector)
        #expect(collector.spansIn == r.spans.created && collector.spansIn > 0)
        #expect(collector.spansOut == collector.spansIn && collector.dropped == 0)
        #expect(r.traces.completeness == 1.0 && r.traces.expected == r.jobs.submitted)
        #expect(collector.rssBytesMax > 1_000_000 && (r.resources["collector"]?.samples ?? 0) >= 2)
        #expect(collector.bytesPerTrace > 0 && collector.visibilityP99Ms > 0)
        // Every hop on the chosen transport: SDK → rotel's receiver, rotel's exporter → the sink.
        #expect(r.tracingEffective.endpoint.hasSuffix("/v1/traces") == (wire != .grpc))
        #expect(r.sink.requests > 0 && r.sink.grpcRequests == (wire == .grpc ? r.sink.requests : 0))
    }

    /// The same scenario over OTLP/gRPC end to end: the SDKs export gRPC to rotel, rotel exports gRPC to the sink.
    static func overGRPC(_ scenario: Scenario) -> Scenario {
        var scenario = scenario
        scenario.tracing.protocol = .grpc
        let command = scenario.collector!.launch!.command
        scenario.collector!.launch!.command = command.map { $0 == "{sink_url}" ? "{sink_grpc_url}" : $0 }
        if let flag = command.firstIndex(of: "--otlp-exporter-protocol") {
            scenario.collector!.launch!.command[flag + 1] = "grpc"
        }
        return scenario
    }
}

/// Firehose load: synthetic spans straight to the embedded sink (always) and through rotel (when installed).
@Suite("Firehose", .serialized)
struct FirehoseTests {
    func firehose(collector: Bool) throws -> Scenario {
        var scenario = try TestSupport.scenario("firehose-rotel")
        scenario.durationSeconds = 3
        scenario.firehose.spansPerSecond = 5000
        if !collector { scenario.collector = nil }
        return scenario
    }

    func run(_ scenario: Scenario) async throws -> RunResults {
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let outcome = try await TestSupport.runSystem(scenario: scenario, options: RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false))
        #expect(outcome.exitCode == 0, "\(outcome.results.problems)")
        return outcome.results
    }

    @Test("every synthetic span sent reaches the sink, grouped into complete traces",
          arguments: [TracingSpec.WireProtocol.httpProtobuf, .grpc])
    func toTheSink(wire: TracingSpec.WireProtocol) async throws {
        var scenario = try firehose(collector: false)
        scenario.firehose.protocol = wire
        let r = try await run(scenario)
        let f = try #require(r.firehose)
        #expect(r.sink.grpcRequests == (wire == .grpc ? f.requestsSent : 0))
        // 5,000 spans/s for 3 s in batches of 500: 30 batches, 15,000 spans, 3,000 traces of 5.
        #expect(f.spansSent + f.batchesDropped * 500 == 15_000 && f.requestsFailed == 0)
        #expect(r.spans.received == f.spansSent && r.spans.dropped == 0)
        #expect(r.traces.expected == f.spansSent / 5 && r.traces.completeness == 1.0)
        #expect(abs(Double(r.traces.errorSpans) / Double(f.spansSent) - 0.01) < 0.005)
        #expect(r.traces.tracesWithErrors > 0 && r.traces.tracesWithErrors <= r.traces.errorSpans)
    }

    @Test("the same firehose through rotel: sent == received, CPU and RSS of rotel reported",
          .enabled(if: CollectorProcess.rotelAgent != nil, "rotel is not installed (pip install --pre rotel)"))
    func throughRotel() async throws {
        let r = try await run(try firehose(collector: true))
        let c = try #require(r.collector)
        #expect(c.spansIn == r.firehose?.spansSent && c.spansOut == c.spansIn && c.dropped == 0)
        #expect(r.traces.completeness == 1.0)
        #expect(c.rssBytesMax > 1_000_000 && c.cpuPercentMax > 0)
        // 5,000 spans/s offered for 3 s; the rates are over that window, storage follows from the bytes per trace.
        let sent = Double(try #require(r.firehose).spansSent)
        func close(_ a: Double, _ b: Double) -> Bool { abs(a - b) <= 1e-6 * max(1, abs(b)) }
        #expect(close(c.windowSeconds, 3) && close(c.spansPerSecondIn, sent / 3) && close(c.tracesPerMinuteIn, sent / 5 / 3 * 60))
        #expect(close(c.tracesPerMinuteOut, Double(r.traces.received) / 3 * 60))
        #expect(abs(c.storageBytesPerDay - c.bytesPerTrace * c.tracesPerMinuteOut * 1440) < 1e-6 && c.storageBytesPerDay > 0)
    }
}

/// Memory ceilings and the collector stall, on known timelines and through a real rotel.
@Suite("Ceilings and stall")
struct CeilingAndStallTests {
    func usage(_ points: [(Double, UInt64)]) -> ProcessUsage {
        var usage = ProcessUsage()
        for (seconds, rss) in points {
            usage.add(ProcessSample(cpuSeconds: 0, rssBytes: rss, peakRSSBytes: rss), atNanos: UInt64(seconds * 1e9), originNanos: 0)
        }
        return usage
    }

    @Test func ceilingBreachIsTimed() {
        let mib: UInt64 = 1_048_576
        let figures = CeilingFigure.evaluate(ceilingsMiB: ["worker": 100, "api": 50], usage: [
            "worker-0": usage([(1, 90 * mib), (2, 120 * mib), (3, 130 * mib)]),
            "worker-1": usage([(1, 40 * mib)]),
            "redis": usage([(1, 500 * mib)]),
        ])
        #expect(figures["worker-0"]?.breached == true && figures["worker-0"]?.firstBreachS == 2)
        #expect(figures["worker-1"]?.breached == false && figures["worker-1"]?.limitBytes == 100 * mib)
        #expect(figures["redis"] == nil && figures["api"] == nil)
    }

    @Test func stallGrowthIsPeakDuringMinusBefore() {
        let figures = StallFigures(pausedAtS: 5, resumedAtS: 10, usage: [
            "api": usage([(4, 100), (6, 150), (9, 400), (12, 300), (30, 900)]),
            "collector": usage([(4, 10), (6, 10)]),
        ])
        #expect(figures.rssGrowthBytes == ["api": 300])
    }

    @Test("a 4 s collector stall delays spans by seconds and is timed; past a 1.5 s deadline they are late, counted once",
          .enabled(if: CollectorProcess.rotelAgent != nil, "rotel is not installed (pip install --pre rotel)"))
    func stallThroughRotel() async throws {
        var scenario = try TestSupport.scenario("stall-rotel")
        scenario.durationSeconds = 10
        scenario.load.ratePerSecond = 40
        scenario.faults.collectorPauseAtSeconds = 3
        scenario.faults.collectorPauseSeconds = 4
        scenario.visibilityDeadlineSeconds = 1.5
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let outcome = try await TestSupport.runSystem(scenario: scenario, options: RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false))
        let r = outcome.results
        let stall = try #require(r.stall)
        #expect(abs(stall.resumedAtS - stall.pausedAtS - 4) < 0.5)
        #expect(stall.rssGrowthBytes["api"] != nil && stall.rssGrowthBytes["worker-0"] != nil)
        // Spans ended while the collector was frozen arrive late: the stall shows up in visibility.
        #expect((r.latency["visibility"]?.max ?? 0) > 2_500_000)
        #expect(r.ceilings?["collector"]?.breached == false && r.ceilings?["api"] != nil)
        // Stalled past the 1.5 s deadline: the held spans are late — counted once, received, their traces judged without them.
        let late = try #require(r.spans.late)
        #expect(late > 0 && r.spans.received == r.spans.exported && r.spans.dropped == 0, "\(r.spans)")
        #expect(r.traces.complete < r.traces.expected)
    }
}

/// The capacity sweep's stepping and judging, on the embedded sink (no collector needed).
@Suite("Capacity sweep", .serialized)
struct CapacitySweepTests {
    func sweep(maxVisibilityS: Double) async throws -> CapacitySummary {
        var scenario = try TestSupport.scenario("capacity")
        scenario.collector = nil
        scenario.capacity = CapacitySpec(startSpansPerSecond: 2000, stepFactor: 2, maxSteps: 2, stepSeconds: 2,
                                         maxVisibilityP99Seconds: maxVisibilityS, targetTracesPerMinute: 500)
        let directory = TestSupport.temporaryPath("-capacity")
        defer { TestSupport.discard(directory) }
        let options = RunOptions(resultsDirectory: directory, executablePath: TestSupport.tracebenchBinary, progress: false)
        let (summary, path) = try await CapacitySweep.run(scenario: scenario, options: options) { _ in }
        #expect(FileManager.default.fileExists(atPath: path))
        let missing = summary.steps.filter { !FileManager.default.fileExists(atPath: $0.resultsFile) }
        #expect(missing.isEmpty)
        return summary
    }

    @Test func passingStepsGiveAKneeAndAPlan() async throws {
        let summary = try await sweep(maxVisibilityS: 10)
        #expect(summary.steps.map(\.spansPerSecond) == [2000, 4000])
        let failed = summary.steps.filter { !$0.passed }
        #expect(failed.isEmpty, "\(failed.map(\.reasons))")
        #expect(summary.kneeSpansPerSecond == 4000 && summary.limitedBy == "max_steps")
        let knee = try #require(summary.kneeTracesPerMinute)
        #expect(summary.collectorsNeeded == Int((500 / knee).rounded(.up)))
    }

    @Test func aSenderThatFellBehindIsNotTheCollectorsLimit() {
        // A step's results as the firehose left them: the collector kept up, the sender did or did not.
        func step(batchesDropped: Int, dropped: Int = 0, rssMiB: Double = 40) -> CapacitySummary.Step {
            var r = RunResults()
            r.firehose = FirehoseFigures(requestsSent: 100, spansSent: 100_000)
            r.spans.exported = 100_000
            r.spans.received = 100_000 - dropped
            r.spans.dropped = dropped
            var visibility = LatencyHistogram()
            for micros in stride(from: 1_000, through: 400_000, by: 1_000) { visibility.record(microseconds: Int64(micros)) }
            r.latency["visibility"] = visibility.summary()
            var collector = CollectorFigures()
            collector.cpuPercentAvg = 20
            collector.rssBytesMax = UInt64(rssMiB * 1_048_576)
            r.collector = collector
            r.firehose?.batchesDropped = batchesDropped
            return CapacitySweep.judge(r, rate: 1000, spec: CapacitySpec(), file: "")
        }
        #expect(step(batchesDropped: 0).passed)
        let behind = step(batchesDropped: 6)
        #expect(!behind.passed && behind.limitedBy == "sender", "\(behind.reasons)")
        #expect(behind.reasons.first?.contains("raise firehose.concurrency") == true)
        #expect(step(batchesDropped: 6, dropped: 1_000).limitedBy == "collector")
        #expect(step(batchesDropped: 0, rssMiB: 120).limitedBy == "collector")
    }

    @Test func aBrokenLimitStopsTheSweep() async throws {
        // No batch reaches the sink within 1 µs: the first step fails, nothing passes.
        let summary = try await sweep(maxVisibilityS: 0.000001)
        #expect(summary.steps.count == 1 && summary.steps[0].passed == false)
        #expect(summary.steps[0].reasons.contains { $0.contains("latency.visibility.p99") }, "\(summary.steps[0].reasons)")
        #expect(summary.kneeSpansPerSecond == nil && summary.collectorsNeeded == nil && summary.limitedBy == "collector")
    }
}

/// The otelcol-contrib example: the seed's machine config renders with every placeholder filled.
@Suite("Collector config templates")
struct CollectorTemplateTests {
    @Test func otelcolConfigRendersFromTheSeed() throws {
        let scenario = try TestSupport.scenario("collectors/otelcol")
        let launch = try #require(scenario.collector?.launch)
        var values = CollectorProcess.Placeholders(otlpHTTPPort: 14318, otlpGRPCPort: 14317, healthPort: 13133, sink: .init(url: "http://127.0.0.1:9999", grpcURL: "http://127.0.0.1:9998"))
        values.configFile = TestSupport.temporaryPath(".yaml")
        defer { TestSupport.discard(values.configFile) }
        try CollectorProcess.render(template: TestSupport.packageRoot + "/" + launch.configTemplate, to: values.configFile, values: values)
        let rendered = try String(contentsOfFile: values.configFile, encoding: .utf8)
        #expect(rendered.contains("endpoint: http://127.0.0.1:9999") && rendered.contains("127.0.0.1:14318") && rendered.contains("127.0.0.1:14317"))
        #expect(rendered.contains("limit_mib: 256") && rendered.contains("send_batch_size: 1024"))
        #expect(!rendered.contains("{") || !rendered.contains("_port}"))
        #expect(launch.command.map(values.fill) == ["otelcol-contrib", "--config", values.configFile])
    }

    /// The tail-sampling config: policies for errors and the declared share, decision_wait from the scenario,
    /// parsed back as YAML so a broken indent or an unfilled placeholder fails here, not in otelcol.
    @Test func otelcolTailSamplingConfigRendersFromTheScenario() throws {
        let scenario = try TestSupport.scenario("collectors/otelcol-tail")
        let launch = try #require(scenario.collector?.launch)
        var values = CollectorProcess.Placeholders(otlpHTTPPort: 14318, otlpGRPCPort: 14317, healthPort: 13133,
                                                   sink: .init(url: "http://127.0.0.1:9999", grpcURL: "http://127.0.0.1:9998"),
                                                   sampling: scenario.collector?.sampling)
        values.configFile = TestSupport.temporaryPath(".yaml")
        defer { TestSupport.discard(values.configFile) }
        try CollectorProcess.render(template: TestSupport.packageRoot + "/" + launch.configTemplate, to: values.configFile, values: values)
        let rendered = try String(contentsOfFile: values.configFile, encoding: .utf8)
        #expect(rendered.range(of: #"\{[a-z_]+\}"#, options: .regularExpression) == nil, "a placeholder is left unfilled")
        let config = try #require(try Yams.load(yaml: rendered) as? [String: Any])
        let processors = try #require(config["processors"] as? [String: Any])
        let tail = try #require(processors["tail_sampling"] as? [String: Any])
        #expect(tail["decision_wait"] as? String == "5s")
        let policies = try #require(tail["policies"] as? [[String: Any]])
        #expect(policies.compactMap { $0["type"] as? String } == ["status_code", "probabilistic"])
        let share = (policies[1]["probabilistic"] as? [String: Any])?["sampling_percentage"] as? Double
        #expect(share.map { abs($0 - 10.0006103515625) < 1e-9 } == true, "\(String(describing: share))")
        let pipeline = ((config["service"] as? [String: Any])?["pipelines"] as? [String: Any])?["traces"] as? [String: Any]
        #expect(pipeline?["processors"] as? [String] == ["memory_limiter", "tail_sampling", "batch"])
    }
}

/// The embedded sink against rotel's blackhole exporter: same stream, same closed-loop sender.
@Suite("Sink speed")
struct SinkSpeedTests {
    @Test("every acknowledged span is stored by the sink, and the ratio is sink ÷ collector",
          .enabled(if: CollectorProcess.rotelAgent != nil, "rotel is not installed (pip install --pre rotel)"))
    func sinkAgainstBlackhole() async throws {
        var scenario = try TestSupport.scenario("sink-speed")
        scenario.durationSeconds = 2  // long enough that a round on a loaded 2-core machine still completes requests
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let options = RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false)
        let (summary, path) = try await SinkSpeed.run(scenario: scenario, options: options, rounds: 1) { _ in }
        #expect(path == out && FileManager.default.fileExists(atPath: out))
        #expect(summary.rounds.map(\.target) == ["sink", "collector"])
        #expect(summary.problems.isEmpty, "\(summary.problems)")
        #expect(summary.rounds.allSatisfy { $0.spansAcknowledged == ($0.requests - $0.failures) * 500 && $0.spansPerSecond > 0 })
        #expect(abs(summary.ratio - summary.rounds[0].spansPerSecond / summary.rounds[1].spansPerSecond) < 1e-9)
    }
}

/// `capacity.mode: jobs`: the pipeline's own knee and the workers a target needs.
@Suite("Capacity sweep, jobs mode", .serialized)
struct JobsCapacityTests {
    func sweep(maxEndToEndMs: Double) async throws -> CapacitySummary {
        var scenario = try TestSupport.scenario("capacity-jobs")
        scenario.capacity.startJobsPerSecond = 20
        scenario.capacity.maxSteps = 2
        scenario.capacity.stepSeconds = 2
        scenario.capacity.targetJobsPerMinute = 6_000
        scenario.capacity.maxEndToEndP99Ms = maxEndToEndMs
        let directory = TestSupport.temporaryPath("-jobs-capacity")
        defer { TestSupport.discard(directory) }
        let options = RunOptions(resultsDirectory: directory, executablePath: TestSupport.tracebenchBinary, progress: false)
        return try await CapacitySweep.run(scenario: scenario, options: options) { _ in }.0
    }

    @Test func passingStepsGiveAKneeInJobsAndAWorkerPlan() async throws {
        let summary = try await sweep(maxEndToEndMs: 5_000)
        #expect(summary.mode == "jobs" && summary.steps.map(\.jobsPerSecond) == [20, 40], "\(summary.steps.map(\.reasons))")
        #expect(summary.kneeJobsPerMinute == 2_400 && summary.limitedBy == "max_steps")
        // 6,000 jobs/min = 100 jobs/s at 20 jobs/s per worker (40 jobs/s over 2 workers): 5 workers.
        #expect(summary.workersNeeded == 5)
        #expect((summary.kneeTracesPerMinute ?? 0) > 0 && (summary.storageBytesPerDay ?? 0) > 0)
    }

    @Test func aBrokenPipelineLimitEndsTheSweep() async throws {
        let summary = try await sweep(maxEndToEndMs: 1)
        #expect(summary.steps.count == 1 && !summary.steps[0].passed && summary.limitedBy == "pipeline", "\(summary.steps.map(\.reasons))")
        #expect(summary.steps[0].reasons.contains { $0.contains("latency.end_to_end.p99") })
        #expect(summary.kneeJobsPerMinute == nil && summary.workersNeeded == nil)
    }
}
