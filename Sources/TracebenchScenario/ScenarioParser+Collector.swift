import TracebenchMetrics
import Yams

/// The `collector` section: `launch` (tracebench starts it) or `attach` (already running), exactly one.
extension ScenarioParser {
    static let collectorKeys = ScenarioSchemaKeys.collector.names
    static let collectorSamplingKeys = ScenarioSchemaKeys.collectorSampling.names
    static let launchKeys = ScenarioSchemaKeys.collectorLaunch.names
    static let attachKeys = ScenarioSchemaKeys.collectorAttach.names

    func collector(_ field: YAMLField) -> CollectorSpec? {
        guard let map = reader.mapping(field, known: Self.collectorKeys) else { return nil }
        let launch = map.contains("launch") ? reader.value(map, "launch", default: nil) { self.launch($0) } : nil
        let attach = map.contains("attach") ? reader.value(map, "attach", default: nil) { self.attach($0) } : nil
        if map.contains("launch") == map.contains("attach") {
            reader.report("needs exactly one of launch or attach", atHeadOf: field)
            return nil
        }
        let sampling = map.contains("sampling") ? reader.value(map, "sampling", default: nil) { self.collectorSampling($0) } : nil
        return CollectorSpec(launch: launch, attach: attach, sampling: sampling)
    }

    private func collectorSampling(_ field: YAMLField) -> CollectorSpec.Sampling? {
        guard let map = reader.mapping(field, known: Self.collectorSamplingKeys) else { return nil }
        let d = CollectorSpec.Sampling()
        let ratio = reader.number(map, "ratio", default: nil, .positive(atMost: 1))
        let keepsErrors = reader.boolean(map, "keeps_errors", default: d.keepsErrors)
        let wait = reader.number(map, "decision_wait_s", default: d.decisionWaitSeconds, .positive(atMost: 3600))
        guard let ratio, let keepsErrors, let wait else { return nil }
        return CollectorSpec.Sampling(ratio: ratio, keepsErrors: keepsErrors, decisionWaitSeconds: wait)
    }

    private func launch(_ field: YAMLField) -> CollectorSpec.Launch? {
        guard let map = reader.mapping(field, known: Self.launchKeys) else { return nil }
        guard let command = reader.value(map, "command", default: nil, { commandLine($0) }) else { return nil }
        let env = section(map, "env", default: [:]) { stringMap($0, keysAreHeaderNames: false) }
        let endpoint = reader.value(map, "endpoint", default: "") { urlTemplate($0) }
        let metrics = reader.value(map, "metrics_url", default: "") { urlTemplate($0) }
        let ready = reader.string(map, "ready", default: "", allowEmpty: true)
        let template = reader.string(map, "config_template", default: "", allowEmpty: true)
        return CollectorSpec.Launch(command: command, env: env, endpoint: endpoint ?? "", ready: ready ?? "", configTemplate: template ?? "",
                                    metricsURL: metrics ?? "")
    }

    /// An http(s) URL that may hold placeholders (filled in at launch, so only the form is checked here).
    private func urlTemplate(_ field: YAMLField) -> String? {
        guard let text = reader.string(field, allowEmpty: true) else { return nil }
        if text.isEmpty { return text }
        guard let url = Self.lowercasingScheme(text), url.hasPrefix("http://") || url.hasPrefix("https://") else {
            reader.report("expected an http:// or https:// URL, got '\(text)'", at: field)
            return nil
        }
        return url
    }

    /// A non-empty list of strings (numbers are taken as written).
    private func commandLine(_ field: YAMLField) -> [String]? {
        guard let elements = reader.sequence(field) else { return nil }
        guard !elements.isEmpty else {
            reader.report("must not be empty", atHeadOf: field)
            return nil
        }
        let words = elements.compactMap { reader.scalarText($0, expected: "a string") }
        return words.count == elements.count ? words : nil
    }

    static let firehoseKeys = ScenarioSchemaKeys.firehose.names

    func firehose(_ field: YAMLField) -> FirehoseSpec? {
        guard let map = reader.mapping(field, known: Self.firehoseKeys) else { return nil }
        let d = FirehoseSpec()
        return FirehoseSpec(
            spansPerSecond: reader.number(map, "spans_per_s", default: d.spansPerSecond, .positive(atMost: 10_000_000)) ?? d.spansPerSecond,
            spansPerTrace: reader.integer(map, "spans_per_trace", default: d.spansPerTrace, .between(1, 1000)) ?? d.spansPerTrace,
            batchSpans: reader.integer(map, "batch_spans", default: d.batchSpans, .between(1, 100_000)) ?? d.batchSpans,
            concurrency: reader.integer(map, "concurrency", default: d.concurrency, .between(1, 1024)) ?? d.concurrency,
            attributes: reader.integer(map, "attributes", default: d.attributes, .between(0, 128)) ?? d.attributes,
            attributeBytes: reader.integer(map, "attribute_bytes", default: d.attributeBytes, .between(0, 65_536)) ?? d.attributeBytes,
            errorRatio: reader.number(map, "error_ratio", default: d.errorRatio, .ratio) ?? d.errorRatio,
            protocol: reader.value(map, "protocol", default: d.protocol) { field -> TracingSpec.WireProtocol? in
                let chosen: TracingSpec.WireProtocol? = reader.choice(field, what: "protocol")
                if chosen == .httpJSON {
                    reader.report("the firehose sends http/protobuf or grpc, not http/json", at: field)
                    return nil
                }
                return chosen
            } ?? d.protocol
        )
    }

    /// `ceilings: {collector: 100, worker: 200}`: positive MiB per watched process name (the metric catalog's
    /// process vocabulary: `worker` for every worker, or one `worker-N`). A name no process has would never be
    /// judged, so it is refused, with the nearest name.
    func ceilings(_ field: YAMLField) -> [String: Double]? {
        guard let pairs = reader.pairs(field) else { return nil }
        var result: [String: Double] = [:]
        for (key, keyMark, value) in pairs {
            guard MetricCatalog.isProcessName(key) else {
                let known = MetricCatalog.processes + ["worker-N"]
                let hint = KeySuggestion.closest(to: key, among: MetricCatalog.processes).map { "; did you mean '\($0)'?" }
                    ?? "; expected one of: \(known.joined(separator: ", "))"
                reader.report("unknown process '\(key)'\(hint)", path: value.path, mark: keyMark)
                continue
            }
            if let mib = reader.number(value, .positive(atMost: 1_048_576)) { result[key] = mib }
        }
        return result
    }

    static let capacityKeys = ScenarioSchemaKeys.capacity.names

    func capacity(_ field: YAMLField) -> CapacitySpec? {
        guard let map = reader.mapping(field, known: Self.capacityKeys) else { return nil }
        let d = CapacitySpec()
        func number(_ key: String, _ value: Double, _ rule: NumberRule) -> Double { reader.number(map, key, default: value, rule) ?? value }
        var spec = CapacitySpec(
            startSpansPerSecond: number("start_spans_per_s", d.startSpansPerSecond, .positive(atMost: 10_000_000)),
            stepFactor: number("step_factor", d.stepFactor, NumberRule("must be greater than 1 and at most 100") { $0 > 1 && $0 <= 100 }),
            maxSteps: reader.integer(map, "max_steps", default: d.maxSteps, .between(1, 100)) ?? d.maxSteps,
            stepSeconds: number("step_seconds", d.stepSeconds, .positive(atMost: 3600)),
            maxDropRatio: number("max_drop_ratio", d.maxDropRatio, .ratio),
            maxVisibilityP99Seconds: number("max_visibility_p99_s", d.maxVisibilityP99Seconds, .positive(atMost: 86_400)),
            maxCollectorCPUPercent: number("max_collector_cpu_percent", d.maxCollectorCPUPercent, .positive(atMost: 100_000)),
            maxCollectorRSSMiB: number("max_collector_rss_mb", d.maxCollectorRSSMiB, .positive(atMost: 1_048_576)),
            targetTracesPerMinute: number("target_traces_per_min", d.targetTracesPerMinute, .positive(atMost: 1e9))
        )
        spec.mode = reader.choice(map, "mode", default: CapacitySpec.Mode.firehose, what: "capacity mode") ?? .firehose
        spec.startJobsPerSecond = number("start_jobs_per_s", d.startJobsPerSecond, .positive(atMost: 100_000))
        spec.maxQueueWaitP99Ms = number("max_queue_wait_p99_ms", d.maxQueueWaitP99Ms, .positive)
        spec.maxEndToEndP99Ms = number("max_end_to_end_p99_ms", d.maxEndToEndP99Ms, .positive)
        spec.maxSDKRSSMiB = number("max_sdk_rss_mb", d.maxSDKRSSMiB, .positive(atMost: 1_048_576))
        spec.targetJobsPerMinute = number("target_jobs_per_min", d.targetJobsPerMinute, .positive)
        return spec
    }

    private func attach(_ field: YAMLField) -> CollectorSpec.Attach? {
        guard let map = reader.mapping(field, known: Self.attachKeys) else { return nil }
        guard let url = reader.value(map, "endpoint", default: nil, { endpoint($0) }) else { return nil }
        if url.isEmpty {
            if let field = map["endpoint"] { reader.report("must not be empty", at: field) }
            return nil
        }
        let pid = reader.integer(map, "pid", default: 0, .between(0, 4_194_304))
        let metrics = reader.value(map, "metrics_url", default: "") { endpoint($0) }
        return CollectorSpec.Attach(endpoint: url, pid: pid ?? 0, metricsURL: metrics ?? "")
    }
}
