import TracebenchMeasure

/// A 128-bit trace id.
///
/// Stored as two big-endian halves: `high` holds bytes 0–7 of the W3C/OTLP id and `low` bytes 8–15, so ordering by
/// ``TraceID`` matches ordering by the id's bytes and by its hex form.
public struct TraceID: Hashable, Sendable, Comparable, CustomStringConvertible {
    /// The first 8 bytes of the id, as a big-endian integer.
    public var high: UInt64
    /// The last 8 bytes of the id, as a big-endian integer.
    public var low: UInt64

    /// The all-zero (invalid) id.
    public static let zero = TraceID(high: 0, low: 0)

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// Parses exactly 32 hex digits (either case). Returns nil for any other length or character.
    public init?(hex: String) {
        var contiguous = hex
        contiguous.makeContiguousUTF8()  // no-op for native strings
        guard let id = contiguous.utf8.withContiguousStorageIfAvailable({ Self.parse(hexUTF8: $0) }) ?? nil else {
            return nil
        }
        self = id
    }

    /// Reads exactly 16 bytes, big-endian. Returns nil for any other count.
    public init?(bytes: some Collection<UInt8>) {
        guard bytes.count == 16 else { return nil }
        var high: UInt64 = 0
        var low: UInt64 = 0
        for (offset, byte) in bytes.enumerated() {
            if offset < 8 {
                high = high << 8 | UInt64(byte)
            } else {
                low = low << 8 | UInt64(byte)
            }
        }
        self.init(high: high, low: low)
    }

    /// 32 lowercase hex digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 32) { buffer in
            HexDigits.write(high, into: buffer, at: 0)
            HexDigits.write(low, into: buffer, at: 16)
            return 32
        }
    }

    public var description: String { hex }

    /// False for the all-zero id, which W3C trace context and OTLP define as invalid.
    public var isValid: Bool { high != 0 || low != 0 }

    public static func < (lhs: TraceID, rhs: TraceID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    static func parse(hexUTF8 chars: UnsafeBufferPointer<UInt8>) -> TraceID? {
        guard chars.count == 32,
              let high = HexDigits.parse64(chars, from: 0),
              let low = HexDigits.parse64(chars, from: 16)
        else { return nil }
        return TraceID(high: high, low: low)
    }
}

/// One span as the sink received it: only what trace assembly needs.
///
/// Produced by ``OTLPDecoder`` from OTLP protobuf or JSON export requests; everything else in the OTLP span
/// (events, links, other attributes, kind, trace state other than its `ot=th`) is skipped during decoding.
public struct ReceivedSpan: Sendable, Equatable {
    /// The span's trace id (OTLP `trace_id`, 16 bytes).
    public var traceID: TraceID
    /// Big-endian value of the 8 span-id bytes.
    public var spanID: UInt64
    /// Big-endian value of the 8 parent-span-id bytes; 0 means no parent (a root span).
    public var parentSpanID: UInt64
    /// The span name.
    public var name: String
    /// The resource attribute `service.name` of the span's ResourceSpans ("" if absent).
    public var serviceName: String
    /// OTLP `start_time_unix_nano`.
    public var startNanos: UInt64
    /// OTLP `end_time_unix_nano`.
    public var endNanos: UInt64
    /// True when `status.code == STATUS_CODE_ERROR` (2).
    public var isError: Bool
    /// The span's string attribute `job.id`, if present (non-string values are ignored).
    public var jobID: String?
    /// When the sink received the request; set by the caller (the decoder takes it as a parameter).
    public var receivedNanos: UInt64
    /// The consistent-sampling threshold a sampler wrote into the span's tracestate (`ot=th:…`), if any: the span
    /// was kept with probability `samplingThreshold.probability`.
    public var samplingThreshold: ConsistentThreshold?

    public init(
        traceID: TraceID, spanID: UInt64, parentSpanID: UInt64, name: String, serviceName: String,
        startNanos: UInt64, endNanos: UInt64, isError: Bool, jobID: String?, receivedNanos: UInt64,
        samplingThreshold: ConsistentThreshold? = nil
    ) {
        self.samplingThreshold = samplingThreshold
        self.traceID = traceID
        self.spanID = spanID
        self.parentSpanID = parentSpanID
        self.name = name
        self.serviceName = serviceName
        self.startNanos = startNanos
        self.endNanos = endNanos
        self.isError = isError
        self.jobID = jobID
        self.receivedNanos = receivedNanos
    }

    /// True when the span has no parent.
    public var isRoot: Bool { parentSpanID == 0 }
}

/// 16 lowercase hex digits of a span id (big-endian, as in OTLP/JSON and W3C `traceparent`).
public func spanIDHex(_ id: UInt64) -> String {
    String(unsafeUninitializedCapacity: 16) { buffer in
        HexDigits.write(id, into: buffer, at: 0)
        return 16
    }
}

/// Parses a span id of exactly 16 hex digits (either case); nil otherwise.
public func parseSpanIDHex(_ hex: String) -> UInt64? {
    var copy = hex
    copy.makeContiguousUTF8()
    return copy.utf8.withContiguousStorageIfAvailable { chars in
        chars.count == 16 ? HexDigits.parse64(chars, from: 0) : nil
    } ?? nil
}

// MARK: - Hex helpers (no Foundation)

/// Hex encoding and decoding of 64-bit ids, shared by the id types and the JSON decoder.
enum HexDigits {
    static let lowercase: StaticString = "0123456789abcdef"

    /// Writes the 16 hex digits of `value` into `buffer[offset ..< offset + 16]`.
    @inline(__always)
    static func write(_ value: UInt64, into buffer: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        let digits = lowercase.utf8Start
        var v = value
        var i = offset &+ 15
        while i >= offset {
            buffer[i] = digits[Int(truncatingIfNeeded: v & 0xF)]
            v >>= 4
            i &-= 1
        }
    }

    /// The value of one ASCII hex digit (either case), or nil.
    @inline(__always)
    static func value(_ c: UInt8) -> UInt64? {
        switch c {
        case UInt8(ascii: "0") ... UInt8(ascii: "9"): UInt64(c &- UInt8(ascii: "0"))
        case UInt8(ascii: "a") ... UInt8(ascii: "f"): UInt64(c &- UInt8(ascii: "a") &+ 10)
        case UInt8(ascii: "A") ... UInt8(ascii: "F"): UInt64(c &- UInt8(ascii: "A") &+ 10)
        default: nil
        }
    }

    /// Parses the 16 hex digits at `chars[start ..< start + 16]`; the caller guarantees they are in bounds.
    @inline(__always)
    static func parse64(_ chars: UnsafeBufferPointer<UInt8>, from start: Int) -> UInt64? {
        var result: UInt64 = 0
        for i in start ..< start &+ 16 {
            guard let digit = value(chars[i]) else { return nil }
            result = result << 4 | digit
        }
        return result
    }
}
