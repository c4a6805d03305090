import TracebenchRedis
import Foundation
import Yams

/// The `tracing`, `faults` and `redis` sections.
extension ScenarioParser {
    static let tracingKeys = ScenarioSchemaKeys.tracing.names
    static let serviceSamplerKeys = ScenarioSchemaKeys.serviceSampler.names
    static let batchKeys = ScenarioSchemaKeys.batch.names

    func tracing(_ field: YAMLField) -> TracingSpec? {
        guard let map = reader.mapping(field, known: Self.tracingKeys) else { return nil }
        let d = TracingSpec()
        var spec = d
        spec.mode = reader.choice(map, "mode", default: d.mode, what: "tracing mode") ?? d.mode
        spec.protocol = reader.choice(map, "protocol", default: d.protocol, what: "protocol") ?? d.protocol
        spec.sampler = reader.choice(map, "sampler", default: d.sampler, what: "sampler") ?? d.sampler
        spec.ratio = reader.number(map, "ratio", default: d.ratio, .ratio) ?? d.ratio
        spec.batch = section(map, "batch", default: d.batch) { batch($0) }
        spec.endpoint = reader.value(map, "endpoint", default: d.endpoint) { endpoint($0) } ?? d.endpoint
        if spec.protocol == .grpc, !spec.endpoint.isEmpty, let field = map["endpoint"],
           let url = URLComponents(string: spec.endpoint), url.port == nil || !["", "/"].contains(url.path) {
            reader.report("a gRPC endpoint needs a port, e.g. http://collector:4317 (no path), got '\(field.text ?? "")'", at: field)
        }
        spec.headers = section(map, "headers", default: d.headers) { stringMap($0, keysAreHeaderNames: true) }
        spec.resourceAttributes = section(map, "resource_attributes", default: d.resourceAttributes) {
            stringMap($0, keysAreHeaderNames: false)
        }
        if let services = map["services"], !services.isNull,
           let roles = reader.mapping(services, known: ScenarioSchemaKeys.tracingServices.names) {
            for role in TracingSpec.ServiceRole.allCases {
                // A role written with nothing under it keeps the section's sampler, like any empty section.
                guard let field = roles[role.rawValue], !field.isNull, let own = serviceSampler(field, inherited: spec) else { continue }
                spec.services[role] = own
            }
        }
        return spec
    }

    /// `tracing.services.<role>`: `sampler` and `ratio`, each defaulting to the section's own.
    private func serviceSampler(_ field: YAMLField, inherited: TracingSpec) -> TracingSpec.ServiceSampler? {
        guard let map = reader.mapping(field, known: Self.serviceSamplerKeys) else { return nil }
        guard let sampler = reader.choice(map, "sampler", default: inherited.sampler, what: "sampler"),
              let ratio = reader.number(map, "ratio", default: inherited.ratio, .ratio) else { return nil }
        return TracingSpec.ServiceSampler(sampler: sampler, ratio: ratio)
    }

    private func batch(_ field: YAMLField) -> TracingSpec.Batch? {
        guard let map = reader.mapping(field, known: Self.batchKeys) else { return nil }
        let d = TracingSpec.Batch()
        let rule = NumberRule.positive
        let delay = reader.integer(map, "schedule_delay_ms", default: d.scheduleDelayMs, rule)
        let queue = reader.integer(map, "max_queue_size", default: d.maxQueueSize, rule)
        let exportBatch = reader.integer(map, "max_export_batch_size", default: d.maxExportBatchSize, rule)
        let timeout = reader.integer(map, "export_timeout_ms", default: d.exportTimeoutMs, rule)
        if let queue, let exportBatch, exportBatch > queue {
            if let field = map["max_export_batch_size"] {
                reader.report("must be at most max_queue_size (\(queue)), got \(field.text ?? "")", at: field)
            } else if let field = map["max_queue_size"] {
                reader.report("must be at least max_export_batch_size (\(exportBatch)), got \(field.text ?? "")", at: field)
            }
        }
        return TracingSpec.Batch(
            scheduleDelayMs: delay ?? d.scheduleDelayMs, maxQueueSize: queue ?? d.maxQueueSize,
            maxExportBatchSize: exportBatch ?? d.maxExportBatchSize, exportTimeoutMs: timeout ?? d.exportTimeoutMs
        )
    }

    /// Empty (the embedded sink) or an `http://` / `https://` URL with a host; the scheme is stored in lower case
    /// (`HTTP://` is the same URL, and everything downstream compares the scheme as written).
    func endpoint(_ field: YAMLField) -> String? {
        guard let written = reader.string(field, allowEmpty: true) else { return nil }
        if written.isEmpty { return written }
        let text = Self.lowercasingScheme(written) ?? written
        let components = URLComponents(string: text)
        let scheme = components?.scheme
        guard let components, scheme == "http" || scheme == "https", let host = components.host, !host.isEmpty else {
            reader.report("expected an empty string or an http:// or https:// URL, got '\(text)'", at: field)
            return nil
        }
        if let port = components.port, !(1...65_535).contains(port) {
            reader.report("the port must be between 1 and 65535, got \(port)", at: field)
            return nil
        }
        return text
    }

    /// `text` with the scheme before `://` in lower case, or nil when it has no scheme.
    static func lowercasingScheme(_ text: String) -> String? {
        guard let separator = text.range(of: "://") else { return nil }
        let scheme = text[..<separator.lowerBound]
        guard !scheme.isEmpty, scheme.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "+-.".contains($0)) }) else { return nil }
        return scheme.lowercased() + text[separator.lowerBound...]
    }

    /// A string → string mapping (`headers`, `resource_attributes`); keys may contain dots.
    func stringMap(_ field: YAMLField, keysAreHeaderNames: Bool) -> [String: String]? {
        guard let pairs = reader.pairs(field) else { return nil }
        var result: [String: String] = [:]
        for (key, keyMark, value) in pairs {
            if key.isEmpty {
                reader.report("keys must not be empty", path: value.path, mark: keyMark)
                continue
            }
            if keysAreHeaderNames, !key.allSatisfy(Self.isHeaderNameCharacter) {
                reader.report("'\(key)' is not a valid HTTP header name", path: value.path, mark: keyMark)
                continue
            }
            guard let text = reader.scalarText(value, expected: "a string") else { continue }
            // By scalar, not Character: "\r\n" is one Swift Character, and NUL or DEL are no line breaks either.
            if keysAreHeaderNames, text.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) {
                reader.report("header values must not contain control characters (line breaks, tabs, NUL, DEL)", at: value)
                continue
            }
            result[key] = text
        }
        return result
    }

    /// RFC 9110 `tchar`.
    private static func isHeaderNameCharacter(_ character: Character) -> Bool {
        guard character.isASCII else { return false }
        return character.isLetter || character.isNumber || "!#$%&'*+-.^_`|~".contains(character)
    }

    // MARK: faults

    func faults(_ field: YAMLField) -> FaultSpec? {
        guard let map = reader.mapping(field, known: ScenarioSchemaKeys.faults.names) else { return nil }
        let d = FaultSpec()
        var spec = FaultSpec(dropContextRatio: reader.number(map, "drop_context_ratio", default: d.dropContextRatio, .ratio) ?? d.dropContextRatio)
        spec.collectorPauseSeconds = reader.number(map, "collector_pause_s", default: 0, .between(0, 3600)) ?? 0
        spec.collectorPauseAtSeconds = reader.number(map, "collector_pause_at_s", default: 0, .between(0, 86_400)) ?? 0
        return spec
    }

    // MARK: redis

    func redis(_ field: YAMLField) -> RedisSpec? {
        guard let map = reader.mapping(field, known: ScenarioSchemaKeys.redis.names) else { return nil }
        let url = reader.value(map, "url", default: "") { field -> String? in
            guard let text = reader.string(field, allowEmpty: true) else { return nil }
            guard !text.isEmpty else { return text }
            do throws(RedisError) {
                _ = try RedisURL(parsing: text)
                return text
            } catch {
                guard case .badURL(let reason) = error else { return nil }
                reader.report(reason, at: field)
                return nil
            }
        }
        return RedisSpec(url: url ?? "")
    }
}
