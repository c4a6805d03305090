import Foundation
import Testing
import TracebenchJudge
import TracebenchReport
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
        defer { for path in [thresholds, junit, markdown, json] { TestSupport.discard(path) } }
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
        defer { for path in [failing, misspelt, strict, garbage] { TestSupport.discard(path) } }
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
        defer { TestSupport.discard(thresholds) }
        let result = try await tracebench(["gate", "\(Self.fixtures)/capacity-v2.json", "--thresholds", thresholds])
        #expect(result.status == 0 && result.stdout.contains("step1") && result.stdout.contains("step2"), "\(result.stdout)\(result.stderr)")
    }

    /// An exporter aimed at a dead port delivers nothing: the run is `failed`, never `ok` with empty figures.
    @Test func aRunExportingToADeadEndpointFails() async throws {
        let scenario = TestSupport.temporaryPath(".yaml"), out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(scenario); TestSupport.discard(out) }
        let original = try String(contentsOfFile: TestSupport.packageRoot + "/scenarios/smoke.yaml", encoding: .utf8)
        try original.replacingOccurrences(of: "duration_s: 6", with: "duration_s: 2")
            .replacingOccurrences(of: "  sampler: always_on", with: "  sampler: always_on\n  endpoint: http://127.0.0.1:9/v1/traces")
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let result = try await tracebench(["run", scenario, "--quiet", "--out", out])
        #expect(result.status == 4, "\(result.stdout)\(result.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        #expect(json["status"] as? String == "failed")
        let kinds = ((json["problems"] as? [[String: Any]]) ?? []).compactMap { $0["kind"] as? String }
        #expect(kinds.contains("endpoint_unreachable") && kinds.contains("trace_figures_not_measured"), "\(kinds)")
    }

    /// An endpoint's credentials never reach the results file or the output (the coordinator once wrote the endpoint
    /// it exported to a second time, unmasked, into `tracing_effective.endpoint`).
    @Test func endpointCredentialsNeverReachTheResults() async throws {
        let scenario = TestSupport.temporaryPath(".yaml"), out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(scenario); TestSupport.discard(out) }
        let original = try String(contentsOfFile: TestSupport.packageRoot + "/scenarios/smoke.yaml", encoding: .utf8)
        try original.replacingOccurrences(of: "duration_s: 6", with: "duration_s: 2")
            .replacingOccurrences(of: "  sampler: always_on", with: "  sampler: always_on\n  endpoint: http://tb:s3cr3t-pw@127.0.0.1:9/v1/traces")
            .write(toFile: scenario, atomically: true, encoding: .utf8)
        let result = try await tracebench(["run", scenario, "--quiet", "--out", out])
        let written = try String(contentsOfFile: out, encoding: .utf8)
        #expect(!written.contains("s3cr3t-pw") && !result.stdout.contains("s3cr3t-pw") && !result.stderr.contains("s3cr3t-pw"))
        let json = try JSONSerialization.jsonObject(with: Data(written.utf8)) as? [String: Any] ?? [:]
        let endpoint = (json["tracing_effective"] as? [String: Any])?["endpoint"] as? String ?? ""
        #expect(endpoint.contains("127.0.0.1:9") && !endpoint.contains("s3cr3t"), "\(endpoint)")
    }
}

extension CLITests {
    /// k6's abortOnFail: a threshold judged during the load stops the run early, results written, exit 99.
    @Test func abortOnFailStopsTheRunEarly() async throws {
        let scenario = TestSupport.temporaryPath(".yaml"), out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(scenario); TestSupport.discard(out) }
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

extension CLITests {
    /// Bad input never starts anything and never echoes a secret: exit 2 for misuse, unusable output paths and
    /// Redis URLs that do not parse, whatever their scheme.
    @Test func badArgumentsExitTwoBeforeAnythingStarts() async throws {
        let misuse = try await tracebench(["run"])
        #expect(misuse.status == 2, "\(misuse.stderr)")
        let unknown = try await tracebench(["run", "scenarios/smoke.yaml", "--bogus"])
        #expect(unknown.status == 2, "\(unknown.stderr)")

        for out in ["/tmp", "/etc/passwd/inside.json"] {
            let started = ContinuousClock.now
            let result = try await tracebench(["run", "scenarios/smoke.yaml", "--quiet", "--out", out])
            #expect(result.status == 2 && result.stderr.contains("cannot write results to \(out)"), "\(out): \(result.stderr)")
            #expect(ContinuousClock.now - started < .seconds(8), "checked before the run (6 s of load), not after it")
        }

        for url in ["http://:hunter2@127.0.0.1:1", "REDIS://:hunter2@127.0.0.1:1", ":hunter2@127.0.0.1:1"] {
            let result = try await tracebench(["run", "scenarios/smoke.yaml", "--quiet", "--redis", url])
            #expect(result.status == 2, "\(url): \(result.stderr)")
            #expect(!result.stderr.contains("hunter2") && !result.stdout.contains("hunter2"), "\(url): \(result.stderr)")
        }
    }
}

extension CLITests {
    /// The pids whose parent is `pid`, with their command lines.
    static func children(of pid: Int32) -> [(pid: Int32, command: [String])] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { Int32($0) }.compactMap { child in
            guard let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                  let close = stat.lastIndex(of: ")") else { return nil }
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 2, Int32(fields[1]) == pid else { return nil }
            let command = ((try? Data(contentsOf: URL(fileURLWithPath: "/proc/\(child)/cmdline"))) ?? Data())
                .split(separator: 0).map { String(decoding: $0, as: UTF8.self) }
            return (child, command)
        }
    }

    /// Alive and not a zombie.
    static func isAlive(_ pid: Int32) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8), let close = stat.lastIndex(of: ")") else { return false }
        return stat[stat.index(after: close)...].split(separator: " ").first != "Z"
    }

    /// A coordinator killed with SIGKILL takes its API, workers and private redis-server with it, and its work
    /// directory goes too.
    @Test func childrenDoNotOutliveAKilledCoordinator() async throws {
        let scenario = TestSupport.temporaryPath(".yaml")
        defer { TestSupport.discard(scenario) }
        try String(contentsOfFile: TestSupport.packageRoot + "/scenarios/smoke.yaml", encoding: .utf8)
            .replacingOccurrences(of: "duration_s: 6", with: "duration_s: 60").write(toFile: scenario, atomically: true, encoding: .utf8)
        var orphans: [(pid: Int32, command: [String])] = []
        _ = try await tracebench(["run", scenario, "--quiet", "--out", TestSupport.temporaryPath(".json")]) { coordinator in
            try? await Task.sleep(for: .seconds(4))
            orphans = Self.children(of: coordinator)
            kill(coordinator, SIGKILL)
        }
        #expect(orphans.count >= 4, "api, 2 workers and redis-server expected: \(orphans.map(\.command))")
        let workDirectory = orphans.compactMap { child in
            child.command.firstIndex(of: "--config").map { URL(fileURLWithPath: child.command[$0 + 1]).deletingLastPathComponent().path }
        }.first
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline, orphans.contains(where: { Self.isAlive($0.pid) }) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!orphans.contains { Self.isAlive($0.pid) }, "still running: \(orphans.filter { Self.isAlive($0.pid) }.map(\.command))")
        if let workDirectory { #expect(!FileManager.default.fileExists(atPath: workDirectory), "\(workDirectory) left behind") }
    }
}

extension CLITests {
    /// compare, noise, report and history as a user meets them, on the golden fixtures.
    @Test func compareReportAndHistoryFromTheCommandLine() async throws {
        let smoke = "\(Self.fixtures)/run-v2-smoke.json", overhead = "\(Self.fixtures)/run-v2-overhead.json"
        let same = try await tracebench(["compare", "--fail-on-regression", smoke, "--", smoke])
        #expect(same.status == 0 && same.stdout.hasPrefix("compare: 0 regressions"), "\(same.stdout)\(same.stderr)")
        let mismatched = try await tracebench(["compare", smoke, "--", overhead])
        #expect(mismatched.status == 2 && mismatched.stderr.contains("scenario file SHA-256 differs"), "\(mismatched.stderr)")
        let misplaced = try await tracebench(["compare", smoke, "--", smoke, "--json", "x.json"])
        #expect(misplaced.status == 2 && misplaced.stderr.contains("options go before the files"), "\(misplaced.stderr)")
        let unreadable = try await tracebench(["compare", "/nonexistent.json", "--", smoke])
        #expect(unreadable.status == 5, "\(unreadable.stderr)")

        let html = TestSupport.temporaryPath(".html"), md = TestSupport.temporaryPath(".md")
        defer { TestSupport.discard(html); TestSupport.discard(md) }
        let report = try await tracebench(["report", "--html", html, "--md", md, "\(Self.fixtures)/capacity-v2.json"])
        let written = (try? String(contentsOfFile: html, encoding: .utf8)) ?? ""
        #expect(report.status == 0 && written.contains("Capacity plan"), "\(report.stderr)")

        let noise = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(noise) }
        let oneRun = try await tracebench(["noise", smoke, "--out", noise])
        #expect(oneRun.status == 2, "\(oneRun.stderr)")

        let store = TestSupport.temporaryPath("-store")
        defer { TestSupport.discard(store) }
        let added = try await tracebench(["history", "add", "--store", store, smoke])
        #expect(added.status == 0 && added.stdout.contains(store), "\(added.stderr)")
        let check = try await tracebench(["history", "check", "--store", store, smoke])
        #expect(check.status == 0 && check.stdout.contains("at least 3 are needed"), "\(check.stdout)\(check.stderr)")
    }
}
