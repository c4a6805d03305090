// A hand-written protobuf wire-format scanner for OTLP trace export requests. No Foundation, no swift-protobuf:
// it walks the bytes once, skips what trace assembly does not need, and never traps on hostile input.

import TracebenchMeasure
import TracebenchVocabulary

/// The protobuf wire types this scanner accepts (groups, 3 and 4, and the undefined 6 and 7 are rejected).
enum OTLPWireType: UInt8 {
    case varint = 0
    case fixed64 = 1
    case lengthDelimited = 2
    case fixed32 = 5
}

/// One field key: its field number and wire type.
struct OTLPFieldTag {
    var field: UInt32
    var wireType: OTLPWireType
}

/// A bounds-checked cursor over `base[position ..< end]`. Every read either consumes at least one byte or throws.
struct OTLPWireReader {
    let base: UnsafeRawPointer
    var position: Int
    let end: Int

    @inline(__always)
    var hasMore: Bool { position < end }

    /// A base-128 varint of at most 10 bytes whose value fits in 64 bits.
    @inline(__always)
    mutating func readVarint() throws(OTLPDecodeError) -> UInt64 {
        guard position < end else { throw .truncated }
        let first = base.load(fromByteOffset: position, as: UInt8.self)
        position &+= 1
        if first < 0x80 { return UInt64(first) }
        return try readVarintSlow(first)
    }

    private mutating func readVarintSlow(_ first: UInt8) throws(OTLPDecodeError) -> UInt64 {
        var result = UInt64(first & 0x7F)
        var shift: UInt64 = 7
        while true {
            guard position < end else { throw .truncated }
            let byte = base.load(fromByteOffset: position, as: UInt8.self)
            position &+= 1
            if shift == 63 {
                // The 10th byte: only its lowest bit still fits in 64 bits, and it must end the varint.
                guard byte <= 1 else { throw .malformed("varint longer than 10 bytes or wider than 64 bits") }
                return result | UInt64(byte) << 63
            }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift &+= 7
        }
    }

    /// A field key. Rejects field number 0, numbers above 2^29-1, groups and wire types 6/7.
    @inline(__always)
    mutating func readTag() throws(OTLPDecodeError) -> OTLPFieldTag {
        let key = try readVarint()
        guard key <= UInt64(UInt32.max) else { throw .malformed("field number out of range") }
        let field = UInt32(truncatingIfNeeded: key >> 3)
        guard field != 0 else { throw .malformed("field number 0") }
        let raw = UInt8(truncatingIfNeeded: key & 7)
        guard let wireType = OTLPWireType(rawValue: raw) else {
            if raw == 3 || raw == 4 { throw .malformed("groups (wire type \(raw)) are not supported") }
            throw .malformed("invalid wire type \(raw)")
        }
        return OTLPFieldTag(field: field, wireType: wireType)
    }

    /// The payload range of a length-delimited field whose tag was just read; the cursor moves past it.
    @inline(__always)
    mutating func readLengthDelimited(_ tag: OTLPFieldTag) throws(OTLPDecodeError) -> Range<Int> {
        guard tag.wireType == .lengthDelimited else { throw Self.wrongWireType(tag) }
        let length = try readVarint()
        guard length <= UInt64(end &- position) else { throw .truncated }
        let start = position
        position &+= Int(truncatingIfNeeded: length)
        return start ..< position
    }

    /// A fixed64 field (little-endian) whose tag was just read.
    @inline(__always)
    mutating func readFixed64(_ tag: OTLPFieldTag) throws(OTLPDecodeError) -> UInt64 {
        guard tag.wireType == .fixed64 else { throw Self.wrongWireType(tag) }
        guard end &- position >= 8 else { throw .truncated }
        let value = base.loadUnaligned(fromByteOffset: position, as: UInt64.self)
        position &+= 8
        return UInt64(littleEndian: value)
    }

    /// A varint field whose tag was just read.
    @inline(__always)
    mutating func readVarint(_ tag: OTLPFieldTag) throws(OTLPDecodeError) -> UInt64 {
        guard tag.wireType == .varint else { throw Self.wrongWireType(tag) }
        return try readVarint()
    }

    /// Skips the value of a field whose tag was just read.
    @inline(__always)
    mutating func skip(_ tag: OTLPFieldTag) throws(OTLPDecodeError) {
        switch tag.wireType {
        case .varint:
            _ = try readVarint()
        case .fixed64:
            guard end &- position >= 8 else { throw .truncated }
            position &+= 8
        case .fixed32:
            guard end &- position >= 4 else { throw .truncated }
            position &+= 4
        case .lengthDelimited:
            _ = try readLengthDelimited(tag)
        }
    }

    /// A reader over a sub-message's payload.
    @inline(__always)
    func sub(_ range: Range<Int>) -> OTLPWireReader {
        OTLPWireReader(base: base, position: range.lowerBound, end: range.upperBound)
    }

    static func wrongWireType(_ tag: OTLPFieldTag) -> OTLPDecodeError {
        .malformed("field \(tag.field) has unexpected wire type \(tag.wireType.rawValue)")
    }
}

/// Decodes `ExportTraceServiceRequest` bytes into ``ReceivedSpan``s (the engine behind ``OTLPDecoder``'s protobuf path).
struct OTLPProtobufDecoder {
    let base: UnsafeRawPointer
    let receivedNanos: UInt64
    var spans: [ReceivedSpan] = []

    init(base: UnsafeRawPointer, receivedNanos: UInt64) {
        self.base = base
        self.receivedNanos = receivedNanos
    }

    /// ExportTraceServiceRequest { 1: repeated ResourceSpans }
    mutating func decodeRequest(end: Int) throws(OTLPDecodeError) {
        var reader = OTLPWireReader(base: base, position: 0, end: end)
        while reader.hasMore {
            let tag = try reader.readTag()
            if tag.field == 1 {
                try decodeResourceSpans(reader.sub(reader.readLengthDelimited(tag)))
            } else {
                try reader.skip(tag)
            }
        }
    }

    /// ResourceSpans { 1: Resource, 2: repeated ScopeSpans, 3: schema_url }. The resource may follow the scope spans
    /// in the byte stream (and may occur more than once, which protobuf merges), so spans decoded before the final
    /// service name was known are patched at the end.
    mutating func decodeResourceSpans(_ message: OTLPWireReader) throws(OTLPDecodeError) {
        var reader = message
        let firstSpan = spans.count
        var serviceName = ""
        var needsPatch = false
        while reader.hasMore {
            let tag = try reader.readTag()
            switch tag.field {
            case 1:
                if let name = try Self.serviceName(inResource: reader.sub(reader.readLengthDelimited(tag))) {
                    if spans.count > firstSpan, name != serviceName { needsPatch = true }
                    serviceName = name
                }
            case 2:
                try decodeScopeSpans(reader.sub(reader.readLengthDelimited(tag)), serviceName: serviceName)
            default:
                try reader.skip(tag)
            }
        }
        if needsPatch {
            for index in firstSpan ..< spans.count { spans[index].serviceName = serviceName }
        }
    }

    /// Resource { 1: repeated KeyValue attributes }: the string value of the last `service.name`, if any.
    static func serviceName(inResource message: OTLPWireReader) throws(OTLPDecodeError) -> String? {
        var reader = message
        var found: String?
        while reader.hasMore {
            let tag = try reader.readTag()
            if tag.field == 1 {
                if let value = try stringAttribute(reader.sub(reader.readLengthDelimited(tag)), key: Self.serviceNameKey) {
                    found = value
                }
            } else {
                try reader.skip(tag)
            }
        }
        return found
    }

    /// ScopeSpans { 1: InstrumentationScope, 2: repeated Span, 3: schema_url }
    mutating func decodeScopeSpans(_ message: OTLPWireReader, serviceName: String) throws(OTLPDecodeError) {
        var reader = message
        while reader.hasMore {
            let tag = try reader.readTag()
            if tag.field == 2 {
                let span = try decodeSpan(reader.sub(reader.readLengthDelimited(tag)), serviceName: serviceName)
                spans.append(span)
            } else {
                try reader.skip(tag)
            }
        }
    }

    /// Span { 1: trace_id (16 bytes), 2: span_id (8), 4: parent_span_id (0 or 8), 5: name, 7: fixed64 start,
    /// 8: fixed64 end, 9: repeated KeyValue attributes, 15: Status; others skipped }. Last occurrence wins.
    func decodeSpan(_ message: OTLPWireReader, serviceName: String) throws(OTLPDecodeError) -> ReceivedSpan {
        var reader = message
        var traceID: Range<Int> = 0 ..< 0
        var spanID: Range<Int> = 0 ..< 0
        var parentSpanID: Range<Int> = 0 ..< 0
        var name: Range<Int> = 0 ..< 0
        var start: UInt64 = 0
        var end: UInt64 = 0
        var isError = false
        var jobID: String?
        var traceState: Range<Int> = 0 ..< 0
        while reader.hasMore {
            let tag = try reader.readTag()
            switch tag.field {
            case 1: traceID = try reader.readLengthDelimited(tag)
            case 2: spanID = try reader.readLengthDelimited(tag)
            case 3: traceState = try reader.readLengthDelimited(tag)
            case 4: parentSpanID = try reader.readLengthDelimited(tag)
            case 5: name = try reader.readLengthDelimited(tag)
            case 7: start = try reader.readFixed64(tag)
            case 8: end = try reader.readFixed64(tag)
            case 9:
                if let value = try Self.stringAttribute(reader.sub(reader.readLengthDelimited(tag)), key: Self.jobIDKey) {
                    jobID = value
                }
            case 15:
                if let code = try Self.statusCode(reader.sub(reader.readLengthDelimited(tag))) {
                    isError = code == 2
                }
            default:
                try reader.skip(tag)
            }
        }
        guard traceID.count == 16 else { throw .malformed("trace_id is \(traceID.count) bytes, expected 16") }
        guard spanID.count == 8 else { throw .malformed("span_id is \(spanID.count) bytes, expected 8") }
        guard parentSpanID.isEmpty || parentSpanID.count == 8 else {
            throw .malformed("parent_span_id is \(parentSpanID.count) bytes, expected 0 or 8")
        }
        return ReceivedSpan(
            traceID: TraceID(high: bigEndian64(at: traceID.lowerBound), low: bigEndian64(at: traceID.lowerBound &+ 8)),
            spanID: bigEndian64(at: spanID.lowerBound),
            parentSpanID: parentSpanID.isEmpty ? 0 : bigEndian64(at: parentSpanID.lowerBound),
            name: string(name),
            serviceName: serviceName,
            startNanos: start,
            endNanos: end,
            isError: isError,
            jobID: jobID,
            receivedNanos: receivedNanos,
            samplingThreshold: traceState.isEmpty ? nil : ConsistentThreshold(traceState: string(traceState))
        )
    }

    /// Status { 2: message, 3: enum code }: the code, if the field is present.
    static func statusCode(_ message: OTLPWireReader) throws(OTLPDecodeError) -> UInt64? {
        var reader = message
        var code: UInt64?
        while reader.hasMore {
            let tag = try reader.readTag()
            if tag.field == 3 {
                code = try reader.readVarint(tag)
            } else {
                try reader.skip(tag)
            }
        }
        return code
    }

    /// The UTF-8 bytes of the attribute keys read, compared in place against each attribute's key.
    static let jobIDKey = Array(SpanAttribute.jobID.utf8)
    static let serviceNameKey = Array("service.name".utf8)

    /// KeyValue { 1: key, 2: AnyValue value }: the value as a String if the key is `key` and the value holds a
    /// string (AnyValue is a oneof: field 1 string_value, 2–7 the other kinds; the last one present wins).
    static func stringAttribute(_ message: OTLPWireReader, key: [UInt8]) throws(OTLPDecodeError) -> String? {
        var reader = message
        var keyRange: Range<Int> = 0 ..< 0
        var valueRange: Range<Int>?
        while reader.hasMore {
            let tag = try reader.readTag()
            switch tag.field {
            case 1: keyRange = try reader.readLengthDelimited(tag)
            case 2: valueRange = try reader.readLengthDelimited(tag)
            default: try reader.skip(tag)
            }
        }
        guard let valueRange, equals(reader.base, keyRange, key) else { return nil }
        var value = reader.sub(valueRange)
        var stringValue: Range<Int>?
        while value.hasMore {
            let tag = try value.readTag()
            switch tag.field {
            case 1: stringValue = try value.readLengthDelimited(tag)
            case 2 ... 7:
                stringValue = nil
                try value.skip(tag)
            default: try value.skip(tag)
            }
        }
        guard let stringValue else { return nil }
        return makeString(reader.base, stringValue)
    }

    @inline(__always)
    func bigEndian64(at offset: Int) -> UInt64 {
        UInt64(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    func string(_ range: Range<Int>) -> String { Self.makeString(base, range) }

    /// Decodes UTF-8 (invalid sequences become U+FFFD rather than failing the request).
    @inline(__always)
    static func makeString(_ base: UnsafeRawPointer, _ range: Range<Int>) -> String {
        if range.isEmpty { return "" }
        let bytes = UnsafeBufferPointer(
            start: (base + range.lowerBound).assumingMemoryBound(to: UInt8.self), count: range.count)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Whether the bytes in `range` equal `literal`'s UTF-8, without allocating.
    @inline(__always)
    static func equals(_ base: UnsafeRawPointer, _ range: Range<Int>, _ expected: [UInt8]) -> Bool {
        let count = expected.count
        guard range.count == count else { return false }
        var i = 0
        while i < count {
            if base.load(fromByteOffset: range.lowerBound &+ i, as: UInt8.self) != expected[i] { return false }
            i &+= 1
        }
        return true
    }
}
