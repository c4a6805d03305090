import Foundation
import Testing
import TracebenchResults

/// `tracebench gate` as a nightly CI job meets it: thresholds files, every output, and an exit code per outcome.
extension CLITests {
    static let fixtures = "Tests/TracebenchTests/Fixtures/results"

    func thresholdsFile(_ body: String) throws -> String {
        let path = TestSupport.temporaryPath(".yaml")
        try body.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test func gatePassesWritesEveryOutputAndReadsEveryVersion() async throws {
        let thresholds = try thresholdsFile("""
        thresholds:
          latency.end_to_end.p99: "< 750ms"
          spans.dropped: "== 0"
          jobs.failed: "== 0"
          sampling.observed_ratio: "contains configured"
        """)
        let junit = TestSupport.temporaryPath(".xml"), markdown = TestSupport.temporaryPath(".md"), json = TestSupport.temporaryPath(".json")
        defer { for path in [thresholds, junit, markdown, json] { try? FileManager.default.removeItem(atPath: path) } }
        let result = try await tracebench(["gate", "\(Self.fixtures)/run-v1-smoke.json", "\(Self.fixtures)/run-v2-smoke.json",
                                           "--thresholds", thresholds, "--junit", junit, "--markdown", markdown, "--json", json])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("gate: PASS") && result.stdout.contains("run-v1-smoke.json") && result.stdout.contains("run-v2-smoke.json"))
        // The schema 1 file has no histogram: its p99 is judged on the point estimate, and says so.
        #expect(result.stdout.contains("no histogram in this file"))
        let xml = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(xml.contains("<testsuites") && xml.components(separatedBy: "<testcase").count - 1 == 8)
        #expect(try String(contentsOfFile: markdown, encoding: .utf8).hasPrefix("### tracebench gate: PASS"))
        let verdict = try JSONDecoder().decode(GateReport.VerdictFile.self, from: Data(contentsOf: URL(fileURLWithPath: json)))
        #expect(verdict.exitCode == 0 && verdict.verdict.thresholds.count == 8)
    }

    @Test func gateExitCodes() async throws {
        let failing = try thresholdsFile("thresholds:\n  latency.end_to_end.p99: \"< 1ms\"\n")
        let misspelt = try thresholdsFile("thresholds:\n  latency.end_to_end.p99: \"< 1s\"\n  traces.completenes: \">= 0.99\"\n")
        let strict = try thresholdsFile("thresholds:\n  traces.completeness: \">= 0.99\"\n")
        let garbage = TestSupport.temporaryPath(".json")
        try "{\"schema_version\": 7}".write(toFile: garbage, atomically: true, encoding: .utf8)
        defer { for path in [failing, misspelt, strict, garbage] { try? FileManager.default.removeItem(atPath: path) } }
        let smoke = "\(Self.fixtures)/run-v2-smoke.json"

        let failed = try await tracebench(["gate", smoke, "--thresholds", failing])
        #expect(failed.status == 99 && failed.stdout.contains("FAIL"), "\(failed.stdout)\(failed.stderr)")

        let typo = try await tracebench(["gate", smoke, "--thresholds", misspelt])
        #expect(typo.status == 2 && typo.stderr.contains(":3:") && typo.stderr.contains("did you mean 'traces.completeness'"), "\(typo.stderr)")

        // 150 of 150 complete cannot show ≥ 0.99 with confidence: inconclusive passes, unless --strict.
        let lenient = try await tracebench(["gate", smoke, "--thresholds", strict])
        #expect(lenient.status == 0 && lenient.stdout.contains("inconclusive"), "\(lenient.stdout)")
        let strictRun = try await tracebench(["gate", smoke, "--thresholds", strict, "--strict"])
        #expect(strictRun.status == 98, "\(strictRun.stdout)")

        let unreadable = try await tracebench(["gate", garbage, "--thresholds", strict])
        #expect(unreadable.status == 5 && unreadable.stderr.contains("schema_version 7"), "\(unreadable.stderr)")

        // A file without thresholds of its own needs --thresholds.
        let none = try await tracebench(["gate", smoke])
        #expect(none.status == 2 && none.stderr.contains("--thresholds"), "\(none.stderr)")
    }

    /// A capacity summary is judged through its steps' results files (found next to it).
    @Test func gateJudgesACapacitySweepThroughItsSteps() async throws {
        let thresholds = try thresholdsFile("thresholds:\n  collector.rss_bytes_max: \"< 100MB\"\n  spans.dropped: \"== 0\"\n")
        defer { try? FileManager.default.removeItem(atPath: thresholds) }
        let result = try await tracebench(["gate", "\(Self.fixtures)/capacity-v2.json", "--thresholds", thresholds])
        #expect(result.status == 0 && result.stdout.contains("step1") && result.stdout.contains("step2"), "\(result.stdout)\(result.stderr)")
    }

    /// An exporter aimed at a dead port delivers nothing: the run is `failed`, never `ok` with empty figures.
    @Test func aRunExportingToADeadEndpointFails() async throws {
        let scenario = TestSupport.temporaryPath(".yaml"), out = TestSupport.temporaryPath(".json")
        defer { try? FileManager.default.removeItem(atPath: scenario); try? FileManager.default.removeItem(atPath: out) }
        let original = try String(contentsOfFile: TestSupport.packageRoot + "/scenarios/smoke.yaml", encoding: .utf8)
        try original.replacingOccurrences(of: "duration_s: 6", with: "duration_s: 2")
            .replacingOccurrences(of: "  sampler: always_on", with: "  sampler: always_on\n  endpoint: http://127.0.0.1:9/v1/traces")
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let result = try await tracebench(["run", scenario, "--quiet", "--out", out])
        #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        #expect(json["status"] as? String == "failed")
        let kinds = ((json["problems"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds.contains("endpoint_unreachable") && kinds.contains("not_measured"), "\(kinds)")
    }
}

extension CLITests {
    /// k6's abortOnFail: a threshold judged during the load stops the run early, results written, exit 99.
    @Test func abortOnFailStopsTheRunEarly() async throws {
        let scenario = TestSupport.temporaryPath(".yaml"), out = TestSupport.temporaryPath(".json")
        defer { try? FileManager.default.removeItem(atPath: scenario); try? FileManager.default.removeItem(atPath: out) }
        let original = try String(contentsOfFile: TestSupport.packageRoot + "/scenarios/smoke.yaml", encoding: .utf8)
        try (original.replacingOccurrences(of: "duration_s: 6", with: "duration_s: 30") + """

        thresholds:
          jobs.submitted: {threshold: "< 40", abort_on_fail: true, delay_abort_eval: 1s}
        """).write(toFile: scenario, atomically: true, encoding: .utf8)
        let started = ContinuousClock.now
        let result = try await tracebench(["run", scenario, "--quiet", "--out", out])
        #expect(result.status == 99, "\(result.stdout)\(result.stderr)")
        #expect(ContinuousClock.now - started < .seconds(20), "the 30 s load was not cut short")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        #expect(json["status"] as? String == "failed")
        let problems = (json["problems"] as? [[String: Any]]) ?? []
        #expect(problems.contains { $0["kind"] as? String == "aborted_by_threshold" && ($0["message"] as? String ?? "").contains("jobs.submitted") }, "\(problems)")
    }
}
