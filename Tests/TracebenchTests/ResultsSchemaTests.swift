import Foundation
import Testing
import TracebenchJudge
import TracebenchMeasure
import TracebenchReport
import TracebenchResults

/// Results files are the product's interface: every file an earlier version wrote must keep reading (vegeta's
/// `TestResultEncoding` is the model). The fixtures in `Fixtures/results/` were written by the code of their
/// version and are never regenerated.
@Suite("Results schema", .computeOnly)
struct ResultsSchemaTests {
    static let fixtures = TestSupport.packageRoot + "/Tests/TracebenchTests/Fixtures/results"

    static var fixtureNames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: fixtures)) ?? []).filter { $0.hasSuffix(".json") }.sorted()
    }

    @Test func everyKindAndVersionHasAFixture() {
        let names = Self.fixtureNames
        for expected in ["run-v1-smoke", "run-v1-overhead", "run-v1-firehose-rotel", "capacity-v1", "sink-speed-v1",
                         "run-v2-smoke", "run-v2-overhead", "capacity-v2", "sink-speed-v2"] {
            #expect(names.contains("\(expected).json"), "missing fixture \(expected).json")
        }
    }

    @Test(arguments: ResultsSchemaTests.fixtureNames)
    func fixtureReads(_ name: String) throws {
        let document = try ResultsFile.read(from: "\(Self.fixtures)/\(name)")
        switch document {
        case .run(let r):
            #expect(name.hasPrefix("run-") || name.contains("-step"))
            #expect(!r.scenarioName.isEmpty && !r.runID.isEmpty && r.status == RunStatus.ok, "\(name)")
            #expect(r.environment.cpuCount > 0 && !r.environment.gitRevision.isEmpty)
            // A black-box run measures no end-to-end latency (the user's workers are not tracebench's); a listen has no jobs.
            if let listen = r.listen {
                #expect(r.kind == .listen && r.spans.received > 0 && listen.windowSeconds > 0)
            } else if r.firehose == nil {
                #expect(r.jobs.submitted > 0 && r.jobs.submitted == r.jobs.completed + r.jobs.failed + r.jobs.pending)
                // A load-only target (run-v2-agents: several hosts offering one) judges no trace either.
                #expect((r.latency[r.target == nil && r.tracesObserved ? "end_to_end" : "submit"]?.count ?? 0) > 0)
            } else {
                #expect(r.spans.received > 0 && r.collector != nil)
            }
            if name.contains("overhead") { #expect(r.overhead?["otlp"]?.perRequestUs.samples ?? 0 > 0) }
            if name.contains("agents") {
                let hosts = r.load?.agents?.agents ?? []
                #expect(hosts.count == 3 && hosts.map(\.accepted).reduce(0, +) == r.jobs.submitted && r.load?.agents?.startSkewMicros != nil)
            }
            if (name.contains("-v2-") || name.contains("-step")) && r.listen == nil {
                #expect(r.schemaVersion == 2 && r.kind == .run && r.scenarioFile.sha256.count == 64)
                let phase = !r.tracesObserved ? "submit" : r.firehose == nil && r.target == nil ? "end_to_end" : "visibility"
                #expect(r.latency[phase]?.histogram?.hasPrefix("HISTF") == true)
                let counter = r.firehose == nil ? IntervalSeries.Counter.submitted : IntervalSeries.Counter.spansAtSink
                // A black-box run keeps no per-interval submitted counter (yet): its series holds latency and sink counts.
                if r.target == nil && r.tracesObserved {
                    #expect((r.series?.counters[counter]?.reduce(0, +) ?? 0) == (r.firehose == nil ? r.jobs.submitted : r.spans.received))
                }
                #expect(!r.environment.hostFingerprint.isEmpty && r.environment.swiftOTelVersion == "1.6.0")
                #expect(r.scenario["duration_s"] != nil, "the scenario block keeps the user's key names")
            }
        case .capacity(let c):
            #expect(name.hasPrefix("capacity-") && !c.steps.isEmpty && c.kneeSpansPerSecond != nil)
        case .sinkSpeed(let s):
            #expect(name.hasPrefix("sink-speed-") && !s.rounds.isEmpty && s.sinkSpansPerSecond > 0)
        }
    }

    /// Written by this version's black-box overhead run and `listen --expect`: a per-request overhead without per-job
    /// figures (absent, not 0), and a listen's completeness with what its traces lacked.
    @Test func blackBoxOverheadAndListenExpectFixtures() throws {
        guard case .run(let overhead) = try ResultsFile.read(from: "\(Self.fixtures)/run-v2-blackbox-overhead.json") else {
            Issue.record("not a run")
            return
        }
        let otlp = try #require(overhead.overhead?["otlp"])
        #expect(otlp.baseline == "off" && otlp.perRequestUs.samples == 6 && otlp.perJobUs == nil && otlp.spansPerJob == nil)
        #expect(overhead.target != nil && overhead.resources["target"] != nil && overhead.budgets?.verdicts["otlp"] != nil)
        guard case .run(let listen) = try ResultsFile.read(from: "\(Self.fixtures)/run-v2-listen-expect.json") else {
            Issue.record("not a listen")
            return
        }
        #expect(listen.kind == .listen && listen.traces.complete == 8 && listen.traces.expected == 10)
        #expect(listen.listen?.missing == ["checkout/charge": 2] && listen.traces.completeness == 0.8)
    }

    /// Keys this version does not know are ignored; keys it knows but the file lacks take their defaults.
    @Test func unknownKeysAreIgnoredAndMissingKeysDefault() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: "\(Self.fixtures)/run-v2-smoke.json"))
        var object = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        object["added_in_a_later_version"] = ["nested": [1, 2, 3]]
        var jobs = try #require(object["jobs"] as? [String: Any])
        jobs["some_new_counter"] = 12
        jobs.removeValue(forKey: "retries")
        object["jobs"] = jobs
        object.removeValue(forKey: "sink")
        let edited = try JSONSerialization.data(withJSONObject: object)
        guard case .run(let r) = try ResultsFile.read(data: edited, path: "edited.json") else {
            Issue.record("not read as a run")
            return
        }
        #expect(r.jobs.retries == 0 && r.jobs.submitted > 0 && r.sink.requests == 0)
    }

    /// What this version writes reads back equal (the round trip every later version relies on).
    @Test func writtenFilesRoundTrip() throws {
        guard case .run(let original) = try ResultsFile.read(from: "\(Self.fixtures)/run-v2-smoke.json") else {
            Issue.record("not a run")
            return
        }
        let path = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(path) }
        try ResultsFile.write(original, to: path)
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        guard case .run(let again) = try ResultsFile.read(from: path) else { return }
        try ResultsFile.write(again, to: path)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == first)
    }

    @Test func unreadableFilesSayWhy() throws {
        func reason(_ text: String) -> String {
            do {
                _ = try ResultsFile.read(data: Data(text.utf8), path: "f.json")
                return "read"
            } catch {
                return error.reason
            }
        }
        #expect(reason("not json").contains("not a tracebench results file"))
        #expect(reason(#"{"status": "ok"}"#).contains("no schema_version"))
        #expect(reason(#"{"schema_version": 99}"#).contains("schema_version 99"))
        #expect(reason(#"{"schema_version": 2, "kind": "mystery"}"#).contains("kind 'mystery'"))
        #expect(reason(#"{"schema_version": 2, "kind": "run", "jobs": {"submitted": "many"}}"#).contains("jobs.submitted"))
        #expect(throws: ResultsReadError.self) { try ResultsFile.read(from: "/nonexistent/results.json") }
    }

    @Test func schemaOneProblemsReadAsUnclassified() throws {
        guard case .run(let r) = try ResultsFile.read(data: Data(#"{"schema_version": 1, "status": "failed", "problems": ["Redis died"]}"#.utf8), path: "x") else {
            Issue.record("not a run")
            return
        }
        #expect(r.problems == [Problem(.unclassified, "Redis died")])
    }

    /// The recorded SDK version is the one Package.swift pins.
    @Test func recordedSwiftOTelVersionMatchesThePackage() throws {
        let manifest = try String(contentsOfFile: TestSupport.packageRoot + "/Package.swift", encoding: .utf8)
        #expect(manifest.contains(#"swift-otel/swift-otel", exact: "1.6.0""#))
    }

    /// The scenario block: the user's keys, secrets redacted at the one choke point, and the file's SHA-256.
    @Test func scenarioRecordKeepsUserKeysAndRedactsSecrets() throws {
        let yaml = """
        duration_s: 5
        tracing: {mode: off, headers: {Authorization: "Bearer s3cr3t"}}
        redis: {url: "redis://:hunter2@127.0.0.1:6379/0"}
        collector: {launch: {command: [x, "--header", "Authorization=Bearer s3cr3t", "--sink-token", "tb-sink-token"], env: {API_TOKEN: abc}}}
        sink: {token: tb-sink-token}
        """
        let document = ScenarioRecord.document(yaml: yaml)
        #expect(document.value(at: "duration_s") == .number(5))
        #expect(document.value(at: "tracing.mode") == .string("off"))
        #expect(document.value(at: "tracing.headers.Authorization") == .string(Redaction.marker))
        #expect(document.value(at: "redis.url")?.string == "redis://:<redacted>@127.0.0.1:6379/0")
        #expect(document.value(at: "collector.launch.env.API_TOKEN") == .string(Redaction.marker))
        let encoded = String(decoding: try ResultsFile.encoder().encode(document), as: UTF8.self)
        #expect(!encoded.contains("s3cr3t") && !encoded.contains("hunter2") && !encoded.contains("abc") && !encoded.contains("tb-sink-token"))
        // A secret repeated outside its key (a collector's command line) is masked there too.
        guard case .array(let command)? = document.value(at: "collector.launch.command") else { Issue.record("no command"); return }
        #expect(command[2] == .string("Authorization=<redacted>") && command[4] == .string(Redaction.marker), "\(encoded)")
        #expect(ScenarioRecord.file(path: "s.yaml", yaml: "abc").sha256 == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
    }
}
