import TracebenchMeasure
import TracebenchScenario
import TracebenchSink

/// The firehose's batches without an encoder per batch: each span shape (root or child, ok or error) is encoded once
/// with sentinel ids and times, the offsets of those fields are found, and a batch is the shapes' bytes copied one after
/// another with each span's ids and times written over the sentinels (protobuf `bytes` of fixed length and `fixed64`
/// keep their size whatever the value), inside the request's length-prefixed wrappers. Byte for byte what
/// ``SpanBatches/encoded(_:now:)`` writes through ``OTLPProtobufEncoder`` (the test compares them).
struct SpanBatchTemplate: Sendable {
    /// One span shape: its encoded `Span` message (tag and length included) and where its fields are.
    struct Shape: Sendable {
        var bytes: [UInt8]
        var traceID: Int
        var spanID: Int
        var parentSpanID: Int?
        var start: Int
        var end: Int
    }

    let spec: FirehoseSpec
    let seed: UInt64
    /// `ResourceSpans.resource` (tag, length, message) and the scope's own header (`InstrumentationScope`), as encoded.
    private let resource: [UInt8]
    private let scopeHeader: [UInt8]
    /// Indexed by `isChild * 2 + isError`.
    private let shapes: [Shape]

    private static let sentinelTrace = TraceID(high: 0xA1A2_A3A4_A5A6_A7A8, low: 0xA9AA_ABAC_ADAE_AFB0)
    private static let sentinelSpan: UInt64 = 0xB1B2_B3B4_B5B6_B7B8
    private static let sentinelParent: UInt64 = 0xC1C2_C3C4_C5C6_C7C8
    private static let sentinelStart: UInt64 = 0xD1D2_D3D4_D5D6_D7D8
    private static let sentinelEnd: UInt64 = 0xE1E2_E3E4_E5E6_E7E8

    init(spec: FirehoseSpec, seed: UInt64) {
        self.spec = spec
        self.seed = seed
        let encoder = OTLPProtobufEncoder()
        let attributes = SpanBatches.attributes(spec)
        // The request of no span is [request tag, len, [resourceSpans: resource, scope: [scope header]]]: peel it.
        let empty = encoder.encode(serviceName: SpanBatches.serviceName, spans: [])
        let (resource, scopeHeader) = Self.wrappers(of: empty)
        var shapes: [Shape] = []
        for isChild in [false, true] {
            for isError in [false, true] {
                let span = OTLPProtobufEncoder.Span(traceID: Self.sentinelTrace, spanID: Self.sentinelSpan, parentSpanID: isChild ? Self.sentinelParent : 0,
                                                    name: SpanBatches.name(isRoot: !isChild), startNanos: Self.sentinelStart, endNanos: Self.sentinelEnd,
                                                    isError: isError, attributes: attributes)
                // The span message is what the scope of a request holding it has past the empty scope's header.
                let alone = Self.wrappers(of: encoder.encode(serviceName: SpanBatches.serviceName, spans: [span])).scope
                let bytes = Array(alone[scopeHeader.count...])
                func find(_ value: [UInt8]) -> Int? { Self.index(of: value, in: bytes) }
                shapes.append(Shape(bytes: bytes, traceID: find(Self.sentinelTrace.bigEndianBytes)!, spanID: find(Self.sentinelSpan.bigEndianBytes)!,
                                    parentSpanID: isChild ? find(Self.sentinelParent.bigEndianBytes)! : nil,
                                    start: find(Self.littleEndian(Self.sentinelStart))!, end: find(Self.littleEndian(Self.sentinelEnd))!))
            }
        }
        self.shapes = shapes
        self.resource = resource
        self.scopeHeader = scopeHeader
    }

    /// Batch `index` stamped `now` (ns since the epoch).
    func batch(_ index: Int, now: UInt64) -> [UInt8] {
        var random = SeededGenerator(seed: seed).derived(UInt64(index))
        var scope = scopeHeader
        scope.reserveCapacity(scopeHeader.count + spec.batchSpans * (shapes[3].bytes.count))
        let traceHigh = (seed ^ 0x7472_6163_6562_656E).bigEndian
        for position in (index * spec.batchSpans)..<((index + 1) * spec.batchSpans) {
            let trace = position / spec.spansPerTrace, inTrace = position % spec.spansPerTrace
            let isError = spec.errorRatio > 0 && random.nextUnit() < spec.errorRatio
            let shape = shapes[(inTrace == 0 ? 0 : 2) + (isError ? 1 : 0)]
            let base = scope.count
            scope.append(contentsOf: shape.bytes)
            scope.withUnsafeMutableBytes { raw in
                let out = raw.baseAddress!
                out.storeBytes(of: traceHigh, toByteOffset: base + shape.traceID, as: UInt64.self)
                out.storeBytes(of: (UInt64(trace) &+ 1).bigEndian, toByteOffset: base + shape.traceID + 8, as: UInt64.self)
                out.storeBytes(of: (UInt64(position) &+ 1).bigEndian, toByteOffset: base + shape.spanID, as: UInt64.self)
                if let parent = shape.parentSpanID {
                    out.storeBytes(of: (UInt64(position - inTrace) &+ 1).bigEndian, toByteOffset: base + parent, as: UInt64.self)
                }
                out.storeBytes(of: (now &- 1_000_000).littleEndian, toByteOffset: base + shape.start, as: UInt64.self)
                out.storeBytes(of: now.littleEndian, toByteOffset: base + shape.end, as: UInt64.self)
            }
        }
        // ResourceSpans = resource + scope (field 2); the request = ResourceSpans (field 1).
        var resourceSpans = resource
        Self.appendField(2, scope, to: &resourceSpans)
        var request: [UInt8] = []
        request.reserveCapacity(resourceSpans.count + 8)
        Self.appendField(1, resourceSpans, to: &request)
        return request
    }

    // MARK: Taking the reference encoding apart

    /// Splits a request into ResourceSpans.resource (with its tag and length) and the scope's contents.
    private static func wrappers(of request: [UInt8]) -> (resource: [UInt8], scope: [UInt8]) {
        var reader = FieldReader(bytes: request)
        let resourceSpans = reader.next()!.payload
        var inner = FieldReader(bytes: resourceSpans)
        let resource = inner.next()!
        let scope = inner.next()!
        return (Array(resourceSpans[resource.start..<resource.end]), scope.payload)
    }

    /// Walks length-delimited fields (the only kind the wrappers use).
    private struct FieldReader {
        let bytes: [UInt8]
        var offset = 0
        mutating func next() -> (start: Int, end: Int, payload: [UInt8])? {
            guard offset < bytes.count else { return nil }
            let start = offset
            _ = varint()
            let length = Int(varint())
            let payload = Array(bytes[offset..<offset + length])
            offset += length
            return (start, offset, payload)
        }
        private mutating func varint() -> UInt64 {
            var value: UInt64 = 0, shift: UInt64 = 0
            while true {
                let byte = bytes[offset]
                offset += 1
                value |= UInt64(byte & 0x7F) << shift
                if byte < 0x80 { return value }
                shift += 7
            }
        }
    }

    private static func appendField(_ field: UInt64, _ payload: [UInt8], to out: inout [UInt8]) {
        appendVarint(field << 3 | 2, to: &out)
        appendVarint(UInt64(payload.count), to: &out)
        out.append(contentsOf: payload)
    }

    private static func appendVarint(_ value: UInt64, to out: inout [UInt8]) {
        var value = value
        while value >= 0x80 {
            out.append(UInt8(value & 0x7F) | 0x80)
            value >>= 7
        }
        out.append(UInt8(value))
    }

    private static func littleEndian(_ value: UInt64) -> [UInt8] { withUnsafeBytes(of: value.littleEndian) { Array($0) } }

    private static func index(of needle: [UInt8], in haystack: [UInt8]) -> Int? {
        guard haystack.count >= needle.count else { return nil }
        return (0...(haystack.count - needle.count)).first { haystack[$0..<$0 + needle.count].elementsEqual(needle) }
    }
}
