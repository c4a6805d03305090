import Foundation
import TracebenchVocabulary

/// Zipkin v2 JSON (`POST /api/v2/spans`, a JSON array of spans), the format of systems instrumented for Zipkin — the
/// design document names Zipkin as an alternative backend. Each span becomes the same ``ReceivedSpan`` an OTLP span
/// does, so every figure is computed alike:
///
/// - `traceId`: 32 hex digits, or 16 (a 64-bit id; its high half is 0); `id` and `parentId`: 16 hex digits (a
///   `parentId` that is absent, null, empty or all zeros makes a root).
/// - `timestamp` and `duration` are microseconds (epoch, and length); an absent duration is an instant span.
/// - `localEndpoint.serviceName` is the service; the `error` tag (any value) or `otel.status_code: ERROR` (how the
///   OpenTelemetry SDKs' Zipkin exporters write an ERROR status) marks an error; the `job.id` tag is the job.
///
/// Errors: a body that is not a JSON array of objects, or a value of the wrong JSON type, is
/// ``OTLPDecodeError/invalidJSON(_:)``; ids of the wrong length or not hex are ``OTLPDecodeError/malformed(_:)``.
public enum ZipkinJSONDecoder {
    typealias Object = [String: Any]

    public static func decode(_ body: [UInt8], receivedNanos: UInt64) throws(OTLPDecodeError) -> [ReceivedSpan] {
        let root: Any
        do {
            root = try JSONSerialization.jsonObject(with: Data(body), options: [])
        } catch {
            throw .invalidJSON("not JSON: \(error)")
        }
        guard let list = root as? [Any] else { throw .invalidJSON("a Zipkin v2 body is a JSON array of spans") }
        var spans: [ReceivedSpan] = []
        spans.reserveCapacity(list.count)
        for element in list {
            guard let span = element as? Object else { throw .invalidJSON("a span is not an object") }
            spans.append(try decodeSpan(span, receivedNanos: receivedNanos))
        }
        return spans
    }

    static func decodeSpan(_ span: Object, receivedNanos: UInt64) throws(OTLPDecodeError) -> ReceivedSpan {
        let traceHex = try OTLPJSONDecoder.string(span, "traceId", "traceId") ?? ""
        let traceID: TraceID? = switch traceHex.count {
        case 32: TraceID(hex: traceHex)
        case 16: parseSpanIDHex(traceHex).map { TraceID(high: 0, low: $0) }
        default: nil
        }
        guard let traceID, traceID != .zero else { throw .malformed("traceId \(OTLPJSONDecoder.quoted(traceHex)) is not 16 or 32 hex digits") }
        let idHex = try OTLPJSONDecoder.string(span, "id", "id") ?? ""
        guard let spanID = parseSpanIDHex(idHex), spanID != 0 else { throw .malformed("id \(OTLPJSONDecoder.quoted(idHex)) is not 16 hex digits") }
        let parentHex = try OTLPJSONDecoder.string(span, "parentId", "parentId") ?? ""
        var parentSpanID: UInt64 = 0
        if !parentHex.isEmpty {
            guard let parsed = parseSpanIDHex(parentHex) else {
                throw .malformed("parentId \(OTLPJSONDecoder.quoted(parentHex)) is not empty or 16 hex digits")
            }
            parentSpanID = parsed
        }
        let tags = try OTLPJSONDecoder.object(span, "tags", "tags") ?? [:]
        let startMicros = try OTLPJSONDecoder.uint64(span, "timestamp", "timestamp")
        let durationMicros = try OTLPJSONDecoder.uint64(span, "duration", "duration")
        let (start, startOverflow) = startMicros.multipliedReportingOverflow(by: 1000)
        let (length, lengthOverflow) = durationMicros.multipliedReportingOverflow(by: 1000)
        guard !startOverflow, !lengthOverflow, start.addingReportingOverflow(length).overflow == false else {
            throw .malformed("timestamp + duration overflow nanoseconds")
        }
        let serviceName = try OTLPJSONDecoder.object(span, "localEndpoint", "localEndpoint").flatMap { endpoint throws(OTLPDecodeError) in
            try OTLPJSONDecoder.string(endpoint, "serviceName", "serviceName")
        } ?? ""
        return ReceivedSpan(
            traceID: traceID, spanID: spanID, parentSpanID: parentSpanID, name: try OTLPJSONDecoder.string(span, "name", "name") ?? "",
            serviceName: serviceName, startNanos: start, endNanos: start + length,
            isError: tags["error"] != nil || (tags["otel.status_code"] as? String) == "ERROR",
            jobID: tags[SpanAttribute.jobID] as? String, receivedNanos: receivedNanos)
    }
}
