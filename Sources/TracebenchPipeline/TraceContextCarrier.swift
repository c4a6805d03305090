import Foundation
import Instrumentation
import ServiceContextModule
import Tracing

/// Injects and extracts W3C trace context through a `[String: String]` carrier, stored in Redis as JSON in the
/// job hash's `trace_context` field (what the design document's `propagation.inject(context, {})` produces).
public enum TraceContextCarrier {
    /// The carrier for `context`, as `tracer`'s propagators write it (empty when nothing is propagated).
    public static func inject(_ context: ServiceContext, tracer: any Tracer = InstrumentationSystem.tracer) -> [String: String] {
        var carrier: [String: String] = [:]
        tracer.inject(context, into: &carrier, using: DictionaryInjector())
        return carrier
    }

    /// A context continuing the one in `carrier` (top-level when the carrier holds none).
    public static func extract(_ carrier: [String: String], tracer: any Tracer = InstrumentationSystem.tracer) -> ServiceContext {
        var context = ServiceContext.topLevel
        tracer.extract(carrier, into: &context, using: DictionaryExtractor())
        return context
    }

    /// The carrier as the JSON text stored in Redis.
    public static func encode(_ carrier: [String: String]) -> String {
        guard let data = try? JSONSerialization.data(withJSONObject: carrier, options: [.sortedKeys]) else { return "{}" }
        return String(decoding: data, as: UTF8.self)
    }

    /// Parses the JSON text stored in Redis; malformed text yields an empty carrier (a broken context).
    public static func decode(_ text: String) -> [String: String] {
        guard let object = try? JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any] else { return [:] }
        return object.compactMapValues { $0 as? String }
    }
}

/// Writes propagation fields into a dictionary.
struct DictionaryInjector: Injector {
    func inject(_ value: String, forKey key: String, into carrier: inout [String: String]) {
        carrier[key] = value
    }
}

/// Reads propagation fields from a dictionary.
struct DictionaryExtractor: Extractor {
    func extract(key: String, from carrier: [String: String]) -> String? {
        carrier[key]
    }
}
