import TracebenchScenario

/// The API's fast path for the bodies tracebench itself writes: `POST /jobs` bodies in exactly the compact form
/// ``JobRequest/json`` produces are read without `JSONDecoder`, and the answer is written without `JSONEncoder`
/// (Foundation's coders were some 12 % of the API's CPU per job). Any other body — whitespace, another key order,
/// escapes, a fraction, an extra key — is not this form, and the API decodes it with `JSONDecoder` as before, so the
/// fast path can only agree with the decoder (tested on both).
extension JobRequest {
    /// Parses `{"id":"…","type":N,"priority":N,"seed":N,"intendedStartMicros":N,"arm":N}` with no whitespace, an id
    /// without escapes or control characters, and integers in range; nil for anything else.
    public init?(compactJSON bytes: UnsafeRawBufferPointer) {
        var reader = CompactJSONReader(bytes: bytes)
        guard reader.expect("{\"id\":"), let id = reader.plainString(),
              reader.expect(",\"type\":"), let type = reader.integer(Int.self),
              reader.expect(",\"priority\":"), let priority = reader.integer(Int.self),
              reader.expect(",\"seed\":"), let seed = reader.integer(UInt64.self),
              reader.expect(",\"intendedStartMicros\":"), let intended = reader.integer(Int64.self),
              reader.expect(",\"arm\":"), let arm = reader.integer(Int.self),
              reader.expect("}"), reader.atEnd
        else { return nil }
        self.init(id: id, type: type, priority: priority, seed: seed, intendedStartMicros: intended, arm: arm)
    }
}

extension JobAccepted {
    /// The response body: the object `JSONEncoder` writes for it (the same keys), written by hand.
    public var json: String { "{\"id\":\(JSONText.quoted(id)),\"traceID\":\(JSONText.quoted(traceID))}" }
}

/// A cursor over one compact JSON object of a fixed shape.
struct CompactJSONReader {
    let bytes: UnsafeRawBufferPointer
    var offset = 0

    var atEnd: Bool { offset == bytes.count }

    /// Consumes `literal` if the input continues with exactly it.
    mutating func expect(_ literal: StaticString) -> Bool {
        let count = literal.utf8CodeUnitCount
        guard bytes.count - offset >= count else { return false }
        let matches = literal.withUTF8Buffer { expected in
            (0 ..< count).allSatisfy { bytes[offset + $0] == expected[$0] }
        }
        if matches { offset += count }
        return matches
    }

    /// A string literal with no escape and no control character, valid UTF-8.
    mutating func plainString() -> String? {
        guard offset < bytes.count, bytes[offset] == UInt8(ascii: "\"") else { return nil }
        let start = offset + 1
        var end = start
        while end < bytes.count, bytes[end] != UInt8(ascii: "\"") {
            if bytes[end] < 0x20 || bytes[end] == UInt8(ascii: "\\") { return nil }
            end += 1
        }
        guard end < bytes.count else { return nil }
        offset = end + 1
        return String(validating: UnsafeRawBufferPointer(rebasing: bytes[start ..< end]), as: UTF8.self)
    }

    /// A JSON integer (`-`? then `0` or a digit 1–9 and more digits) that fits `T`.
    mutating func integer<T: FixedWidthInteger>(_: T.Type) -> T? {
        var index = offset
        let negative = index < bytes.count && bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        let first = index
        var value: T = 0
        while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
            let digit = T(bytes[index] - UInt8(ascii: "0"))
            let (shifted, overflowA) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowB) = negative ? shifted.subtractingReportingOverflow(digit) : shifted.addingReportingOverflow(digit)
            if overflowA || overflowB { return nil }
            value = next
            index += 1
        }
        let digits = index - first
        guard digits > 0, digits == 1 || bytes[first] != UInt8(ascii: "0") else { return nil }
        offset = index
        return value
    }
}
