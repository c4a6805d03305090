import Foundation
import Testing
import TracebenchRedis

@testable import TracebenchScenario
import TracebenchMetrics

/// Parses `yaml` expecting failure and returns the problems (an unexpected success is recorded as an issue).
private func problems(_ yaml: String, file: String = "test.yaml") -> [ScenarioProblem] {
    do {
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: file)
        Issue.record("expected problems, got \(scenario)")
        return []
    } catch {
        return error.problems
    }
}

@Suite("Scenario loader", .computeOnly)
struct ScenarioLoaderTests {
    static let fullYAML = """
        # Every key, most of them away from their defaults.
        name: full
        duration_s: 10
        warmup_s: 1.5
        seed: 42
        time_scale: 0.1
        drain_timeout_s: 20
        load:
          arrival: poisson
          rate_per_s: 20
          max_in_flight: 128
        pipeline:
          workers: 4
          concurrency_per_worker: 16
          poll_interval_ms: 5
          max_retries: 2
          job_timeout_ms: 5_000
        jobs:
          - service: comfyui
            weight: 0.7
            priority: [2, 8]
            steps:
              - name: service-process-job
                duration_ms: 120
                error_ratio: 0.01
                children:
                  - name: comfyui-call
                    duration_ms: {distribution: lognormal, mean: 2500, sigma: 0.4}
                    children:
                      - name: upload
                        duration_ms: {distribution: uniform, min: 10, max: 50}
              - name: notify
          - service: a1111
            weight: 0.3
            priority: 5
            steps:
              - name: render
                duration_ms: {distribution: exponential, mean: 300}
              - name: save
                duration_ms: {mean: 7}
        tracing:
          mode: off
          protocol: http/json
          sampler: parentbased_traceidratio
          ratio: 0.25
          batch: {schedule_delay_ms: 500, max_queue_size: 4096, max_export_batch_size: 1024, export_timeout_ms: 10000}
          endpoint: http://127.0.0.1:4318/v1/traces
          headers: {Authorization: "Bearer secret", X-Tenant: bench}
          resource_attributes: {deployment.environment: bench, service.namespace: tb}
        faults:
          drop_context_ratio: 0.05
        redis:
          url: redis://:hunter2@127.0.0.1:6379/2
        """

    @Test("a full file parses to the expected scenario")
    func fullFile() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.fullYAML, file: "scenarios/full.yaml")
        let expected = Scenario(
            name: "full", durationSeconds: 10, warmupSeconds: 1.5, seed: 42, timeScale: 0.1, drainTimeoutSeconds: 20,
            load: LoadSpec(arrival: .poisson, ratePerSecond: 20, maxInFlight: 128),
            pipeline: PipelineSpec(workers: 4, concurrencyPerWorker: 16, pollIntervalMs: 5, maxRetries: 2, jobTimeoutMs: 5000),
            jobs: [
                JobTypeSpec(service: "comfyui", weight: 0.7, priorityMin: 2, priorityMax: 8, steps: [
                    StepSpec(name: "service-process-job", duration: .fixed(120), errorRatio: 0.01, children: [
                        StepSpec(
                            name: "comfyui-call", duration: DurationSpec(distribution: .lognormal, meanMs: 2500, sigma: 0.4),
                            children: [
                                StepSpec(name: "upload", duration: DurationSpec(distribution: .uniform, minMs: 10, maxMs: 50)),
                            ]
                        ),
                    ]),
                    StepSpec(name: "notify"),
                ]),
                JobTypeSpec(service: "a1111", weight: 0.3, priorityMin: 5, priorityMax: 5, steps: [
                    StepSpec(name: "render", duration: DurationSpec(distribution: .exponential, meanMs: 300)),
                    StepSpec(name: "save", duration: .fixed(7)),
                ]),
            ],
            tracing: TracingSpec(
                mode: .off, protocol: .httpJSON, sampler: .parentBasedTraceIDRatio, ratio: 0.25,
                batch: .init(scheduleDelayMs: 500, maxQueueSize: 4096, maxExportBatchSize: 1024, exportTimeoutMs: 10000),
                endpoint: "http://127.0.0.1:4318/v1/traces",
                headers: ["Authorization": "Bearer secret", "X-Tenant": "bench"],
                resourceAttributes: ["deployment.environment": "bench", "service.namespace": "tb"]
            ),
            faults: FaultSpec(dropContextRatio: 0.05),
            redis: RedisSpec(url: "redis://:hunter2@127.0.0.1:6379/2")
        )
        #expect(scenario.withoutSource == expected)
        // A few fields on their own, so a failure says which one.
        #expect(scenario.tracing.mode == .off)
        #expect(scenario.jobs[0].steps[0].children[0].children[0].duration.distribution == .uniform)
        #expect(scenario.jobs[0].steps[0].depth == 3)
        #expect(scenario.jobs[1].priorityMin == 5 && scenario.jobs[1].priorityMax == 5)
    }

    @Test("a minimal file gets every default, and its name from the file")
    func minimalFile() throws {
        let yaml = """
            duration_s: 30
            load: {rate_per_s: 5}
            jobs:
              - service: s
                steps: [{name: only}]
            """
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "scenarios/smoke.yaml")
        #expect(scenario.withoutSource == Scenario(
            name: "smoke", durationSeconds: 30,
            load: LoadSpec(arrival: .constant, ratePerSecond: 5),
            jobs: [JobTypeSpec(service: "s", steps: [StepSpec(name: "only")])]
        ))
    }

    @Test("values YAML 1.1 would turn into booleans or numbers stay text")
    func rawScalars() throws {
        let yaml = """
            name: yes
            duration_s: 1
            load: {rate_per_s: 1}
            jobs: [{service: on, steps: [{name: "off"}]}]
            tracing: {mode: off, headers: {X-Flag: no}}
            """
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "t.yaml")
        #expect(scenario.name == "yes")
        #expect(scenario.jobs[0].service == "on")
        #expect(scenario.jobs[0].steps[0].name == "off")
        #expect(scenario.tracing.mode == .off)
        #expect(scenario.tracing.headers == ["X-Flag": "no"])
    }

    @Test("ramp and steps arrivals")
    func arrivals() throws {
        let ramp = try ScenarioLoader.parse(yaml: """
            duration_s: 60
            load: {arrival: ramp, from_per_s: 1, to_per_s: 50}
            jobs: [{service: s, steps: [{name: a}]}]
            """, file: "ramp.yaml")
        #expect(ramp.load.arrival == .ramp && ramp.load.fromPerSecond == 1 && ramp.load.toPerSecond == 50)
        let steps = try ScenarioLoader.parse(yaml: """
            duration_s: 60
            load:
              arrival: steps
              steps:
                - {rate_per_s: 10, duration_s: 5}
                - {rate_per_s: 0, duration_s: 2.5}
            jobs: [{service: s, steps: [{name: a}]}]
            """, file: "steps.yaml")
        #expect(steps.load.steps == [.init(ratePerSecond: 10, durationSeconds: 5), .init(ratePerSecond: 0, durationSeconds: 2.5)])
    }

    /// A job whose single chain of steps is `levels` deep; the step at level `k` starts on line `6 + 2 (k - 1)`.
    static func nestedYAML(levels: Int) -> String {
        var lines = ["duration_s: 10", "load: {rate_per_s: 5}", "jobs:", "  - service: s", "    steps:"]
        for level in 1...levels {
            let indent = String(repeating: " ", count: 6 + 4 * (level - 1))
            lines.append("\(indent)- name: s\(level)")
            if level < levels { lines.append("\(indent)  children:") }
        }
        return lines.joined(separator: "\n")
    }

    @Test("a trace depth of 32 is allowed")
    func depthLimit() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.nestedYAML(levels: 29), file: "deep.yaml")
        #expect(3 + scenario.jobs[0].steps[0].depth == 32)
    }

    static let invalidCases: [InvalidCase] = [
        InvalidCase(label: "unknown key with a suggestion", yaml: """
            duration_s: 10
            load:
              rate_per_s: 5
              max_in_fligt: 5
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "load.max_in_fligt", line: 4, message: "unknown key 'max_in_fligt'; did you mean 'max_in_flight'?"),
        InvalidCase(label: "unknown key without a suggestion", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            colour: blue
            """, keyPath: "colour", line: 4, message: "unknown key 'colour'; expected one of: name, duration_s"),
        InvalidCase(label: "wrong type", yaml: """
            duration_s: fast
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "duration_s", line: 1, message: "expected a number, got 'fast'"),
        InvalidCase(label: "negative rate", yaml: """
            duration_s: 10
            load:
              arrival: constant
              rate_per_s: -5
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "load.rate_per_s", line: 4, message: "must be greater than 0 for arrival constant, got -5"),
        InvalidCase(label: "error ratio 1.5", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs:
              - service: s
                steps:
                  - name: a
                  - name: b
                    error_ratio: 1.5
            """, keyPath: "jobs[0].steps[1].error_ratio", line: 8, message: "must be between 0 and 1, got 1.5"),
        InvalidCase(
            label: "trace depth 33", yaml: nestedYAML(levels: 30),
            keyPath: "jobs[0].steps[0]" + String(repeating: ".children[0]", count: 29), line: 6 + 2 * 29,
            message: "trace depth 33 exceeds the maximum of 32"
        ),
        InvalidCase(label: "empty jobs", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: []
            """, keyPath: "jobs", line: 3, message: "must list at least one job"),
        InvalidCase(label: "weights summing to 0", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs:
              - {service: a, weight: 0, steps: [{name: a}]}
              - {service: b, weight: 0, steps: [{name: b}]}
            """, keyPath: "jobs", line: 3, message: "the job weights sum to 0"),
        InvalidCase(label: "warm-up not shorter than the run", yaml: """
            duration_s: 10
            warmup_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "warmup_s", line: 2, message: "must be less than duration_s (10), got 10"),
        InvalidCase(label: "priority min > max", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs:
              - service: s
                priority: [10, 1]
                steps: [{name: a}]
            """, keyPath: "jobs[0].priority", line: 5, message: "min 10 must not be greater than max 1"),
        InvalidCase(label: "priority of the wrong type", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, priority: high, steps: [{name: a}]}]
            """, keyPath: "jobs[0].priority", line: 3, message: "expected an integer, got 'high'"),
        InvalidCase(label: "unknown protocol", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            tracing:
              protocol: grcp
            """, keyPath: "tracing.protocol", line: 5,
            message: "unknown protocol 'grcp'; expected one of: http/protobuf, http/json, grpc (did you mean 'grpc'?)"),
        InvalidCase(label: "grpc endpoint without a port", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            tracing: {protocol: grpc, endpoint: "http://collector"}
            """, keyPath: "tracing.endpoint", line: 4,
            message: "a gRPC endpoint needs a port, e.g. http://collector:4317 (no path)"),
        InvalidCase(label: "json firehose", yaml: """
            duration_s: 10
            load: {kind: firehose}
            firehose:
              protocol: http/json
            """, keyPath: "firehose.protocol", line: 4,
            message: "the firehose sends http/protobuf or grpc, not http/json"),
        InvalidCase(label: "rediss url", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            redis:
              url: rediss://:pw@cache:6380/0
            """, keyPath: "redis.url", line: 5, message: "rediss:// (TLS) is not supported: hiredis 0.14 has no TLS"),
        InvalidCase(label: "redis url without a port", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            redis: {url: "redis://127.0.0.1"}
            """, keyPath: "redis.url", line: 4, message: "missing port"),
        InvalidCase(label: "YAML syntax error", yaml: """
            duration_s: 10
            load: {rate_per_s: 5
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "(root)", line: 3, message: "YAML syntax error"),
        InvalidCase(label: "duplicate key", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            duration_s: 20
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "duration_s", line: 3, message: "duplicate key 'duration_s' (first at line 1)"),
        InvalidCase(label: "missing duration_s", yaml: """
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "duration_s", line: 1, message: "missing required key 'duration_s'"),
        InvalidCase(label: "missing rate for a constant arrival", yaml: """
            duration_s: 10
            load:
              max_in_flight: 8
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "load.rate_per_s", line: 2, message: "missing required key 'rate_per_s'"),
        InvalidCase(label: "empty value", yaml: """
            duration_s:
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "duration_s", line: 1, message: "expected a number, got nothing"),
        InvalidCase(label: "non-mapping root", yaml: """
            - duration_s: 10
            - load: {}
            """, keyPath: "(root)", line: 1, message: "expected the document to be a mapping"),
        InvalidCase(label: "empty document", yaml: "# nothing here\n", keyPath: "(root)", line: 1,
                    message: "the document is empty"),
        InvalidCase(label: "bad arrival", yaml: """
            duration_s: 10
            load: {arrival: burst, rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "load.arrival", line: 2,
            message: "unknown arrival 'burst'; expected one of: constant, poisson, ramp, steps"),
        InvalidCase(label: "misspelt tracing mode", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            tracing: {mode: offf}
            """, keyPath: "tracing.mode", line: 4, message: "expected one of: off, sdk, otlp (did you mean 'off'?)"),
        InvalidCase(label: "ramp from 0 to 0", yaml: """
            duration_s: 10
            load: {arrival: ramp, from_per_s: 0, to_per_s: 0}
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "load.to_per_s", line: 2, message: "from_per_s + to_per_s must be greater than 0"),
        InvalidCase(label: "ramp key on a constant arrival", yaml: """
            duration_s: 10
            load: {rate_per_s: 5, to_per_s: 9}
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "load.to_per_s", line: 2, message: "applies only to arrival: ramp"),
        InvalidCase(label: "steps arrival with no steps", yaml: """
            duration_s: 10
            load:
              arrival: steps
              steps: []
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "load.steps", line: 4, message: "must list at least one step"),
        InvalidCase(label: "uniform min > max", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs:
              - service: s
                steps:
                  - name: a
                    duration_ms: {distribution: uniform, min: 50, max: 10}
            """, keyPath: "jobs[0].steps[0].duration_ms.max", line: 7, message: "must be at least min (50), got 10"),
        InvalidCase(label: "lognormal sigma too large", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs:
              - service: s
                steps:
                  - name: a
                    duration_ms:
                      distribution: lognormal
                      mean: 100
                      sigma: 9
            """, keyPath: "jobs[0].steps[0].duration_ms.sigma", line: 10,
            message: "must be greater than 0 and at most 5, got 9"),
        InvalidCase(label: "empty service", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: "", steps: [{name: a}]}]
            """, keyPath: "jobs[0].service", line: 3, message: "must not be empty"),
        InvalidCase(label: "workers out of range", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            pipeline: {workers: 65}
            """, keyPath: "pipeline.workers", line: 4, message: "must be between 1 and 64, got 65"),
        InvalidCase(label: "fractional integer", yaml: """
            duration_s: 10
            load: {rate_per_s: 5, max_in_flight: 2.5}
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "load.max_in_flight", line: 2, message: "expected an integer, got '2.5'"),
        InvalidCase(label: "negative seed", yaml: """
            seed: -1
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            """, keyPath: "seed", line: 1, message: "must be at least 0, got -1"),
        InvalidCase(label: "export batch larger than the queue", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            tracing:
              batch:
                max_queue_size: 100
                max_export_batch_size: 200
            """, keyPath: "tracing.batch.max_export_batch_size", line: 7,
            message: "must be at most max_queue_size (100), got 200"),
        InvalidCase(label: "endpoint that is not http", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            tracing: {endpoint: "ftp://collector:4318"}
            """, keyPath: "tracing.endpoint", line: 4, message: "an http:// or https:// URL"),
        InvalidCase(label: "header value that is a mapping", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            tracing:
              headers:
                Authorization: {token: x}
            """, keyPath: "tracing.headers.Authorization", line: 6, message: "expected a string, got a mapping"),
        InvalidCase(label: "step without a name", yaml: """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs:
              - service: s
                steps:
                  - duration_ms: 5
            """, keyPath: "jobs[0].steps[0].name", line: 6, message: "missing required key 'name'"),
    ]

    @Test("an invalid file reports the key path and line of its problem", arguments: invalidCases)
    func invalidFile(_ testCase: InvalidCase) {
        testCase.check(problems(testCase.yaml))
    }

    @Test("every problem in a file is reported, in document order")
    func manyProblems() {
        let yaml = """
            duration_s: -1
            load:
              arrival: poisson
              rate_per_s: fast
            jobs:
              - service: s
                weight: -2
                steps:
                  - name: a
                    error_ratio: 2
                    colour: red
            tracing:
              protocol: grcp
            redis: {url: "rediss://cache:6380"}
            """
        let found = problems(yaml)
        #expect(found.map(\.keyPath) == [
            "duration_s", "load.rate_per_s", "jobs[0].weight", "jobs[0].steps[0].error_ratio",
            "jobs[0].steps[0].colour", "tracing.protocol", "redis.url",
        ])
        #expect(found.map(\.line) == [1, 4, 7, 10, 11, 13, 14])
        #expect(found[4].message == "unknown key 'colour'; expected one of: name, duration_ms, error_ratio, children")
    }

    @Test("problems print as file:line:column: key path: message")
    func problemDescription() {
        let found = problems("duration_s: 10\nload: {rate_per_s: 5}\njobs: x\n", file: "s.yaml")
        #expect(found.map(\.description) == ["s.yaml:3:7: jobs: expected a list, got 'x'"])
        let error = ScenarioError(problems: found + found)
        #expect(error.description == "s.yaml:3:7: jobs: expected a list, got 'x'\ns.yaml:3:7: jobs: expected a list, got 'x'")
    }

    @Test("load(path:) reads a file and reports an unreadable one on line 0")
    func loadFromDisk() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tracebench-loader-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("nightly.yaml").path
        try "duration_s: 5\nload: {rate_per_s: 1}\njobs: [{service: s, steps: [{name: a}]}]\n"
            .write(toFile: path, atomically: true, encoding: .utf8)
        #expect(try ScenarioLoader.load(path: path).name == "nightly")

        let missing = directory.appendingPathComponent("absent.yaml").path
        do {
            _ = try ScenarioLoader.load(path: missing)
            Issue.record("expected an error")
        } catch {
            #expect(error.problems.count == 1)
            #expect(error.problems.first?.line == 0)
            #expect(error.problems.first?.file == missing)
        }
    }

    @Test("redacted hides header values and the redis password")
    func redaction() throws {
        let scenario = try ScenarioLoader.parse(yaml: Self.fullYAML, file: "full.yaml")
        let redacted = scenario.redacted
        #expect(redacted.tracing.headers == ["Authorization": "<redacted>", "X-Tenant": "<redacted>"])
        #expect(redacted.redis.url == "redis://:<redacted>@127.0.0.1:6379/2")
        #expect(redacted.tracing.resourceAttributes == scenario.tracing.resourceAttributes)
        let text = String(decoding: try JSONEncoder().encode(redacted), as: UTF8.self)
        #expect(!text.contains("hunter2") && !text.contains("Bearer secret"))

        #expect(RedisURL.redact("redis://127.0.0.1:6379") == "redis://127.0.0.1:6379")
        #expect(RedisURL.redact("redis://user:pw@h:1/0") == "redis://user:<redacted>@h:1/0")
        #expect(RedisURL.redact("") == "")
    }

    @Test("redis URLs")
    func redisURLs() throws {
        #expect(try RedisURL(parsing: "redis://:p@ss@10.0.0.1:6380/3") == RedisURL(host: "10.0.0.1", port: 6380, password: "p@ss", database: 3))
        #expect(try RedisURL(parsing: "redis://[::1]:6379") == RedisURL(host: "::1", port: 6379, password: nil, database: 0))
        #expect(throws: RedisError.self) { try RedisURL(parsing: "redis://user:pw@h:6379") }
        #expect(throws: RedisError.self) { try RedisURL(parsing: "redis://h:99999") }
        #expect(throws: RedisError.self) { try RedisURL(parsing: "redis://h:6379/x") }
    }

    @Test("key suggestions stay within an edit distance of 2")
    func suggestions() {
        #expect(KeySuggestion.editDistance("kitten", "sitting", atMost: 3) == 3)
        #expect(KeySuggestion.editDistance("kitten", "sitting", atMost: 2) == nil)
        #expect(KeySuggestion.editDistance("", "abc", atMost: 3) == 3)
        // Bounded work: a kilobyte-long key is refused by its length alone, and gets no suggestion.
        let hostile = String(repeating: "jobs.pending", count: 100)
        #expect(KeySuggestion.editDistance(hostile, "jobs.pending", atMost: 2) == nil)
        #expect(KeySuggestion.closest(to: hostile, among: ScenarioParser.rootKeys) == nil)
        #expect(throws: MetricPathError.self) { try MetricCatalog.resolve(hostile) }
        #expect(KeySuggestion.closest(to: "rate_per_sec", among: ScenarioParser.loadKeys) == "rate_per_s")
        #expect(KeySuggestion.closest(to: "workrs", among: ScenarioParser.pipelineKeys) == "workers")
        #expect(KeySuggestion.closest(to: "banana", among: ScenarioParser.rootKeys) == nil)
    }
}

extension Scenario {
    /// The scenario without the file it was read from (tests compare what was parsed).
    var withoutSource: Scenario {
        var copy = self
        copy.source = ScenarioSource()
        return copy
    }
}
