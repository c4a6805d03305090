/// Writes OTLP `ExportTraceServiceRequest` protobuf bodies for synthetic spans (the firehose load and tests):
/// the exact inverse of the fields ``OTLPDecoder`` reads, plus string attributes.
public struct OTLPProtobufEncoder: Sendable {
    /// One synthetic span.
    public struct Span: Sendable {
        public var traceID: TraceID
        public var spanID: UInt64
        public var parentSpanID: UInt64
        public var name: String
        public var startNanos: UInt64
        public var endNanos: UInt64
        public var isError: Bool
        public var attributes: [(String, String)]
        /// W3C tracestate (e.g. `ot=th:e666`); empty writes none.
        public var traceState: String

        public init(traceID: TraceID, spanID: UInt64, parentSpanID: UInt64, name: String, startNanos: UInt64, endNanos: UInt64,
                    isError: Bool = false, attributes: [(String, String)] = [], traceState: String = "") {
            self.traceState = traceState
            self.traceID = traceID
            self.spanID = spanID
            self.parentSpanID = parentSpanID
            self.name = name
            self.startNanos = startNanos
            self.endNanos = endNanos
            self.isError = isError
            self.attributes = attributes
        }
    }

    public init() {}

    /// One request: every span under one resource (`service.name`) and one scope.
    public func encode(serviceName: String, spans: [Span]) -> [UInt8] {
        var resource = Writer()
        resource.message(1) { $0.keyValue(key: "service.name", value: serviceName) }
        var scope = Writer()
        scope.message(1) { $0.string(1, "tracebench-firehose") }
        for span in spans {
            scope.message(2) { w in
                w.bytes(1, span.traceID.bigEndianBytes)
                w.bytes(2, span.spanID.bigEndianBytes)
                if !span.traceState.isEmpty { w.string(3, span.traceState) }
                if span.parentSpanID != 0 { w.bytes(4, span.parentSpanID.bigEndianBytes) }
                w.string(5, span.name)
                w.varint(6, 1)  // SPAN_KIND_INTERNAL
                w.fixed64(7, span.startNanos)
                w.fixed64(8, span.endNanos)
                for (key, value) in span.attributes { w.message(9) { $0.keyValue(key: key, value: value) } }
                if span.isError { w.message(15) { $0.varint(3, 2) } }
            }
        }
        var resourceSpans = Writer()
        resourceSpans.append(1, resource.bytes)
        resourceSpans.append(2, scope.bytes)
        var request = Writer()
        request.append(1, resourceSpans.bytes)
        return request.bytes
    }

    /// A protobuf wire writer.
    struct Writer {
        var bytes: [UInt8] = []

        mutating func tag(_ field: Int, _ wireType: UInt8) { rawVarint(UInt64(field) << 3 | UInt64(wireType)) }

        mutating func rawVarint(_ value: UInt64) {
            var value = value
            while value >= 0x80 {
                bytes.append(UInt8(value & 0x7F) | 0x80)
                value >>= 7
            }
            bytes.append(UInt8(value))
        }

        mutating func varint(_ field: Int, _ value: UInt64) {
            tag(field, 0)
            rawVarint(value)
        }

        mutating func fixed64(_ field: Int, _ value: UInt64) {
            tag(field, 1)
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }

        mutating func append(_ field: Int, _ payload: [UInt8]) {
            tag(field, 2)
            rawVarint(UInt64(payload.count))
            bytes.append(contentsOf: payload)
        }

        mutating func bytes(_ field: Int, _ payload: [UInt8]) { append(field, payload) }
        mutating func string(_ field: Int, _ text: String) { append(field, Array(text.utf8)) }

        mutating func message(_ field: Int, _ build: (inout Writer) -> Void) {
            var inner = Writer()
            build(&inner)
            append(field, inner.bytes)
        }

        /// KeyValue{key = 1, value = AnyValue{string_value = 1}}.
        mutating func keyValue(key: String, value: String) {
            string(1, key)
            message(2) { $0.string(1, value) }
        }
    }
}

extension TraceID {
    /// The 16 bytes, big-endian.
    public var bigEndianBytes: [UInt8] { high.bigEndianBytes + low.bigEndianBytes }
}

extension UInt64 {
    /// The 8 bytes, big-endian.
    public var bigEndianBytes: [UInt8] { withUnsafeBytes(of: bigEndian) { Array($0) } }
}
