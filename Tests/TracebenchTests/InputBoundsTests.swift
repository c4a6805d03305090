
#if canImport(Glibc)
import Foundation
import Glibc
import Testing
import TracebenchInput
import TracebenchJudge
import TracebenchReport
import TracebenchResults
@testable import TracebenchScenario
import Yams
#endif

/// Inputs, round two: every path a user names is read by one bounded reader (a FIFO, a socket, a device or a
/// directory is refused by name, at once), duplicate keys are reported at their exact key path from the node tree,
/// whole-file refusals say where, and a run with tracing off says it has no trace figures.
@Suite("bounded inputs and exact key paths", .serialized)
struct InputBoundsTests {
    /// Paths that are not regular files, each with the word the refusal must use.
    static func hostilePaths(in directory: String) async throws -> [(path: String, kind: String)] {
        let fifo = directory + "/scenario.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        let socket = directory + "/scenario.sock"
        let made = try await TestSupport.python(["-c", "import socket,sys; s=socket.socket(socket.AF_UNIX); s.bind(sys.argv[1])", socket])
        #expect(made.status == 0, "\(made.stderr)")
        return [(fifo, "named pipe (FIFO)"), (socket, "socket"), ("/dev/zero", "character device"), (directory, "directory")]
    }

    @Test("every verb that reads a path refuses a FIFO, a socket, /dev/zero and a directory by name, at once",
          .timeLimit(.minutes(5)))
    func nonRegularPathsAreRefused() async throws {
        let directory = TestSupport.temporaryPath("-inputs")
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        defer { TestSupport.discard(directory) }
        let good = TestSupport.packageRoot + "/Tests/TracebenchTests/Fixtures/results/run-v2-smoke.json"
        for (path, kind) in try await Self.hostilePaths(in: directory) {
            let invocations: [([String], Int32)] = [
                (["validate", path], 2), (["run", path], 2), (["capacity", path], 2),
                (["gate", path], 5), (["gate", "--thresholds", path, good], 2),
                (["compare", path, "--", good], 5), (["compare", "--noise", path, good, "--", good], 5),
                (["report", "--html", directory + "/r.html", path], 5), (["noise", path, good, "--out", directory + "/n.json"], 5),
            ]
            for (arguments, code) in invocations {
                let started = ContinuousClock.now
                let finished = try await CLITests().tracebench(arguments)
                let elapsed = ContinuousClock.now - started
                #expect(finished.status == code, "\(arguments): \(finished.status) \(finished.stderr)")
                #expect(finished.stderr.contains(path) && finished.stderr.contains(kind), "\(arguments): \(finished.stderr)")
                // 0.05 s on an idle machine; with the whole suite sharing 2 cores a debug binary's start took 38 s once.
                // The point is that it returns: a blocking open never does (the time limit above ends the test).
                #expect(elapsed < .seconds(120), "\(arguments) took \(elapsed)")
            }
        }
    }

    @Test("the bounded reader: regular files read whole, a file over the cap refused, I/O errors named")
    func boundedReader() throws {
        let path = TestSupport.temporaryPath(".txt")
        defer { TestSupport.discard(path) }
        try Data(repeating: 0x61, count: 1000).write(to: URL(fileURLWithPath: path))
        #expect(try InputFile.read(path, limit: 1000).count == 1000)
        #expect(throws: (any Error).self) { try InputFile.read(path, limit: 999) }
        let prefix = try InputFile.readPrefix(path, limit: 10)
        #expect(prefix.data.count == 10 && !prefix.complete)
        #expect(throws: (any Error).self) { try InputFile.read("/proc/self/mem", limit: 10) }
        #expect(throws: (any Error).self) { try InputFile.read("/nonexistent/x.yaml", limit: 10) }
    }

    @Test("a scenario over 4 MiB is refused at the line and column where the limit is crossed")
    func oversizedScenarioSaysWhere() throws {
        let path = TestSupport.temporaryPath(".yaml")
        defer { TestSupport.discard(path) }
        let line = "# " + String(repeating: "x", count: 1021) + "\n"  // 1024 bytes a line
        try Data((String(repeating: line, count: 4096) + "duration_s: 1\n").utf8).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ScenarioLoader.load(path: path)
            Issue.record("expected a refusal")
        } catch {
            let problem = try #require(error.problems.first)
            #expect(problem.line == 4097 && problem.column == 1, "\(problem)")
            #expect(problem.message.contains("larger than 4 MiB") && problem.message.contains("byte 4194304"), "\(problem)")
        }
    }

    @Test("an alias expansion over the node limit is refused under the key whose alias crossed it")
    func aliasExpansionSaysWhere() {
        var yaml = "a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"
        for level in 1...9 {
            yaml += "a\(level): &a\(level) [" + Array(repeating: "*a\(level - 1)", count: 10).joined(separator: ", ") + "]\n"
        }
        yaml += "duration_s: 1\nload: {rate_per_s: 1}\njobs: *a9\n"
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "bomb.yaml")
            Issue.record("expected a refusal")
        } catch {
            let problem = error.problems.first
            #expect(problem?.message.contains("expands to more than 100000 nodes") == true, "\(error)")
            #expect(problem?.keyPath.hasPrefix("a") == true && problem?.keyPath != "(root)" && (problem?.line ?? 0) > 1, "\(error)")
            #expect(problem?.message.contains("alias used at line") == true, "\(error)")
        }
    }

    @Test("a duplicate key inside a flow mapping is reported under its own key path")
    func duplicateInFlowMapping() {
        let yaml = """
            duration_s: 10
            load: {rate_per_s: 5}
            jobs: [{service: s, steps: [{name: a}]}]
            tracing:
              sampler: always_on
              batch: {schedule_delay_ms: 100, schedule_delay_ms: 200}
            """
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "test.yaml")
            Issue.record("expected a refusal")
        } catch {
            let problem = error.problems.first
            #expect(problem?.keyPath == "tracing.batch.schedule_delay_ms" && problem?.line == 6 && problem?.column == 35, "\(error)")
            #expect(problem?.message.contains("first at line 6") == true, "\(error)")
        }
    }

    /// Every mapping key of a document with its key path, as the loader names paths.
    static func keyPaths(_ node: Node, _ path: String = "") -> [String] {
        switch node {
        case let .mapping(mapping):
            return mapping.flatMap { pair -> [String] in
                let name = pair.key.scalar?.string ?? "?"
                let child = path.isEmpty ? name : "\(path).\(name)"
                return [child] + keyPaths(pair.value, child)
            }
        case let .sequence(sequence):
            return sequence.enumerated().flatMap { keyPaths($0.element, "\(path)[\($0.offset)]") }
        default:
            return []
        }
    }

    /// `node` with every style left to the emitter, and the key at `target` written twice.
    static func duplicating(_ target: String, in node: Node) -> Node {
        KeyPathPropertyTests.rewriting(target, in: node) { key, value in [(key, value), (key, value)] }
    }

    @Test("property: every key of every shipped scenario, written twice in block and in flow style, is reported at exactly its path")
    func duplicateKeyPathsAreExact() throws {
        let directory = TestSupport.packageRoot + "/scenarios"
        let files = try TestSupport.shippedScenarioFiles()
        #expect(files.count >= 10)
        var checked = 0
        for file in files {
            let text = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
            let root = try #require(try Yams.compose(yaml: text))
            for path in Self.keyPaths(root) {
                let changed = Self.duplicating(path, in: root)
                for style in [Node.Mapping.Style.block, .flow] {
                    let yaml = try Yams.serialize(node: changed, sequenceStyle: style == .block ? .block : .flow, mappingStyle: style)
                    do {
                        _ = try ScenarioLoader.parse(yaml: yaml, file: file)
                        Issue.record("\(file): \(path) written twice was accepted")
                    } catch {
                        let duplicate = error.problems.first { $0.message.contains("duplicate key") }
                        #expect(duplicate?.keyPath == path, "\(file) (\(style)): expected \(path), got \(error)")
                        #expect((duplicate?.line ?? 0) >= 1, "\(file): \(path): \(error)")
                    }
                    checked += 1
                }
            }
        }
        #expect(checked > 500, "\(checked) cases")
    }

    @Test("tracing off: the summary says there are no trace figures and the results write them as null")
    func tracingOffHasNoTraceFigures() throws {
        var results = RunResults()
        results.tracingEffective.mode = "off"
        results.jobs.submitted = 10
        results.jobs.completed = 10
        results.traces.completeness = nil
        results.sampling.observedRatio = nil
        let text = Summary.text(results, path: "r.json")
        #expect(text.contains("tracing   off: no trace figures"), "\(text)")
        #expect(!text.contains("100.00%") && !text.contains("observed 0.0000"), "\(text)")
        let json = try #require(String(data: try ResultsFile.encoder().encode(results), encoding: .utf8))
        #expect(json.contains("\"completeness\" : null") && json.contains("\"observed_ratio\" : null"), "\(json.prefix(400))")
        let back = try JSONDecoder().decode(RunResults.self, from: Data(json.utf8))
        #expect(back.traces.completeness == nil && back.sampling.observedRatio == nil)
    }
}
