import Foundation
import TracebenchMeasure
import TracebenchVocabulary

/// The OTLP/JSON path of ``OTLPDecoder`` (the slow path: it goes through `JSONSerialization`).
///
/// Errors: a body that is not JSON, or a value of the wrong JSON type, is ``OTLPDecodeError/invalidJSON(_:)``;
/// well-typed JSON that breaks OTLP's rules (ids of the wrong length or not hex) is
/// ``OTLPDecodeError/malformed(_:)``.
enum OTLPJSONDecoder {
    typealias Object = [String: Any]

    static func decode(_ body: [UInt8], receivedNanos: UInt64) throws(OTLPDecodeError) -> [ReceivedSpan] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(body), options: [])
        } catch {
            throw .invalidJSON("not JSON: \(error)")
        }
        guard let request = root as? Object else { throw .invalidJSON("top-level value is not an object") }
        var spans: [ReceivedSpan] = []
        for resourceSpans in try array(request, "resourceSpans", "resource_spans") {
            guard let resourceSpans = resourceSpans as? Object else {
                throw .invalidJSON("resourceSpans element is not an object")
            }
            var serviceName = ""
            if let resource = try object(resourceSpans, "resource", "resource") {
                for attribute in try array(resource, "attributes", "attributes") {
                    if let value = try stringAttribute(attribute, key: "service.name") { serviceName = value }
                }
            }
            for scopeSpans in try array(resourceSpans, "scopeSpans", "scope_spans") {
                guard let scopeSpans = scopeSpans as? Object else {
                    throw .invalidJSON("scopeSpans element is not an object")
                }
                for span in try array(scopeSpans, "spans", "spans") {
                    guard let span = span as? Object else { throw .invalidJSON("spans element is not an object") }
                    spans.append(try decodeSpan(span, serviceName: serviceName, receivedNanos: receivedNanos))
                }
            }
        }
        return spans
    }

    /// OTLP/JSON requires hex ids, but swift-otel 1.6's JSON exporter sends protobuf's default base64
    /// (`AAECAwQFBgcICQoLDA0ODw==`): accept exactly `count` bytes of base64 as well, so such exports are measured.
    static func base64Bytes(_ text: String, count: Int) -> [UInt8]? {
        guard text.count == (count + 2) / 3 * 4, let data = Data(base64Encoded: text), data.count == count else { return nil }
        return Array(data)
    }

    static func base64SpanID(_ text: String) -> UInt64? {
        base64Bytes(text, count: 8).map { $0.reduce(0) { $0 << 8 | UInt64($1) } }
    }

    static func decodeSpan(_ span: Object, serviceName: String, receivedNanos: UInt64) throws(OTLPDecodeError)
        -> ReceivedSpan
    {
        let traceHex = try string(span, "traceId", "trace_id") ?? ""
        guard let traceID = TraceID(hex: traceHex) ?? base64Bytes(traceHex, count: 16).flatMap({ TraceID(bytes: $0) }) else {
            throw .malformed("traceId \(quoted(traceHex)) is not 32 hex digits")
        }
        let spanHex = try string(span, "spanId", "span_id") ?? ""
        guard let spanID = parseSpanIDHex(spanHex) ?? base64SpanID(spanHex) else {
            throw .malformed("spanId \(quoted(spanHex)) is not 16 hex digits")
        }
        let parentHex = try string(span, "parentSpanId", "parent_span_id") ?? ""
        var parentSpanID: UInt64 = 0
        if !parentHex.isEmpty {
            guard let parsed = parseSpanIDHex(parentHex) ?? base64SpanID(parentHex) else {
                throw .malformed("parentSpanId \(quoted(parentHex)) is not empty or 16 hex digits")
            }
            parentSpanID = parsed
        }
        var isError = false
        if let status = try object(span, "status", "status"), let code = status["code"] {
            isError = try statusIsError(code)
        }
        var jobID: String?
        for attribute in try array(span, "attributes", "attributes") {
            if let value = try stringAttribute(attribute, key: SpanAttribute.jobID) { jobID = value }
        }
        return ReceivedSpan(
            traceID: traceID,
            spanID: spanID,
            parentSpanID: parentSpanID,
            name: try string(span, "name", "name") ?? "",
            serviceName: serviceName,
            startNanos: try uint64(span, "startTimeUnixNano", "start_time_unix_nano"),
            endNanos: try uint64(span, "endTimeUnixNano", "end_time_unix_nano"),
            isError: isError,
            jobID: jobID,
            receivedNanos: receivedNanos,
            samplingThreshold: try string(span, "traceState", "trace_state").flatMap { ConsistentThreshold(traceState: $0) }
        )
    }

    /// A KeyValue `{"key": ..., "value": {"stringValue": ...}}`: the string if the key matches and the value is a
    /// string (other AnyValue kinds are ignored).
    static func stringAttribute(_ attribute: Any, key: String) throws(OTLPDecodeError) -> String? {
        guard let attribute = attribute as? Object else { throw .invalidJSON("attribute is not an object") }
        guard try string(attribute, "key", "key") == key,
              let value = try object(attribute, "value", "value")
        else { return nil }
        return try string(value, "stringValue", "string_value")
    }

    /// Status codes: 2 / "2" / "STATUS_CODE_ERROR" is an error; other ints and names (known or not) are not.
    static func statusIsError(_ code: Any) throws(OTLPDecodeError) -> Bool {
        if let name = code as? String { return name == "STATUS_CODE_ERROR" || name == "2" }
        if let number = code as? NSNumber {
            if let value = Int64(exactly: number.doubleValue) { return value == 2 }
            return false
        }
        if code is NSNull { return false }
        throw .invalidJSON("status.code is neither a number nor a string")
    }

    // MARK: - Typed field access (null and absent are the same)
    //
    // The expected type is always tried first and `NSNull` last: on Linux, casting a Swift array or dictionary to
    // a class such as NSNull bridges the whole subtree to NSArray/NSDictionary, which made decoding 3x slower.

    /// The raw value under the camelCase or snake_case name (may be NSNull).
    @inline(__always)
    static func field(_ object: Object, _ camel: String, _ snake: String) -> Any? {
        object[camel] ?? (camel == snake ? nil : object[snake])
    }

    static func array(_ object: Object, _ camel: String, _ snake: String) throws(OTLPDecodeError) -> [Any] {
        guard let value = field(object, camel, snake) else { return [] }
        if let array = value as? [Any] { return array }
        if value is NSNull { return [] }
        throw .invalidJSON("\(camel) is not an array")
    }

    static func object(_ object: Object, _ camel: String, _ snake: String) throws(OTLPDecodeError) -> Object? {
        guard let value = field(object, camel, snake) else { return nil }
        if let result = value as? Object { return result }
        if value is NSNull { return nil }
        throw .invalidJSON("\(camel) is not an object")
    }

    static func string(_ object: Object, _ camel: String, _ snake: String) throws(OTLPDecodeError) -> String? {
        guard let value = field(object, camel, snake) else { return nil }
        if let result = value as? String { return result }
        if value is NSNull { return nil }
        throw .invalidJSON("\(camel) is not a string")
    }

    /// A proto3 JSON uint64/fixed64: a decimal string or a JSON number (integral, in range); absent means 0.
    static func uint64(_ object: Object, _ camel: String, _ snake: String) throws(OTLPDecodeError) -> UInt64 {
        guard let value = field(object, camel, snake) else { return 0 }
        if let text = value as? String {
            guard let parsed = UInt64(text) else { throw .invalidJSON("\(camel) \(quoted(text)) is not a uint64") }
            return parsed
        }
        if let number = value as? NSNumber {
            // JSONSerialization keeps integers exact ("q", or "Q" above Int64.max); only numbers written with a
            // fraction or exponent, such as 1.7e18, arrive as doubles. "c" is a JSON boolean.
            switch UInt8(bitPattern: number.objCType.pointee) {
            case UInt8(ascii: "c"):
                break
            case UInt8(ascii: "Q"):
                return number.uint64Value
            case UInt8(ascii: "d"), UInt8(ascii: "f"):
                let double = number.doubleValue
                if double >= 0, double < 0x1p64, let exact = UInt64(exactly: double) { return exact }
            default:
                let signed = number.int64Value
                if signed >= 0 { return UInt64(signed) }
            }
            throw .invalidJSON("\(camel) \(number) is not a uint64")
        }
        if value is NSNull { return 0 }
        throw .invalidJSON("\(camel) is neither a number nor a string")
    }

    static func quoted(_ text: String) -> String {
        let shown = text.count > 40 ? String(text.prefix(40)) + "…" : text
        return "\"\(shown)\""
    }
}
