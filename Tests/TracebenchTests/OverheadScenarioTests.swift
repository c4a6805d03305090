import Foundation
import Testing

@testable import TracebenchScenario

/// The smallest valid scenario: three lines, so a section appended to it starts on line 4.
private let base = """
    duration_s: 10
    load: {rate_per_s: 5}
    jobs: [{service: s, steps: [{name: a}]}]

    """

/// Parses `base` + `yaml` expecting failure and returns the problems (an unexpected success is recorded).
private func problems(_ yaml: String) -> [ScenarioProblem] {
    do {
        let scenario = try ScenarioLoader.parse(yaml: base + yaml, file: "test.yaml")
        Issue.record("expected problems, got \(scenario)")
        return []
    } catch {
        return error.problems
    }
}

private func parse(_ yaml: String) throws -> Scenario {
    try ScenarioLoader.parse(yaml: base + yaml, file: "test.yaml")
}

@Suite("Scenario loader: overhead and calibration", .computeOnly)
struct OverheadScenarioTests {
    @Test("absent sections: no overhead measurement, no calibration cost")
    func absent() throws {
        let scenario = try parse("")
        #expect(scenario.overhead == nil)
        #expect(scenario.calibration == CalibrationSpec())
        #expect(scenario.calibration.injectMicrosPerSpan == 0)
    }

    @Test("empty sections mean every default, and an empty overhead is still an overhead run")
    func emptySections() throws {
        let scenario = try parse("overhead:\ncalibration:\n")
        #expect(scenario.overhead == OverheadSpec())
        #expect(scenario.overhead?.arms == [.off, .sdk, .otlp])
        #expect(scenario.overhead?.blocks == 3)
        #expect(scenario.overhead?.blockSeconds == 8)
        #expect(scenario.overhead?.bootstrapIterations == 1000)
        #expect(scenario.calibration == CalibrationSpec())

        let flow = try parse("overhead: {}\ncalibration: {}\n")
        #expect(flow.overhead == OverheadSpec())
        #expect(flow.calibration == CalibrationSpec())
    }

    @Test("a full section parses, with off read as a mode, not a boolean, and tracing.mode off allowed")
    func fullSection() throws {
        let scenario = try parse("""
            tracing:
              mode: off
            overhead:
              arms:
                - off
                - otlp
              blocks: 0
              block_seconds: 2.5
              bootstrap: 20_000
            calibration:
              inject_us_per_span: 12.5
            """)
        #expect(scenario.tracing.mode == .off)
        #expect(scenario.overhead == OverheadSpec(arms: [.off, .otlp], blocks: 0, blockSeconds: 2.5, bootstrapIterations: 20_000))
        #expect(scenario.calibration == CalibrationSpec(injectMicrosPerSpan: 12.5))

        let flow = try parse("overhead: {arms: [sdk, off, otlp], blocks: 50, block_seconds: 3600, bootstrap: 100}\n")
        #expect(flow.overhead == OverheadSpec(arms: [.sdk, .off, .otlp], blocks: 50, blockSeconds: 3600, bootstrapIterations: 100))

        let bounds = try parse("overhead: {arms: [\"off\", sdk, otlp], bootstrap: 100000}\ncalibration: {inject_us_per_span: 1000000}\n")
        #expect(bounds.overhead?.arms == [.off, .sdk, .otlp])
        #expect(bounds.overhead?.bootstrapIterations == 100_000)
        #expect(bounds.calibration.injectMicrosPerSpan == 1_000_000)
    }

    @Test("overhead and calibration survive the JSON trip to the API and worker processes")
    func jsonRoundTrip() throws {
        let scenario = try parse("overhead: {arms: [off, sdk]}\ncalibration: {inject_us_per_span: 50}\n")
        let decoded = try JSONDecoder().decode(Scenario.self, from: JSONEncoder().encode(scenario))
        #expect(decoded == scenario)
        #expect(decoded.overhead?.arms == [.off, .sdk])
    }

    static let invalidCases: [InvalidCase] = [
        InvalidCase(label: "unknown overhead key with a suggestion", yaml: """
            overhead:
              arms: [off, sdk]
              blocks_seconds: 4
            """, keyPath: "overhead.blocks_seconds", line: 6,
            message: "unknown key 'blocks_seconds'; did you mean 'block_seconds'?"),
        InvalidCase(label: "unknown calibration key with a suggestion", yaml: """
            calibration:
              inject_ms_per_span: 1
            """, keyPath: "calibration.inject_ms_per_span", line: 5,
            message: "unknown key 'inject_ms_per_span'; did you mean 'inject_us_per_span'?"),
        InvalidCase(label: "misspelt root key", yaml: "overhed: {}\n", keyPath: "overhed", line: 4,
                    message: "unknown key 'overhed'; did you mean 'overhead'?"),
        InvalidCase(label: "duplicate arm", yaml: """
            overhead:
              arms:
                - off
                - sdk
                - off
            """, keyPath: "overhead.arms[2]", line: 8,
            message: "duplicate arm 'off' (already overhead.arms[0])"),
        InvalidCase(label: "one arm only", yaml: """
            overhead:
              arms: [off]
            """, keyPath: "overhead.arms", line: 5, message: "must list 2 to 3 tracing modes (the first is the baseline), got 1"),
        InvalidCase(label: "no arms", yaml: """
            overhead:
              blocks: 2
              arms: []
            """, keyPath: "overhead.arms", line: 6, message: "must list 2 to 3 tracing modes (the first is the baseline), got 0"),
        InvalidCase(label: "five arms", yaml: "overhead: {arms: [off, sdk, otlp, sdk, off]}\n", keyPath: "overhead.arms",
                    line: 4, message: "got 5"),
        InvalidCase(label: "unknown mode", yaml: """
            overhead:
              arms: [off, jaeger]
            """, keyPath: "overhead.arms[1]", line: 5,
            message: "unknown tracing mode 'jaeger'; expected one of: off, sdk, otlp"),
        InvalidCase(label: "misspelt mode", yaml: """
            overhead:
              arms:
                - of
                - sdk
            """, keyPath: "overhead.arms[0]", line: 6, message: "(did you mean 'off'?)"),
        InvalidCase(label: "arms not a list", yaml: "overhead:\n  arms: off\n", keyPath: "overhead.arms", line: 5,
                    message: "expected a list, got 'off'"),
        InvalidCase(label: "negative block_seconds", yaml: """
            overhead:
              block_seconds: -1
            """, keyPath: "overhead.block_seconds", line: 5, message: "must be greater than 0 and at most 3600, got -1"),
        InvalidCase(label: "block_seconds over an hour", yaml: "overhead: {block_seconds: 3601}\n",
                    keyPath: "overhead.block_seconds", line: 4, message: "must be greater than 0 and at most 3600, got 3601"),
        InvalidCase(label: "too many blocks", yaml: "overhead:\n  blocks: 51\n", keyPath: "overhead.blocks", line: 5,
                    message: "must be between 0 and 50, got 51"),
        InvalidCase(label: "fractional blocks", yaml: "overhead:\n  blocks: 2.5\n", keyPath: "overhead.blocks", line: 5,
                    message: "expected an integer, got '2.5'"),
        InvalidCase(label: "bootstrap 5", yaml: """
            overhead:
              arms: [off, sdk, otlp]
              bootstrap: 5
            """, keyPath: "overhead.bootstrap", line: 6, message: "must be between 100 and 100000, got 5"),
        InvalidCase(label: "overhead not a mapping", yaml: "overhead: yes\n", keyPath: "overhead", line: 4,
                    message: "expected a mapping, got 'yes'"),
        InvalidCase(label: "negative inject", yaml: """
            calibration:
              inject_us_per_span: -10
            """, keyPath: "calibration.inject_us_per_span", line: 5, message: "must be between 0 and 1000000, got -10"),
        InvalidCase(label: "inject too large", yaml: "calibration: {inject_us_per_span: 2e6}\n",
                    keyPath: "calibration.inject_us_per_span", line: 4, message: "must be between 0 and 1000000, got 2e6"),
        InvalidCase(label: "inject not a number", yaml: "calibration:\n  inject_us_per_span: lots\n",
                    keyPath: "calibration.inject_us_per_span", line: 5, message: "expected a number, got 'lots'"),
    ]

    @Test("an invalid overhead or calibration section reports the key path and line of its problem", arguments: invalidCases)
    func invalidSection(_ testCase: InvalidCase) {
        testCase.check(problems(testCase.yaml))
    }

    @Test("every problem in both sections is reported, in document order")
    func manyProblems() {
        let found = problems("""
            overhead:
              arms: [off, sdk, sdk]
              blocks: -1
              block_seconds: 0
              bootstrap: 5
              colour: red
            calibration:
              inject_us_per_span: -1
            """)
        #expect(found.map(\.keyPath) == [
            "overhead.arms[2]", "overhead.blocks", "overhead.block_seconds", "overhead.bootstrap", "overhead.colour",
            "calibration.inject_us_per_span",
        ])
        #expect(found.map(\.line) == [5, 6, 7, 8, 9, 11])
        #expect(found[4].message == "unknown key 'colour'; expected one of: arms, blocks, block_seconds, bootstrap")
    }
}

/// A black-box scenario (its `target:` on lines 4–11) with `launch` or not; a section appended starts on line 12 (11 without launch).
private func targetYAML(launch: Bool = true) -> String {
    """
    duration_s: 10
    load: {rate_per_s: 5}
    jobs: [{service: s}]
    target:
    \(launch ? "  launch: {command: [./start.sh], ready: \"9000\"}\n" : "")  submit: {url: "http://127.0.0.1:9000/jobs"}
      correlate: {trace_id: "response_header:traceresponse"}
      ledger: {url: "redis://127.0.0.1:6379"}
      expect:
        - {service: api, spans: ["POST /jobs"]}
        - {service: worker, spans: [process-job]}

    """
}

@Suite("Scenario loader: a target's overhead arms", .computeOnly)
struct TargetOverheadScenarioTests {
    @Test("arms are launch environments {name, env}: the first is the baseline; blocks default to 4")
    func environments() throws {
        let scenario = try ScenarioLoader.parse(yaml: targetYAML() + """
            overhead:
              arms:
                - {name: "off", env: {OTEL_SDK_DISABLED: "true"}}
                - name: otlp
            """, file: "t.yaml")
        let overhead = try #require(scenario.overhead)
        #expect(overhead.environments == [EnvironmentArm(name: "off", env: ["OTEL_SDK_DISABLED": "true"]), EnvironmentArm(name: "otlp")])
        #expect(overhead.armNames == ["off", "otlp"] && overhead.blocks == 4 && overhead.blockSeconds == 8)
    }

    @Test("bad arms are refused at their key: tracing modes, one arm, a duplicate or unusable name, unknown keys, no launch")
    func refusals() {
        func problems(_ yaml: String, launch: Bool = true) -> [ScenarioProblem] {
            do {
                _ = try ScenarioLoader.parse(yaml: targetYAML(launch: launch) + yaml, file: "t.yaml")
                Issue.record("expected problems")
                return []
            } catch { return error.problems }
        }
        let modes = problems("overhead:\n  arms: [off, otlp]\n")
        #expect(modes.map(\.keyPath) == ["overhead.arms[0]", "overhead.arms[1]"] && modes.allSatisfy { $0.message.contains("mapping") }, "\(modes)")
        let one = problems("overhead:\n  arms: [{name: a}]\n")
        #expect(one.map(\.keyPath) == ["overhead.arms"] && one[0].message.contains("2 to 4 arms"), "\(one)")
        let twice = problems("overhead:\n  arms: [{name: a}, {name: a}]\n")
        #expect(twice.map(\.keyPath) == ["overhead.arms[1].name"] && twice[0].line == 13, "\(twice)")
        let badName = problems("overhead:\n  arms: [{name: a}, {name: \"a b\"}]\n")
        #expect(badName.map(\.keyPath) == ["overhead.arms[1].name"], "\(badName)")
        let unknown = problems("overhead:\n  arms: [{name: a}, {name: b, envs: {}}]\n")
        #expect(unknown.map(\.keyPath) == ["overhead.arms[1].envs"], "\(unknown)")
        let noArms = problems("overhead:\n  blocks: 2\n")
        #expect(noArms.map(\.keyPath) == ["overhead.arms"] && noArms[0].message.contains("missing required key"), "\(noArms)")
        let oneBlock = problems("overhead:\n  arms: [{name: a}, {name: b}]\n  blocks: 1\n")
        #expect(oneBlock.map(\.keyPath) == ["overhead.blocks"] && oneBlock[0].message.contains("between 2 and 50"), "\(oneBlock)")
        let noLaunch = problems("overhead:\n  arms: [{name: a}, {name: b}]\n", launch: false)
        #expect(noLaunch.map(\.keyPath) == ["overhead"] && noLaunch[0].message.contains("target.launch"), "\(noLaunch)")
    }
}
