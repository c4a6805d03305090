/// Why an OTLP export request could not be decoded.
///
/// - ``truncated``: the protobuf input ended inside a field (a varint, a fixed-size value, or a length-delimited
///   field whose length runs past the end of its enclosing message).
/// - ``malformed(_:)``: the bytes or JSON parse, but break the wire format or OTLP's rules (a bad wire type, a group,
///   an overlong varint, a trace id that is not 16 bytes / 32 hex digits, a span id that is not 8 bytes / 16 hex
///   digits, a known field with the wrong wire type).
/// - ``invalidJSON(_:)``: the body is not JSON, or a JSON value has the wrong JSON type (e.g. the top level is not
///   an object, `spans` is not an array, a timestamp is neither a number nor a decimal string).
public enum OTLPDecodeError: Error, Sendable, Equatable {
    case truncated
    case malformed(String)
    case invalidJSON(String)
}

/// Decoders for OTLP trace export requests (`opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`),
/// as received by the sink over OTLP/HTTP.
///
/// Both decoders return the spans in the order they appear in the request and keep only what trace assembly needs
/// (see ``ReceivedSpan``). They never trap on hostile input: every length is bounds-checked, all arithmetic on
/// input-derived values is checked or wrapping, and every loop consumes input, so they always terminate.
public enum OTLPDecoder {
    /// Decodes a binary `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`.
    ///
    /// Unknown fields of any valid wire type are skipped; groups (wire types 3 and 4) and wire types 6 and 7 are
    /// rejected. An empty body is a valid, empty request.
    public static func decodeProtobuf(
        _ body: UnsafeRawBufferPointer, receivedNanos: UInt64
    ) throws(OTLPDecodeError) -> [ReceivedSpan] {
        guard let base = body.baseAddress, !body.isEmpty else { return [] }
        var decoder = OTLPProtobufDecoder(base: base, receivedNanos: receivedNanos)
        try decoder.decodeRequest(end: body.count)
        return decoder.spans
    }

    /// Decodes a binary `opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest`.
    public static func decodeProtobuf(_ body: [UInt8], receivedNanos: UInt64) throws(OTLPDecodeError) -> [ReceivedSpan] {
        let result = body.withUnsafeBytes { raw -> Result<[ReceivedSpan], OTLPDecodeError> in
            do throws(OTLPDecodeError) {
                return .success(try decodeProtobuf(raw, receivedNanos: receivedNanos))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Decodes the OTLP/JSON encoding of the same message (proto3 JSON mapping with OTLP's exceptions:
    /// traceId/spanId/parentSpanId are HEX strings, not base64; 64-bit ints may be strings or numbers; enums may be
    /// ints or names like "STATUS_CODE_ERROR"/"SPAN_KIND_SERVER"; unknown fields ignored; both lowerCamelCase and
    /// snake_case field names accepted). JSON `null` for a field means the field is absent.
    public static func decodeJSON(_ body: [UInt8], receivedNanos: UInt64) throws(OTLPDecodeError) -> [ReceivedSpan] {
        try OTLPJSONDecoder.decode(body, receivedNanos: receivedNanos)
    }
}
