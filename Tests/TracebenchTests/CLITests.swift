import Foundation
import Testing
import TracebenchRedis

#if canImport(Glibc)
import Glibc
#endif

/// The `tracebench` executable as a user meets it: exit codes per failure class, errors naming file, line and
/// key path, and results written even when a run is interrupted or Redis dies.
@Suite("tracebench CLI", .serialized)
struct CLITests {
    struct Finished {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    /// Runs tracebench; `whileRunning` gets the pid once started.
    func tracebench(_ arguments: [String], environment: [String: String] = [:], whileRunning: ((Int32) async -> Void)? = nil) async throws -> Finished {
        // A `run` starts a whole system: it holds a permit like every other (see SystemRunGate).
        if arguments.first == "run", arguments.count > 1 {
            return try await SystemRunGate.shared.withPermit { try await launch(arguments, environment: environment, whileRunning: whileRunning) }
        }
        return try await launch(arguments, environment: environment, whileRunning: whileRunning)
    }

    private func launch(_ arguments: [String], environment: [String: String], whileRunning: ((Int32) async -> Void)?) async throws -> Finished {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.tracebenchBinary)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: TestSupport.packageRoot)
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let out = TestSupport.temporaryPath(".out"), err = TestSupport.temporaryPath(".err")
        FileManager.default.createFile(atPath: out, contents: nil)
        FileManager.default.createFile(atPath: err, contents: nil)
        defer { TestSupport.discard(out); TestSupport.discard(err) }
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: out))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: err))
        try process.run()
        if let whileRunning { await whileRunning(process.processIdentifier) }
        while process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        return Finished(status: process.terminationStatus,
                        stdout: (try? String(contentsOfFile: out, encoding: .utf8)) ?? "",
                        stderr: (try? String(contentsOfFile: err, encoding: .utf8)) ?? "")
    }

    @Test func invalidScenarioExitsTwoNamingFileLineAndKeyPath() async throws {
        let path = TestSupport.temporaryPath(".yaml")
        try """
        duration_s: 5
        load:
          rate_per_s: -3
        jobs: []
        tracing:
          sampler: sometimes
        """.write(toFile: path, atomically: true, encoding: .utf8)
        defer { TestSupport.discard(path) }
        let result = try await tracebench(["run", path])
        #expect(result.status == 2)
        #expect(result.stderr.contains("\(path):3:"), "\(result.stderr)")
        #expect(result.stderr.contains("load.rate_per_s"))
        #expect(result.stderr.contains("jobs"))
        #expect(result.stderr.contains("tracing.sampler"))
        let validate = try await tracebench(["validate", path, "scenarios/smoke.yaml", "scenarios/peak.yaml"])
        #expect(validate.status == 2)
        #expect(validate.stdout.contains("scenarios/peak.yaml: ok"))
    }

    @Test func unreachableRedisExitsThree() async throws {
        let port = FreePort.loopback()
        let result = try await tracebench(["run", "scenarios/smoke.yaml", "--quiet", "--out", TestSupport.temporaryPath(".json")],
                                          environment: ["REDIS_URL": "redis://:topsecret@127.0.0.1:\(port)/0"])
        #expect(result.status == 3, "\(result.stderr)")
        #expect(result.stderr.contains("127.0.0.1:\(port)"))
        #expect(!result.stderr.contains("topsecret") && !result.stdout.contains("topsecret"))
    }

    @Test func interruptedRunStillWritesFlaggedResults() async throws {
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let result = try await tracebench(["run", "scenarios/smoke.yaml", "--quiet", "--out", out]) { pid in
            try? await Task.sleep(for: .seconds(4))
            // SIGTERM, not SIGINT: a test runner started in the background by a shell inherits SIGINT ignored, and so
            // does this child (kept ignored, as Unix programs do). Again every 50 ms until it exits: a stop raised
            // twice changes nothing, and a signal after the results are written must not kill the process before it
            // exits 130 (it did, once, when the run gave the signals back to their defaults on its way out).
            for _ in 0 ..< 400 where kill(pid, 0) == 0 {
                kill(pid, SIGTERM)
                try? await Task.sleep(for: .milliseconds(50))
            }
        }
        #expect(result.status == 130, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        #expect(json["status"] as? String == "interrupted")
        let jobs = json["jobs"] as? [String: Int] ?? [:]
        #expect((jobs["submitted"] ?? 0) > 0)
        #expect(jobs["submitted"] == (jobs["completed"] ?? 0) + (jobs["failed"] ?? 0) + (jobs["pending"] ?? 0))
        // What was still unjudged at the stop is said, with how many.
        let problems = json["problems"] as? [[String: Any]] ?? []
        #expect(problems.contains { ($0["message"] as? String)?.contains("traces open") == true }, "\(problems)")
    }

    /// A drain that times out with jobs still queued (one worker, one slot, 400 ms jobs offered at 20/s): the run says
    /// how many were pending, and the Redis it used keeps nothing of the run — its queue, counter, stream and job
    /// hashes are gone, so a shared Redis does not collect every cut run's leftovers.
    @Test func aDrainThatTimesOutLeavesNothingOfTheRunInRedis() async throws {
        let server = try RedisServer()
        let out = TestSupport.temporaryPath(".json"), scenario = TestSupport.temporaryPath(".yaml")
        defer { TestSupport.discard(out); TestSupport.discard(scenario) }
        try """
        name: cut-drain
        duration_s: 2
        seed: 3
        drain_timeout_s: 1
        load: {arrival: constant, rate_per_s: 20}
        pipeline: {workers: 1, concurrency_per_worker: 1}
        jobs:
          - service: slow
            steps: [{name: service-process-job, duration_ms: 400}]
        tracing: {mode: "off"}
        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let result = try await tracebench(["run", scenario, "--quiet", "--out", out, "--redis", server.url.secretURL])
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        let runID = try #require(json["run_id"] as? String, "\(result.stderr)")
        let jobs = json["jobs"] as? [String: Any] ?? [:]
        #expect((jobs["pending"] as? Int ?? 0) > 10, "\(jobs)")
        let keys = try RedisConnection(url: server.url).command(["KEYS", "*"]).orThrow().array?.compactMap(\.string) ?? []
        #expect(!runID.isEmpty && keys.filter { $0.contains(runID) }.isEmpty, "\(keys.prefix(10))")
    }

    /// Redis killed 4 s in, during a 30 s load: the load stops within a second, the run fails, and what the
    /// coordinator knows without the ledger (accepted jobs, spans that arrived) is kept and said to be partial.
    @Test func redisDyingMidRunIsFlaggedAndResultsAreWritten() async throws {
        let server = try RedisServer()
        let out = TestSupport.temporaryPath(".json"), scenario = TestSupport.temporaryPath(".yaml")
        defer { TestSupport.discard(out); TestSupport.discard(scenario) }
        try String(contentsOfFile: TestSupport.packageRoot + "/scenarios/smoke.yaml", encoding: .utf8)
            .replacingOccurrences(of: "duration_s: 6", with: "duration_s: 30").write(toFile: scenario, atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let result = try await tracebench(["run", scenario, "--quiet", "--out", out, "--redis", server.url.secretURL]) { _ in
            try? await Task.sleep(for: .seconds(4))
            kill(server.pid, SIGKILL)
        }
        #expect(result.status == 4, "\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        // The load's own window, not the wall clock around the process: a starved suite once took 26 s to start, stop
        // and write a run whose load had stopped within a second of Redis dying.
        let window = (json["throughput"] as? [String: Any])?["window_seconds"] as? Double ?? .infinity
        #expect(window < 25, "the load went on into a dead Redis (\(window) s; \(ContinuousClock.now - started) in all)")
        #expect(json["status"] as? String == "failed")
        let problems = (json["problems"] as? [[String: Any]]) ?? []
        #expect(problems.contains { $0["kind"] as? String == "component_failed" && ($0["message"] as? String ?? "").contains("Redis stopped answering") }, "\(problems)")
        #expect(problems.contains { $0["kind"] as? String == "ledger_unreadable" }, "\(problems)")
        let jobs = json["jobs"] as? [String: Any] ?? [:], spans = json["spans"] as? [String: Any] ?? [:]
        #expect((jobs["submitted"] as? Int ?? 0) > 20, "\(jobs)")
        #expect((spans["received"] as? Int ?? 0) > 0 && (spans["exported"] as? Int ?? 0) >= (spans["received"] as? Int ?? 0), "\(spans)")
    }
}
