import Foundation
import Testing
import TracebenchJudge
import TracebenchMeasure
import TracebenchProcess
import TracebenchReport
import TracebenchResults
@testable import TracebenchRun
@testable import TracebenchScenario
import Yams

/// Hostile input as a class, not as examples: every numeric key a scenario has gets the values that used to crash
/// runs, and either `validate` refuses it (exit 2) or a run with it finishes; secrets never reach a message.
@Suite("Hostile input", .serialized)
struct HostileInputTests {
    /// A small jobs scenario holding (nearly) every numeric key, 1 s of load.
    static let base = """
    name: hostile
    duration_s: 1
    warmup_s: 0.1
    seed: 3
    time_scale: 0.01
    drain_timeout_s: 5
    report_interval_s: 1
    load: {arrival: poisson, rate_per_s: 20, max_in_flight: 16}
    pipeline: {workers: 1, concurrency_per_worker: 4, poll_interval_ms: 50, max_retries: 1, job_timeout_ms: 2000}
    jobs:
      - service: s
        weight: 1
        priority: [1, 3]
        steps:
          - name: a
            duration_ms: {distribution: lognormal, mean: 100, sigma: 0.5}
            error_ratio: 0.1
            children:
              - name: b
                duration_ms: {distribution: uniform, min: 1, max: 5}
    tracing: {mode: otlp, sampler: traceidratio, ratio: 0.5, batch: {schedule_delay_ms: 200, max_queue_size: 1024, max_export_batch_size: 256, export_timeout_ms: 2000}}
    faults: {drop_context_ratio: 0.1}
    calibration: {inject_us_per_span: 1}
    ceilings: {api: 500}
    """

    static let hostileValues = ["0", "-1", "1e308", "-1e308", ".nan", ".inf", "9223372036854775807"]

    /// The numeric key paths the loader reads in `yaml`.
    static func numericPaths(_ yaml: String) -> [String] {
        let reader = YAMLReader(file: "numbers.yaml")
        guard let root = try? Yams.compose(yaml: yaml) else { return [] }
        _ = ScenarioParser(reader: reader, defaultName: "numbers").scenario(YAMLField(node: root, path: ""))
        return reader.numericPaths
    }

    /// `yaml` with the scalar at `path` (`jobs[0].steps[0].duration_ms.mean`) replaced by `value`.
    static func replacing(_ path: String, with value: String, in yaml: String) throws -> String {
        var parts: [String] = []
        for piece in path.split(separator: ".") {
            var rest = Substring(piece)
            if let bracket = rest.firstIndex(of: "[") {
                parts.append(String(rest[..<bracket]))
                rest = rest[bracket...]
                while rest.hasPrefix("["), let close = rest.firstIndex(of: "]") {
                    parts.append(String(rest[rest.index(after: rest.startIndex)..<close]))
                    rest = rest[rest.index(after: close)...]
                }
            } else {
                parts.append(String(rest))
            }
        }
        func replace(_ node: Node, _ path: ArraySlice<String>) -> Node {
            guard let first = path.first else { return Node(value) }
            switch node {
            case .mapping(var mapping):
                if let index = mapping.firstIndex(where: { $0.key.string == first }) {
                    mapping[index] = (key: mapping[index].key, value: replace(mapping[index].value, path.dropFirst()))
                }
                return .mapping(mapping)
            case .sequence(var sequence):
                if let index = Int(first), sequence.indices.contains(index) { sequence[index] = replace(sequence[index], path.dropFirst()) }
                return .sequence(sequence)
            default:
                return node
            }
        }
        guard let root = try Yams.compose(yaml: yaml) else { return yaml }
        return try Yams.serialize(node: replace(root, parts[...]))
    }

    @Test func everyNumericKeyRefusesOrSurvivesHostileValues() async throws {
        let paths = Self.numericPaths(Self.base)
        #expect(paths.count >= 25, "\(paths)")
        var refused = 0
        var ran: [String] = []
        for path in paths {
            for value in Self.hostileValues {
                let yaml = try Self.replacing(path, with: value, in: Self.base)
                #expect(yaml.contains(value), "\(path) not replaced")
                let scenario: Scenario
                do {
                    scenario = try ScenarioLoader.parse(yaml: yaml, file: "hostile.yaml")
                } catch {
                    refused += 1
                    #expect(error.problems.contains { $0.keyPath == path || $0.keyPath.hasPrefix(path) } || !error.problems.isEmpty)
                    continue
                }
                ran.append("\(path)=\(value)")
                let directory = TestSupport.temporaryPath("-hostile")
                defer { TestSupport.discard(directory) }
                let options = RunOptions(resultsDirectory: directory, executablePath: TestSupport.tracebenchBinary, progress: false)
                let outcome = try await TestSupport.runSystem(scenario: scenario, options: options)
                #expect([ExitStatus.ok, ExitStatus.componentFailed].contains(outcome.exitStatus), "\(path)=\(value): \(outcome.results.problems)")
                // A crash of a pipeline process says what the runtime said, not registers.
                #expect(!outcome.results.problems.contains { $0.message.contains("Fatal error") || $0.message.contains("runtime failure") },
                        "\(path)=\(value): \(outcome.results.problems)")
            }
        }
        #expect(refused > paths.count * 4, "refused \(refused), ran \(ran)")
    }

    /// The largest values the loader accepts, together, still run: every conversion saturates.
    @Test func theLargestAcceptedValuesRun() async throws {
        let yaml = Self.base
            .replacingOccurrences(of: "time_scale: 0.01", with: "time_scale: 1000")
            .replacingOccurrences(of: "mean: 100, sigma: 0.5", with: "mean: 1000000000, sigma: 5")
            .replacingOccurrences(of: "job_timeout_ms: 2000", with: "job_timeout_ms: 1")
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "largest.yaml")
        let directory = TestSupport.temporaryPath("-largest")
        defer { TestSupport.discard(directory) }
        let outcome = try await TestSupport.runSystem(scenario: scenario, options: RunOptions(resultsDirectory: directory, executablePath: TestSupport.tracebenchBinary, progress: false))
        #expect(outcome.results.jobs.timeouts > 0, "every attempt is cut at 1 ms: \(outcome.results.problems)")
    }

    @Test func credentialsAreMaskedWhateverTheScheme() {
        let cases = [
            ("redis://:hunter2@127.0.0.1:6379/0", "redis://:<redacted>@127.0.0.1:6379/0"),
            ("REDIS://:hunter2@h:1", "REDIS://:<redacted>@h:1"),
            ("http://user:hunter2@h:80/x", "http://user:<redacted>@h:80/x"),
            ("got ':hunter2@127.0.0.1:6379' instead", "got ':<redacted>@127.0.0.1:6379' instead"),
            ("ftp://token123@h/", "ftp://<redacted>@h/"),
            ("mail me at a@b.com", "mail me at a@b.com"),
            ("http://h/path@x", "http://h/path@x"),
        ]
        for (text, masked) in cases { #expect(Redaction.maskingURLCredentials(text) == masked) }
        // At the choke points: a scenario problem, a run failure and a results problem all mask.
        #expect(!ScenarioProblem(file: "f", keyPath: "k", line: 1, column: 1, message: "bad 'http://:hunter2@h'").description.contains("hunter2"))
        #expect(!RunFailure.environment("Redis at redis://:hunter2@h:1 refused").description.contains("hunter2"))
    }

    @Test func headerValuesWithControlCharactersAreRefused() {
        for value in ["\\r\\n", "\\0", "\\x7F", "\\t", "\\r"] {
            let yaml = "duration_s: 1\nload: {rate_per_s: 1}\njobs: [{service: a, steps: [{name: s}]}]\ntracing: {headers: {X-Bad: \"a\(value)b\"}}\n"
            #expect(throws: ScenarioError.self, "\(value)") { try ScenarioLoader.parse(yaml: yaml, file: "h.yaml") }
        }
    }

    @Test func aliasBombsAreRefusedQuickly() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        yaml += "duration_s: 1\nload: {rate_per_s: 1}\njobs: *a9\n"
        let started = ContinuousClock.now
        #expect(throws: ScenarioError.self) { try ScenarioLoader.parse(yaml: yaml, file: "bomb.yaml") }
        #expect(ContinuousClock.now - started < .seconds(10))  // unbounded, this took minutes; 10 s allows a loaded machine
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "bomb.yaml")
        } catch {
            #expect(error.description.contains("expands to more than 100000 nodes"), "\(error)")
        }
    }

    /// An alias used as a key makes Yams hash the whole expansion while composing: refused from the text, at once.
    @Test func aliasKeysAreRefusedBeforeComposing() throws {
        let bomb = try String(contentsOfFile: TestSupport.packageRoot + "/Fuzz/corpus/scenario/alias-key-bomb.yaml", encoding: .utf8)
        let started = ContinuousClock.now
        #expect(throws: ScenarioError.self) { try ScenarioLoader.parse(yaml: bomb, file: "keys.yaml") }
        #expect(ContinuousClock.now - started < .seconds(10))  // unbounded, this took minutes; 10 s allows a loaded machine
        for yaml in ["a: &a x\n? *a\n: 1\n", "a: &a x\n*a : 1\n", "a: &a x\nb: {*a: 1}\n"] {
            do {
                _ = try ScenarioLoader.parse(yaml: yaml, file: "k.yaml")
                Issue.record("\(yaml) accepted")
            } catch {
                #expect(error.description.contains("used as a mapping key"), "\(error)")
            }
        }
        // Aliases as values are fine, and a star inside quotes or a comment is not an alias.
        #expect(ScenarioLoader.aliasKeyLine("jobs: *a9\nx: [*a, *b]\nname: \"*a: 1\" # *b: 2\n") == nil)
    }

    @Test func manyProblemsArePrintedAsAFewLines() {
        let yaml = "duration_s: 1\nload: {rate_per_s: 1}\njobs: [{service: a, steps: [{name: s}]}]\n" + (0..<5_000).map { "unknown_\($0): 1" }.joined(separator: "\n")
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "many.yaml")
            Issue.record("expected problems")
        } catch {
            #expect(error.problems.count == 5_000)
            #expect(error.description.split(separator: "\n").count == ScenarioError.printedProblems + 1)
            #expect(error.description.hasSuffix("… and 4900 more problems"))
        }
    }

    @Test func aDuplicateNestedKeyIsReportedAtItsPath() {
        let yaml = """
        duration_s: 1
        load: {rate_per_s: 1}
        jobs:
          - service: a
            steps:
              - name: s
                duration_ms: 1
                duration_ms: 2
        """
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "dup.yaml")
            Issue.record("expected a problem")
        } catch {
            #expect(error.problems.first?.keyPath == "jobs[0].steps[0].duration_ms", "\(error)")
            #expect(error.problems.first?.line == 8, "\(error)")
        }
    }

    /// A named pipe is refused by name before it is opened for reading (it used to be read through a handle, and one
    /// with no writer blocked `validate` and `run` forever): write the scenario to a file instead of `<(…)`.
    @Test func aScenarioFromAPipeIsRefusedByName() throws {
        let fifo = TestSupport.temporaryPath(".fifo")
        #expect(mkfifo(fifo, 0o600) == 0)
        defer { unlink(fifo) }
        do {
            _ = try ScenarioLoader.load(path: fifo)
            Issue.record("expected a refusal")
        } catch {
            #expect(error.problems.first?.message.contains("it is a named pipe (FIFO), not a regular file") == true, "\(error)")
        }
    }

    @Test func tooManyStepsAreRefused() {
        let step = "{name: s}"
        let yaml = "duration_s: 1\nload: {rate_per_s: 1}\njobs: [{service: a, steps: [" + Array(repeating: step, count: 10_001).joined(separator: ", ") + "]}]\n"
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "steps.yaml")
            Issue.record("expected a problem")
        } catch {
            #expect(error.description.contains("10001 steps; at most 10000"), "\(error.description.prefix(300))")
        }
    }

    @Test func aChildsCrashIsExplainedByItsRuntimeLine() {
        let log = """
        READY worker-0
        TracebenchPipeline/JobProcessor.swift:59: Fatal error: Double value cannot be converted to Int64 because it is outside the representable range
        💣 Program crashed: Illegal instruction at 0x00005555
        Thread 3 crashed:
        0 0x00007f… in ???
        rax 0x0000000000000000  rbx 0x00007ffd…
        Images (42 omitted):
        """
        let explained = ChildProcess.explain(log: log)
        #expect(explained.contains("Fatal error: Double value cannot be converted"), "\(explained)")
        #expect(!explained.contains("rax"))
        #expect(ChildProcess.explain(log: "a\nb\nc", lines: 2) == "\n    b\n    c")
    }

    /// Every way a password can reach tracebench, through every path that prints or stores: never echoed.
    @Test func noErrorPathEchoesAPassword() async throws {
        let secret = "hunter2-s3cr3t"
        let directory = TestSupport.temporaryPath("-secrets")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { TestSupport.discard(directory) }
        let base = "duration_s: 1\nload: {rate_per_s: 2}\njobs: [{service: a, steps: [{name: s}]}]\n"
        let scenarios = [
            base + "redis: {url: \"http://:\(secret)@127.0.0.1:1\"}\n",
            base + "redis: {url: \"REDIS://:\(secret)@127.0.0.1:1\"}\n",
            base + "redis: {url: \":\(secret)@127.0.0.1:1\"}\n",
            base + "redis: {url: \"redis://:\(secret)@127.0.0.1:99999\"}\n",
            base + "tracing: {endpoint: \"http://user:\(secret)@127.0.0.1:70000/v1/traces\"}\n",
            base + "tracing: {headers: {Authorization: \"Bearer \(secret)\\r\\n\"}}\n",  // YAML escapes: a real CR LF
        ]
        for (index, yaml) in scenarios.enumerated() {
            do {
                _ = try ScenarioLoader.parse(yaml: yaml, file: "s\(index).yaml")
                Issue.record("scenario \(index) should be refused")
            } catch {
                #expect(!error.description.contains(secret), "scenario \(index): \(error.description)")
            }
        }
        // A run that gets as far as results: an unreachable Redis named with a password, and a header secret.
        let yaml = base + "tracing: {headers: {Authorization: \"Bearer \(secret)\"}}\n"
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "ok.yaml")
        var options = RunOptions(resultsDirectory: directory, executablePath: TestSupport.tracebenchBinary, progress: false)
        options.redisURL = "redis://:\(secret)@127.0.0.1:1/0"
        do {
            _ = try await TestSupport.runSystem(scenario: scenario, options: options)
            Issue.record("Redis at port 1 should be unreachable")
        } catch {
            #expect(!error.description.contains(secret), "\(error.description)")
        }
        options.redisURL = nil
        let outcome = try await TestSupport.runSystem(scenario: scenario, options: options)
        let written = try String(contentsOfFile: outcome.path, encoding: .utf8)
        #expect(!written.contains(secret), "the results file holds the secret")
        #expect(!Summary.text(outcome.results, path: outcome.path).contains(secret))
    }
}
