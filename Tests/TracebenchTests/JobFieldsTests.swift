import Foundation
import Testing
import TracebenchResults
@testable import TracebenchRun
import TracebenchScenario
import TracebenchVocabulary

/// A target's templates and its job types: placeholders defined once and checked where they are written,
/// `jobs[].fields` reaching the user's system, `jobs[].expect` judging each type's traces.
@Suite("target placeholders and job types", .computeOnly)
struct JobFieldsTests {
    static func yaml(jobs: String = "[{service: a}]", launch: String = "", url: String = "http://127.0.0.1:{api_port}/jobs",
                     body: String = #"{"id": "{job_id}"}"#, ledger: String = #"{url: "redis://127.0.0.1:{redis_port}"}"#) -> String {
        """
        name: placeholders
        duration_s: 1
        load: {arrival: constant, rate_per_s: 1}
        jobs: \(jobs)
        target:
        \(launch)
          submit:
            url: "\(url)"
            headers: {Content-Type: application/json}
            body: '\(body)'
          correlate: {trace_id: "response_header:traceresponse"}
          ledger: \(ledger)
          expect: [{service: api, spans: [x]}]
        """
    }

    static func refusal(_ yaml: String) -> String {
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "p.yaml")
            return "accepted"
        } catch {
            return "\(error)"
        }
    }

    @Test("placeholders: found as lower-case names in braces (JSON is text), filled in one pass")
    func placeholderText() {
        #expect(Placeholders.names(in: #"{"id": "{job_id}", "p": {priority}, "x": {X}, "e": {}, "n": {"a": 1}}"#) == ["job_id", "priority"])
        #expect(Placeholders.fill("/jobs/{job_id}?m={model}&u={unknown}", ["job_id": "{model}", "model": "sd"]) == "/jobs/{model}?m=sd&u={unknown}")
        #expect(Placeholders.fill("{ {job_id}}{", ["job_id": "7"]) == "{ 7}{")
    }

    @Test("known placeholders and every type's fields are accepted; the rest refused where written, with a suggestion")
    func placeholdersChecked() throws {
        let good = Self.yaml(jobs: #"[{service: a, fields: {model: sd15, steps: "3"}}, {service: b, fields: {model: flux, steps: "1"}}]"#,
                             url: "http://127.0.0.1:{api_port}/jobs/{job_id}",
                             body: #"{"id": "{job_id}", "model": "{model}", "steps": {steps}, "i": {index}}"#)
        let scenario = try ScenarioLoader.parse(yaml: good, file: "p.yaml")
        #expect(scenario.jobs.map(\.fields) == [["model": "sd15", "steps": "3"], ["model": "flux", "steps": "1"]])

        let cases: [(String, [String])] = [
            (Self.yaml(launch: "  launch: {command: [run, --port, \"{api_prot}\"], ready: \"{api_port}\"}"),
             ["target.launch.command", "{api_prot}", "did you mean {api_port}"]),
            (Self.yaml(body: #"{"id": "{job_id}", "m": "{model}"}"#), ["target.submit.body", "unknown placeholder {model}", "jobs[].fields"]),
            (Self.yaml(jobs: "[{service: a, fields: {model: x}}, {service: b}]", body: #"{"m": "{model}"}"#),
             ["target.submit.body", "{model}", "jobs[1] (service b)"]),
            (Self.yaml(ledger: #"{url: "redis://127.0.0.1:{redis_port}", key: "job:{service}:{job_id}"}"#), ["target.ledger.key", "{service}"]),
            (Self.yaml(ledger: #"{url: "redis://127.0.0.1:{job_id}"}"#), ["target.ledger.url", "{job_id}"]),
            (Self.yaml(jobs: "[{service: a, fields: {Model: x}}]"), ["jobs[0].fields.Model", "not a placeholder name"]),
            (Self.yaml(jobs: "[{service: a, fields: {job_id: x}}]"), ["jobs[0].fields.job_id", "built-in"]),
            (Self.yaml(body: #"{"id": {job_id}}"#), ["target.submit.body", "not valid JSON", "jobs[0] (service a)"]),
            (Self.yaml(jobs: #"[{service: a, fields: {n: "1"}}, {service: b, fields: {n: "x y"}}]"#, body: #"{"n": {n}}"#),
             ["target.submit.body", "not valid JSON", "jobs[1] (service b)"]),
        ]
        for (yaml, words) in cases {
            let message = Self.refusal(yaml)
            #expect(words.allSatisfy(message.contains) && message.contains("p.yaml:"), "\(words) → \(message)")
        }
        let builtIn = """
            name: b
            duration_s: 1
            load: {arrival: constant, rate_per_s: 1}
            jobs: [{service: a, fields: {m: x}, steps: [{name: s, duration: {distribution: fixed, mean_ms: 1}}]}]
            """
        #expect(Self.refusal(builtIn).contains("jobs[0].fields") && Self.refusal(builtIn).contains("target runs"))
    }

    @Test("the real pipeline: each type's steps field reaches the system (3 step spans more per job), and a type whose expect wants a step it never gets is partial, exactly its jobs",
          .timeLimit(.minutes(3)))
    func fieldsAndExpectPerType() async throws {
        try #require(BlackBoxTests.pipelineInstalled, "the black-box pipeline is not installed (scripts/setup.sh makes .venv-blackbox)")
        let expectSteps = { (count: Int) in
            "[{service: bb-api, spans: [\"POST /jobs\"]}, {service: bb-worker, spans: [process-job], at_least: {step: \(count)}}]"
        }
        let jobs = """
            [{service: three, fields: {steps: "3"}, expect: \(expectSteps(3))}, {service: none, fields: {steps: "0"}},
             {service: wrong, fields: {steps: "0"}, expect: \(expectSteps(1))}]
            """
        // max_in_flight far above the 100 arrivals: none dropped even on a starved machine, so the indices are the jobs.
        let scenario = try BlackBoxTests.scenario(rate: 25, seconds: 4, maxInFlight: 1000, jobs: jobs,
                                                  body: #"{"id": "{job_id}", "service": "{service}", "priority": {priority}, "steps": {steps}}"#)
        let r = try await BlackBoxTests().run(scenario).results
        let target = try #require(r.target)
        #expect(r.status == "ok" && r.jobs.completed == r.jobs.submitted && r.jobs.droppedArrivals == 0, "\(r.problems) \(r.jobs)")
        // The job mix is the seed's: the same picker says which index is which type.
        let picker = JobPicker(scenario: scenario)
        let types = (0..<r.jobs.submitted).map { picker.job(index: $0, id: "", intendedStartMicros: 0).type }
        let (three, wrong) = (types.count { $0 == 0 }, types.count { $0 == 2 })
        #expect(three > 0 && wrong > 0)
        #expect(target.count(.partial) == wrong && target.count(.complete) == r.jobs.submitted - wrong, "\(target.outcomes)")
        #expect(target.missing == ["bb-worker/step": wrong], "\(target.missing)")
        #expect(target.examples["partial", default: []].allSatisfy { types[Int($0.split(separator: "-").last!)!] == 2 })
        #expect(r.spans.received == 6 * r.jobs.submitted + 3 * three, "\(r.spans.received) for \(r.jobs.submitted) jobs, \(three) with 3 steps")
    }

    @Test("JSON pointers (RFC 6901): escapes, arrays, only strings; malformed ones refused at load")
    func jsonPointers() throws {
        let body = Data(#"{"trace": {"traceparent": "00-x"}, "a/b": {"m~n": "esc"}, "list": [{"id": "first"}, 7], "n": 5}"#.utf8)
        #expect(JSONPointer.string(at: "/trace/traceparent", in: body) == "00-x")
        #expect(JSONPointer.string(at: "/a~1b/m~0n", in: body) == "esc")
        #expect(JSONPointer.string(at: "/list/0/id", in: body) == "first")
        for missing in ["/list/1", "/list/2/id", "/list/01/id", "/n", "/trace", "/nope", ""] {
            #expect(JSONPointer.string(at: missing, in: body) == nil, "\(missing)")
        }
        #expect(JSONPointer.string(at: "/x", in: Data("not json".utf8)) == nil)
        #expect(!JSONPointer.isValid("trace") && !JSONPointer.isValid("/a~2") && !JSONPointer.isValid("/a~") && JSONPointer.isValid("/a~01"))
        let yaml = Self.yaml().replacingOccurrences(of: "response_header:traceresponse", with: "response:/trace~x")
        let message = Self.refusal(yaml)
        #expect(message.contains("target.correlate.trace_id") && message.contains("RFC 6901"), "\(message)")
    }

    @Test("the real pipeline: trace ids read from the submit response's JSON body (response:/trace/traceparent); every trace complete",
          .timeLimit(.minutes(3)))
    func traceIDFromResponseBody() async throws {
        try #require(BlackBoxTests.pipelineInstalled, "the black-box pipeline is not installed (scripts/setup.sh makes .venv-blackbox)")
        let r = try await BlackBoxTests().run(try BlackBoxTests.scenario(rate: 20, seconds: 3, traceID: "response:/trace/traceparent")).results
        let target = try #require(r.target)
        #expect(r.status == "ok" && target.count(.complete) == r.jobs.submitted && r.jobs.submitted >= 40 && target.uncorrelated == 0,
                "\(target.outcomes) \(r.problems)")
        #expect(r.sampling.observedRatio == 1 && r.spans.duplicates == 0 && (r.spans.unowned ?? 0) >= 1)
    }
}

