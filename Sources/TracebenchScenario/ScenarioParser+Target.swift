import Foundation
import TracebenchRedis
import Yams

/// The `target` section (black-box mode): the user's own system, its submit request, correlation, ledger and what a
/// complete trace holds.
extension ScenarioParser {
    /// `target:` (absent: the built-in pipeline). Settings of the built-in pipeline are refused next to it.
    func targetSection(_ map: YAMLMapping, firehose: Bool) -> TargetSpec? {
        guard let field = map["target"] else { return nil }
        let ownSystem = "the built-in pipeline; the system under test here is target (configure its SDK through target.launch.env)"
        reportInapplicable(map, ["pipeline", "redis", "tracing", "calibration", "faults"], onlyFor: ownSystem,
                           current: "target")
        if firehose, let kind = map["load"] {
            reader.report("load.kind firehose sends synthetic spans; a target is driven with kind: jobs", atHeadOf: kind)
        }
        guard let section = reader.mapping(field, known: ScenarioSchemaKeys.target.names) else { return nil }
        let launch = section["launch"].flatMap { $0.isNull ? nil : targetLaunch($0) }
        let submit = reader.value(section, "submit", default: nil) { targetSubmit($0) }
        // correlate, ledger and expect go together; with none of them the target is load only.
        let judged = ["correlate", "ledger", "expect"].contains { section[$0] != nil }
        let correlate = judged ? reader.value(section, "correlate", default: nil) { targetCorrelate($0) } : nil
        let ledger = judged ? reader.value(section, "ledger", default: nil) { targetLedger($0) } : nil
        let expect = judged ? reader.value(section, "expect", default: nil) { expectations($0) } : []
        guard let submit, let expect, !judged || (correlate != nil && ledger != nil) else { return nil }
        if !judged, let jobs = map["jobs"], let elements = jobs.node.sequence {
            for (index, element) in elements.enumerated() where element.mapping?["expect"] != nil {
                reader.report("a load-only target (no correlate, ledger or expect) judges no trace: remove this expect, or give the target its "
                              + "correlate, ledger and expect", path: jobs.element(index) + ".expect", mark: element.mark)
            }
        }
        if launch == nil, let overhead = map["overhead"], !overhead.isNull {
            reader.report("a target's overhead arms relaunch the system with each arm's environment: it needs target.launch", atHeadOf: overhead)
        }
        if correlate?.traceID == .injected, submit.traceparent != .inject, let field = section["correlate"] {
            reader.report("trace_id: injected needs target.submit.traceparent: inject (tracebench only knows the traces it starts)",
                          path: field.child("trace_id"), mark: field.mark)
        }
        return TargetSpec(launch: launch, submit: submit, correlate: correlate, ledger: ledger, expect: expect)
    }

    private func targetLaunch(_ field: YAMLField) -> TargetSpec.Launch? {
        guard let map = reader.mapping(field, known: ScenarioSchemaKeys.targetLaunch.names) else { return nil }
        let command = reader.value(map, "command", default: nil) { strings($0, minimum: 1) }
        let env = section(map, "env", default: [:]) { stringMap($0, keysAreHeaderNames: false) }
        let ready = reader.string(map, "ready", default: nil, allowEmpty: false)
        guard let command, let ready else { return nil }
        for part in command { checkPlaceholders(part, at: map["command"], perJob: false) }
        for (_, value) in env.sorted(by: { $0.key < $1.key }) { checkPlaceholders(value, at: map["env"], perJob: false) }
        checkPlaceholders(ready, at: map["ready"], perJob: false)
        var launch = TargetSpec.Launch(command: command, env: env, ready: ready)
        launch.stopTimeoutSeconds = reader.number(map, "stop_timeout_s", default: 30, .positive(atMost: 600)) ?? 30
        return launch
    }

    private func targetSubmit(_ field: YAMLField) -> TargetSpec.Submit? {
        guard let map = reader.mapping(field, known: ScenarioSchemaKeys.targetSubmit.names) else { return nil }
        guard let url = reader.value(map, "url", default: nil, { placeholderURL($0, schemes: ["http"]) }) else { return nil }
        var submit = TargetSpec.Submit(url: url)
        submit.method = reader.value(map, "method", default: "POST") { field -> String? in
            guard let text = reader.scalarText(field, expected: "POST or PUT") else { return nil }
            guard ["POST", "PUT"].contains(text) else {
                reader.report("expected POST or PUT, got '\(text)'", at: field)
                return nil
            }
            return text
        } ?? "POST"
        submit.headers = section(map, "headers", default: [:]) { stringMap($0, keysAreHeaderNames: true) }
        submit.body = reader.string(map, "body", default: "", allowEmpty: true) ?? ""
        submit.accept = reader.value(map, "accept", default: submit.accept) { field -> [Int]? in
            guard let elements = reader.sequence(field) else { return nil }
            guard !elements.isEmpty else {
                reader.report("must list at least one HTTP status", atHeadOf: field)
                return nil
            }
            let statuses = elements.compactMap { reader.integer($0, .between(100, 599)) }
            return statuses.count == elements.count ? statuses : nil
        } ?? submit.accept
        checkPlaceholders(url, at: map["url"], perJob: true)
        for (_, value) in submit.headers.sorted(by: { $0.key < $1.key }) { checkPlaceholders(value, at: map["headers"], perJob: true) }
        checkPlaceholders(submit.body, at: map["body"], perJob: true)
        checkJSONBody(submit, at: map["body"])
        submit.traceparent = reader.choice(map, "traceparent", default: TargetSpec.TraceParentMode.none, what: "traceparent mode") ?? .none
        submit.injectRatio = reader.number(map, "inject_ratio", default: 1, .ratio) ?? 1
        if submit.traceparent == .none, let field = map["inject_ratio"] {
            reader.report("applies only to traceparent: inject (this one is none); remove it", path: field.path, mark: field.mark)
        }
        return submit
    }

    private func targetCorrelate(_ field: YAMLField) -> TargetSpec.Correlate? {
        guard let map = reader.mapping(field, known: ScenarioSchemaKeys.targetCorrelate.names) else { return nil }
        let source = reader.value(map, "trace_id", default: nil) { field -> TargetSpec.TraceIDSource? in
            guard let text = reader.scalarText(field, expected: "ledger:FIELD[#KEY], response_header:NAME, response:/JSON/POINTER or injected") else { return nil }
            if text == "injected" { return .injected }
            if text.hasPrefix("response:") {
                let pointer = String(text.dropFirst("response:".count))
                if JSONPointer.isValid(pointer), !pointer.isEmpty { return .responseBody(pointer: pointer) }
            }
            if text.hasPrefix("ledger:") {
                let rest = text.dropFirst("ledger:".count).split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
                if let name = rest.first, !name.isEmpty, !name.contains(where: \.isWhitespace), rest.count == 1 || !rest[1].isEmpty {
                    return .ledger(field: name, key: rest.count == 2 ? rest[1] : nil)
                }
            } else if text.hasPrefix("response_header:") {
                let name = String(text.dropFirst("response_header:".count))
                if !name.isEmpty, name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "!#$%&'*+-.^_`|~".contains($0)) }) {
                    return .responseHeader(name.lowercased())
                }
            }
            reader.report("expected ledger:FIELD, ledger:FIELD#KEY, response_header:NAME, response:/JSON/POINTER (RFC 6901) or injected, got '\(text)'", at: field)
            return nil
        }
        let attribute = reader.value(map, "job_attribute", default: "job.id") { field -> String? in
            guard let text = reader.scalarText(field, expected: "job.id") else { return nil }
            guard text == "job.id" else {
                reader.report("the sink reads the job id from the span attribute job.id only (for now), got '\(text)'", at: field)
                return nil
            }
            return text
        }
        guard let source, let attribute else { return nil }
        var correlate = TargetSpec.Correlate(traceID: source)
        correlate.jobAttribute = attribute
        return correlate
    }

    /// `ledger: {redis: {…}}`, or the same keys flat (`ledger: {url: …}`), never both.
    private func targetLedger(_ field: YAMLField) -> TargetSpec.Ledger? {
        guard let map = reader.mapping(field, known: ScenarioSchemaKeys.targetLedger.names) else { return nil }
        guard let redis = map["redis"] else { return ledgerKeys(map) }
        if let flat = ScenarioSchemaKeys.targetLedgerRedis.names.lazy.compactMap({ map[$0] }).first {
            reader.report("ledger.redis is given: write this key inside it (the flat form is its shorthand, not an addition)", at: flat)
            return nil
        }
        guard let inner = reader.mapping(redis, known: ScenarioSchemaKeys.targetLedgerRedis.names) else { return nil }
        return ledgerKeys(inner)
    }

    private func ledgerKeys(_ map: YAMLMapping) -> TargetSpec.Ledger? {
        guard let url = reader.value(map, "url", default: nil, { placeholderURL($0, schemes: ["redis"]) }) else { return nil }
        var ledger = TargetSpec.Ledger(url: url)
        checkPlaceholders(url, at: map["url"], perJob: false)
        ledger.key = reader.string(map, "key", default: ledger.key, allowEmpty: false) ?? ledger.key
        checkPlaceholders(ledger.key, at: map["key"], perJob: false, only: ["job_id"])
        if let keyField = map["key"], !ledger.key.contains("{job_id}") {
            reader.report("must contain {job_id} (each job has its own hash), got '\(ledger.key)'", at: keyField)
        }
        ledger.statusField = reader.string(map, "status_field", default: ledger.statusField, allowEmpty: false) ?? ledger.statusField
        ledger.done = reader.value(map, "done", default: ledger.done) { strings($0, minimum: 1) } ?? ledger.done
        ledger.failed = reader.value(map, "failed", default: ledger.failed) { strings($0, minimum: 0) } ?? ledger.failed
        if let failedField = map["failed"], let stray = ledger.failed.first(where: { !ledger.done.contains($0) }) {
            reader.report("'\(stray)' is not one of the done statuses (\(ledger.done.joined(separator: ", ")))", atHeadOf: failedField)
        }
        if let fields = map["fields"], !fields.isNull {
            guard let times = ledgerTimes(fields) else { return nil }
            ledger.times = times
        }
        return ledger
    }

    private func ledgerTimes(_ field: YAMLField) -> LedgerTimes? {
        guard let map = reader.mapping(field, known: ScenarioSchemaKeys.targetLedgerFields.names) else { return nil }
        let names = ["submitted", "claimed", "finished"].map { key in map[key].flatMap { reader.string($0, allowEmpty: false) } }
        let unit: LedgerTimes.Unit? = reader.choice(map, "unit", default: nil, what: "time unit")
        guard let unit else { return nil }
        guard names.contains(where: { $0 != nil }) else {
            reader.report("names no time field: give at least one of submitted, claimed, finished", atHeadOf: field)
            return nil
        }
        return LedgerTimes(submitted: names[0], claimed: names[1], finished: names[2], unit: unit)
    }

    func expectations(_ field: YAMLField) -> [TargetSpec.Expectation]? {
        guard let elements = reader.sequence(field) else { return nil }
        guard !elements.isEmpty else {
            reader.report("must list at least one service", atHeadOf: field)
            return nil
        }
        let expectations = elements.compactMap { element -> TargetSpec.Expectation? in
            guard let map = reader.mapping(element, known: ScenarioSchemaKeys.targetExpectation.names) else { return nil }
            guard let service = reader.string(map, "service", default: nil, allowEmpty: false) else { return nil }
            let spans = reader.value(map, "spans", default: []) { strings($0, minimum: 0) } ?? []
            let atLeast = section(map, "at_least", default: [:]) { field -> [String: Int]? in
                guard let pairs = reader.pairs(field) else { return nil }
                var counts: [String: Int] = [:]
                for pair in pairs { if let count = reader.integer(pair.value, .between(1, 100_000)) { counts[pair.key] = count } }
                return counts
            }
            return TargetSpec.Expectation(service: service, spans: spans, atLeast: atLeast)
        }
        return expectations.count == elements.count ? expectations : nil
    }

    /// A list of strings, at least `minimum` long (numbers are taken as written).
    private func strings(_ field: YAMLField, minimum: Int) -> [String]? {
        guard let elements = reader.sequence(field) else { return nil }
        guard elements.count >= minimum else {
            reader.report("must list at least \(minimum) item\(minimum == 1 ? "" : "s")", atHeadOf: field)
            return nil
        }
        let texts = elements.compactMap { reader.string($0, allowEmpty: false) }
        return texts.count == elements.count ? texts : nil
    }

    /// A URL of one of `schemes` that may hold placeholders (`{api_port}`): its scheme is checked and stored in
    /// lower case; the rest once the placeholders are filled.
    private func placeholderURL(_ field: YAMLField, schemes: [String]) -> String? {
        guard let text = reader.string(field, allowEmpty: false) else { return nil }
        guard let url = Self.lowercasingScheme(text), schemes.contains(where: { url.hasPrefix($0 + "://") }) else {
            reader.report("expected a \(schemes.map { $0 + "://" }.joined(separator: " or ")) URL, got '\(text)'", at: field)
            return nil
        }
        return url
    }
}

extension ScenarioParser {
    /// `sink:` (absent: 127.0.0.1 on free ports, no token).
    func sinkSection(_ map: YAMLMapping) -> SinkSpec {
        var spec = SinkSpec()
        guard let field = map["sink"], !field.isNull, let section = reader.mapping(field, known: ScenarioSchemaKeys.sink.names) else { return spec }
        if let listen = section["listen"], let (host, port) = hostPort(listen) { (spec.host, spec.port) = (host, port) }
        if let listen = section["grpc_listen"], let (host, port) = hostPort(listen) { (spec.grpcHost, spec.grpcPort) = (host, port) }
        spec.token = reader.string(section, "token", default: "", allowEmpty: false) ?? ""
        spec.allowUnauthenticated = reader.boolean(section, "allow_unauthenticated", default: false) ?? false
        spec.maxSpans = reader.integer(section, "max_spans", default: SinkSpec.defaultMaxSpans, .between(1, 1_000_000_000)) ?? SinkSpec.defaultMaxSpans
        if spec.token.isEmpty, !spec.allowUnauthenticated {
            for (key, host) in [("listen", spec.host), ("grpc_listen", spec.grpcHost)] where !SinkSpec.isLoopback(host) {
                if let listen = section[key] {
                    reader.report("\(host) is reachable from other machines: set sink.token (posts must then carry it) or "
                        + "sink.allow_unauthenticated: true", at: listen)
                }
            }
        }
        if spec.port != 0, spec.port == spec.grpcPort, spec.host == spec.grpcHost, let listen = section["grpc_listen"] {
            reader.report("must differ from sink.listen (one port cannot serve both listeners)", at: listen)
        }
        return spec
    }

    /// `host:port` (an IPv4 address or `localhost`; port 0 to 65535).
    private func hostPort(_ field: YAMLField) -> (String, Int)? {
        guard let text = reader.string(field, allowEmpty: false) else { return nil }
        guard let address = SinkSpec.hostPort(text) else {
            reader.report("expected host:port with an IPv4 address (127.0.0.1:4318, 0.0.0.0:4318), got '\(text)'", at: field)
            return nil
        }
        return address
    }
}
