import Foundation
import Testing
import TracebenchMeasure
@testable import TracebenchSink

// Decoder tests for the sink's OTLP receiver. The fixtures at the bottom were produced by the official
// opentelemetry-proto Python bindings; regenerate them with Tests/TracebenchTests/Fixtures/make_otlp_fixtures.py.

// MARK: - Expected content of the fixtures

private let base: UInt64 = 1_700_000_000_123_456_789
private let t1 = TraceID(high: 0x0af7_6519_16cd_43dd, low: 0x8448_eb21_1c80_319c)
private let t2 = TraceID(high: 0x4bf9_2f35_77b3_4da6, low: 0xa3ce_929d_0e0e_4736)
private let t3 = TraceID(high: 0xffff_ffff_ffff_ffff, low: 1)

private func expectedSpans(received: UInt64) -> [ReceivedSpan] {
    [
        ReceivedSpan(traceID: t1, spanID: 0xb7ad_6b71_6920_3331, parentSpanID: 0, name: "GET /checkout",
                     serviceName: "checkout", startNanos: base, endNanos: base + 5_000_000, isError: false,
                     jobID: nil, receivedNanos: received),
        ReceivedSpan(traceID: t1, spanID: 0x00f0_67aa_0ba9_02b7, parentSpanID: 0xb7ad_6b71_6920_3331,
                     name: "charge card", serviceName: "checkout", startNanos: base + 1_000,
                     endNanos: base + 4_000_000, isError: false, jobID: nil, receivedNanos: received),
        ReceivedSpan(traceID: t1, spanID: 0x8000_0000_0000_0001, parentSpanID: 0x00f0_67aa_0ba9_02b7,
                     name: "db.query ünïcode", serviceName: "checkout", startNanos: base + 2_000_000,
                     endNanos: base + 3_000_000, isError: true, jobID: "job-0007", receivedNanos: received),
        ReceivedSpan(traceID: t2, spanID: 0xfedc_ba98_7654_3210, parentSpanID: 0, name: "settle",
                     serviceName: "billing", startNanos: 20, endNanos: 10, isError: false, jobID: nil,
                     receivedNanos: received),
        ReceivedSpan(traceID: t3, spanID: 0x0102_0304_0506_0708, parentSpanID: 0, name: "", serviceName: "",
                     startNanos: 1, endNanos: 2, isError: false, jobID: nil, receivedNanos: received),
    ]
}

/// Field-by-field comparison, so a failure names the field.
private func expectSpans(_ actual: [ReceivedSpan], _ expected: [ReceivedSpan], sourceLocation: SourceLocation = #_sourceLocation) {
    #expect(actual.count == expected.count, sourceLocation: sourceLocation)
    for (a, e) in zip(actual, expected) {
        #expect(a.traceID == e.traceID, sourceLocation: sourceLocation)
        #expect(a.spanID == e.spanID, sourceLocation: sourceLocation)
        #expect(a.parentSpanID == e.parentSpanID, sourceLocation: sourceLocation)
        #expect(a.name == e.name, sourceLocation: sourceLocation)
        #expect(a.serviceName == e.serviceName, sourceLocation: sourceLocation)
        #expect(a.startNanos == e.startNanos, sourceLocation: sourceLocation)
        #expect(a.endNanos == e.endNanos, sourceLocation: sourceLocation)
        #expect(a.isError == e.isError, sourceLocation: sourceLocation)
        #expect(a.jobID == e.jobID, sourceLocation: sourceLocation)
        #expect(a.receivedNanos == e.receivedNanos, sourceLocation: sourceLocation)
        #expect(a == e, sourceLocation: sourceLocation)
    }
}

// MARK: - Test helpers

private func hexBytes(_ text: String) -> [UInt8] {
    let digits = text.unicodeScalars.filter { !$0.properties.isWhitespace }.map { Character($0) }
    return stride(from: 0, to: digits.count - 1, by: 2).map { UInt8(String(digits[$0 ... $0 + 1]), radix: 16)! }
}

/// A tiny protobuf writer for hand-built (often deliberately broken) messages.
private struct PB {
    var bytes: [UInt8] = []

    mutating func varint(_ value: UInt64) {
        var v = value
        while v >= 0x80 {
            bytes.append(UInt8(v & 0x7F) | 0x80)
            v >>= 7
        }
        bytes.append(UInt8(v))
    }
    mutating func tag(_ field: UInt64, _ wireType: UInt64) { varint(field << 3 | wireType) }
    mutating func varint(_ field: UInt64, _ value: UInt64) { tag(field, 0); varint(value) }
    mutating func bytes(_ field: UInt64, _ payload: [UInt8]) { tag(field, 2); varint(UInt64(payload.count)); bytes += payload }
    mutating func string(_ field: UInt64, _ text: String) { bytes(field, Array(text.utf8)) }
    mutating func fixed64(_ field: UInt64, _ value: UInt64) { tag(field, 1); withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    mutating func fixed32(_ field: UInt64, _ value: UInt32) { tag(field, 5); withUnsafeBytes(of: value.littleEndian) { bytes += $0 } }
    /// Field 99 once with each valid wire type.
    mutating func unknownFields() { varint(99, 1 << 40); fixed64(99, 7); string(99, "ignored"); fixed32(99, 9) }

    static func build(_ body: (inout PB) -> Void) -> [UInt8] {
        var pb = PB()
        body(&pb)
        return pb.bytes
    }
}

private let traceBytes: [UInt8] = Array(0x01 ... 0x10)
private let spanBytes: [UInt8] = [0xa0, 0, 0, 0, 0, 0, 0, 0x0b]

private func keyValue(_ key: String, string value: String) -> [UInt8] {
    PB.build { $0.string(1, key); $0.bytes(2, PB.build { $0.string(1, value) }) }
}

/// A Span with the given id lengths; `extra` appends more fields.
private func span(trace: [UInt8] = traceBytes, span id: [UInt8] = spanBytes, parent: [UInt8] = [],
                  extra: (inout PB) -> Void = { _ in }) -> [UInt8] {
    PB.build {
        $0.bytes(1, trace)
        $0.bytes(2, id)
        if !parent.isEmpty { $0.bytes(4, parent) }
        $0.string(5, "op")
        $0.fixed64(7, 100)
        $0.fixed64(8, 200)
        extra(&$0)
    }
}

/// A request with one ResourceSpans holding one ScopeSpans holding `spans`.
private func request(_ spans: [[UInt8]], service: String? = nil) -> [UInt8] {
    PB.build { req in
        req.bytes(1, PB.build { rs in
            if let service { rs.bytes(1, PB.build { $0.bytes(1, keyValue("service.name", string: service)) }) }
            rs.bytes(2, PB.build { ss in for s in spans { ss.bytes(2, s) } })
        })
    }
}

private func decode(_ bytes: [UInt8]) throws(OTLPDecodeError) -> [ReceivedSpan] {
    try OTLPDecoder.decodeProtobuf(bytes, receivedNanos: 42)
}

private func decodeError(_ bytes: [UInt8]) -> OTLPDecodeError? {
    do { _ = try decode(bytes); return nil } catch { return error }
}

private func isMalformed(_ error: OTLPDecodeError?) -> Bool {
    if case .malformed = error { return true }
    return false
}


// MARK: - Ids

@Suite(.computeOnly) struct TraceIDTests {
    @Test func hexRoundTrip() throws {
        let id = try #require(TraceID(hex: "0AF7651916cd43dd8448eb211c80319c"))
        #expect(id == t1)
        #expect(id.hex == "0af7651916cd43dd8448eb211c80319c")
        #expect(id.description == id.hex)
        #expect(id.isValid)
        #expect(!TraceID.zero.isValid)
        #expect(TraceID(high: 0, low: 0).hex == String(repeating: "0", count: 32))
        #expect(TraceID(bytes: hexBytes("0af7651916cd43dd8448eb211c80319c")) == t1)
        #expect(TraceID(bytes: [UInt8](repeating: 1, count: 15)) == nil)
        #expect(TraceID(bytes: [UInt8](repeating: 1, count: 17)) == nil)
        for bad in ["", "0af7651916cd43dd8448eb211c80319", "0af7651916cd43dd8448eb211c80319c0",
                    "0af7651916cd43dd8448eb211c80319g", "0af7651916cd43dd 448eb211c80319c", "é" + String(repeating: "0", count: 30)] {
            #expect(TraceID(hex: bad) == nil, "\(bad)")
        }
        #expect(TraceID(high: 1, low: 0) > TraceID(high: 0, low: .max))
        #expect(TraceID(high: 1, low: 1) < TraceID(high: 1, low: 2))
    }

    @Test func spanIDs() {
        #expect(spanIDHex(0x00f0_67aa_0ba9_02b7) == "00f067aa0ba902b7")
        #expect(spanIDHex(0) == "0000000000000000")
        #expect(spanIDHex(.max) == "ffffffffffffffff")
        #expect(parseSpanIDHex("00F067aa0ba902b7") == 0x00f0_67aa_0ba9_02b7)
        #expect(parseSpanIDHex("00f067aa0ba902b") == nil)
        #expect(parseSpanIDHex("00f067aa0ba902bx") == nil)
    }
}

// MARK: - Protobuf

@Suite(.computeOnly) struct OTLPProtobufDecoderTests {
    @Test func decodesPythonFixture() throws {
        expectSpans(try OTLPDecoder.decodeProtobuf(Fixtures.proto, receivedNanos: 42), expectedSpans(received: 42))
    }

    @Test func resourceAfterScopeSpansStillNamesTheService() throws {
        let spans = try OTLPDecoder.decodeProtobuf(Fixtures.protoResourceLast, receivedNanos: 7)
        expectSpans(spans, Array(expectedSpans(received: 7).prefix(3)))
    }

    @Test func rawBufferOverloadHonoursTheSlice() throws {
        let padded: [UInt8] = [0xff, 0x0f] + Fixtures.proto + [0x07, 0x06]
        let spans = try padded.withUnsafeBytes { raw throws(OTLPDecodeError) in
            try OTLPDecoder.decodeProtobuf(UnsafeRawBufferPointer(rebasing: raw[2 ..< raw.count - 2]), receivedNanos: 1)
        }
        expectSpans(spans, expectedSpans(received: 1))
        #expect(try OTLPDecoder.decodeProtobuf(UnsafeRawBufferPointer(start: nil, count: 0), receivedNanos: 1).isEmpty)
        #expect(try decode([]).isEmpty)
    }

    @Test func skipsUnknownFieldsEventsAndLinksEverywhere() throws {
        let anyValueWithUnknowns = PB.build { $0.unknownFields(); $0.string(1, "job-9"); $0.unknownFields() }
        let s = span(parent: spanBytes) {
            $0.unknownFields()
            $0.string(3, "state")
            $0.varint(6, 2)
            $0.bytes(9, PB.build { $0.unknownFields(); $0.string(1, "job.id"); $0.bytes(2, anyValueWithUnknowns) })
            $0.varint(10, 1)
            $0.bytes(11, PB.build { $0.fixed64(1, 5); $0.string(2, "event"); $0.bytes(3, keyValue("job.id", string: "no")) })
            $0.varint(12, 1)
            $0.bytes(13, PB.build { $0.bytes(1, traceBytes); $0.bytes(2, spanBytes); $0.bytes(4, keyValue("job.id", string: "no")) })
            $0.varint(14, 1)
            $0.bytes(15, PB.build { $0.unknownFields(); $0.varint(1, 1); $0.string(2, "msg"); $0.varint(3, 2) })
            $0.fixed32(16, 0x301)
            $0.unknownFields()
        }
        let req = PB.build { req in
            req.unknownFields()
            req.bytes(1, PB.build { rs in
                rs.unknownFields()
                rs.bytes(2, PB.build { ss in
                    ss.unknownFields()
                    ss.bytes(1, PB.build { $0.string(1, "scope"); $0.bytes(3, keyValue("service.name", string: "no")) })
                    ss.bytes(2, s)
                    ss.string(3, "schema")
                })
                rs.string(3, "schema")
                rs.bytes(1, PB.build {
                    $0.unknownFields()
                    $0.bytes(1, PB.build { $0.unknownFields(); $0.string(1, "service.name"); $0.bytes(2, PB.build { $0.string(1, "svc") }) })
                    $0.varint(2, 0)
                })
            })
            req.unknownFields()
        }
        let spans = try decode(req)
        try #require(spans.count == 1)
        let got = spans[0]
        #expect(got.traceID == TraceID(bytes: traceBytes))
        #expect(got.spanID == 0xa000_0000_0000_000b && got.parentSpanID == 0xa000_0000_0000_000b)
        #expect(got.name == "op" && got.startNanos == 100 && got.endNanos == 200 && got.receivedNanos == 42)
        #expect(got.serviceName == "svc")
        #expect(got.isError)
        #expect(got.jobID == "job-9")
    }

    @Test func attributeAndResourceEdgeCases() throws {
        // job.id whose value is an int, or a string later overwritten by an int (oneof: last wins) → nil.
        let intJob = span { $0.bytes(9, PB.build { $0.string(1, "job.id"); $0.bytes(2, PB.build { $0.varint(3, 7) }) }) }
        let overwritten = span {
            $0.bytes(9, PB.build { $0.string(1, "job.id"); $0.bytes(2, PB.build { $0.string(1, "x"); $0.varint(2, 1) }) })
        }
        let lastWins = span { $0.bytes(9, keyValue("job.id", string: "a")); $0.bytes(9, keyValue("job.id", string: "b")) }
        let okStatus = span { $0.bytes(15, PB.build { $0.varint(3, 1) }) }
        let spans = try decode(request([intJob, overwritten, lastWins, okStatus], service: "s"))
        #expect(spans.map(\.jobID) == [nil, nil, "b", nil])
        #expect(spans.map(\.isError) == [false, false, false, false])
        #expect(spans.allSatisfy { $0.serviceName == "s" })

        // Two resource fields (protobuf merges them); the later service.name wins for all spans, even earlier ones.
        let twoResources = PB.build { req in
            req.bytes(1, PB.build { rs in
                rs.bytes(1, PB.build { $0.bytes(1, keyValue("service.name", string: "first")) })
                rs.bytes(2, PB.build { $0.bytes(2, span()) })
                rs.bytes(1, PB.build { $0.bytes(1, keyValue("host.name", string: "h")) })
                rs.bytes(2, PB.build { $0.bytes(2, span()) })
                rs.bytes(1, PB.build { $0.bytes(1, keyValue("service.name", string: "second")) })
            })
            req.bytes(1, PB.build { rs in rs.bytes(2, PB.build { $0.bytes(2, span()) }) })
        }
        #expect(try decode(twoResources).map(\.serviceName) == ["second", "second", ""])
    }

    @Test func rejectsBadIds() {
        #expect(decodeError(request([span(trace: Array(traceBytes.prefix(15)))])) == .malformed("trace_id is 15 bytes, expected 16"))
        #expect(isMalformed(decodeError(request([span(trace: traceBytes + [0])]))))
        #expect(isMalformed(decodeError(request([span(trace: [])]))))
        #expect(isMalformed(decodeError(request([span(span: Array(spanBytes.prefix(7)))]))))
        #expect(isMalformed(decodeError(request([span(span: [])]))))
        #expect(isMalformed(decodeError(request([span(parent: [1, 2, 3, 4])]))))
        #expect(isMalformed(decodeError(request([span(), span(trace: [1])]))))
    }

    @Test func rejectsBrokenWireFormat() throws {
        // A length prefix past the end (top level and nested).
        #expect(decodeError([0x0a, 0x05, 0x00]) == .truncated)
        #expect(decodeError(PB.build { $0.bytes(1, [0x12, 0x7f, 0x00]) }) == .truncated)
        // Length varint that is enormous.
        #expect(decodeError([0x0a, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]) == .truncated)
        // Overlong varints: 11 bytes, and a 10th byte that overflows 64 bits.
        // (Field 2 of the request is unknown, so these reach the varint reader.)
        let overlong = OTLPDecodeError.malformed("varint longer than 10 bytes or wider than 64 bits")
        #expect(decodeError([0x10] + [UInt8](repeating: 0x80, count: 10) + [0x00]) == overlong)
        #expect(decodeError([0x10] + [UInt8](repeating: 0xff, count: 9) + [0x02]) == overlong)
        #expect(decodeError([0x80] + [UInt8](repeating: 0x80, count: 10) + [0x00]) == overlong)  // overlong tag
        #expect(decodeError(request([span { $0.tag(6, 0); $0.bytes += [UInt8](repeating: 0xff, count: 12) }])) == overlong)
        #expect(try decode([0x10] + [UInt8](repeating: 0xff, count: 9) + [0x01]).isEmpty)  // max uint64: fine
        // A varint cut short.
        #expect(decodeError([0x10, 0x80]) == .truncated)
        #expect(decodeError([0x11, 1, 2, 3]) == .truncated)  // fixed64 cut short
        #expect(decodeError([0x15, 1, 2, 3]) == .truncated)  // fixed32 cut short
        #expect(decodeError([0x0a]) == .truncated)  // length missing
        // Wire types 6 and 7, and groups (3, 4).
        for wireType: UInt8 in [3, 4, 6, 7] {
            let expected = OTLPDecodeError.malformed(
                wireType < 5 ? "groups (wire type \(wireType)) are not supported" : "invalid wire type \(wireType)")
            #expect(decodeError([0x10 | wireType, 0x00]) == expected)
            #expect(decodeError(request([span { $0.tag(99, UInt64(wireType)) }])) == expected)
        }
        // Field number 0 and field numbers above 2^29-1.
        #expect(isMalformed(decodeError([0x00, 0x00])))
        #expect(isMalformed(decodeError(PB.build { $0.varint(UInt64(1) << 32 | 0) })))
        // A known field with the wrong wire type.
        #expect(isMalformed(decodeError([0x08, 0x01])))  // ResourceSpans as a varint
        #expect(isMalformed(decodeError(request([span { $0.varint(7, 5) }]))))  // start time as a varint
        #expect(isMalformed(decodeError(request([span { $0.fixed32(15, 2) }]))))  // status as fixed32
    }

    @Test func truncatedAtEveryOffsetThrowsUnlessAtAMessageBoundary() {
        let full = Fixtures.proto
        // Top-level ResourceSpans boundaries: a prefix ending exactly there is itself a valid request.
        var boundaries: [Int: Int] = [0: 0]
        var offset = 0
        var spansSoFar = 0
        for count in [3, 1, 1] {
            offset += 1  // tag 0x0a
            var length = 0
            var shift = 0
            while true {
                let b = full[offset]
                offset += 1
                length |= Int(b & 0x7f) << shift
                shift += 7
                if b < 0x80 { break }
            }
            offset += length
            spansSoFar += count
            boundaries[offset] = spansSoFar
        }
        #expect(offset == full.count)
        for cut in 0 ..< full.count {
            let prefix = Array(full[..<cut])
            do {
                let spans = try decode(prefix)
                #expect(boundaries[cut] == spans.count, "prefix of \(cut) bytes decoded to \(spans.count) spans")
            } catch {
                #expect(boundaries[cut] == nil, "prefix of \(cut) bytes should decode")
            }
        }
    }

    @Test func randomAndMutatedInputsNeverCrash() {
        var rng = SeededGenerator(seed: 0x7ace_be9c)
        var accepted = 0
        for _ in 0 ..< 3_000 {
            let bytes = (0 ..< Int.random(in: 0 ... 300, using: &rng)).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
            if (try? decode(bytes)) != nil { accepted += 1 }
        }
        for _ in 0 ..< 3_000 {
            var bytes = Fixtures.proto
            for _ in 0 ..< Int.random(in: 1 ... 4, using: &rng) {
                let i = Int.random(in: 0 ..< bytes.count, using: &rng)
                switch Int.random(in: 0 ... 2, using: &rng) {
                case 0: bytes[i] = UInt8.random(in: 0 ... 255, using: &rng)
                case 1: bytes.remove(at: i)
                default: bytes.insert(UInt8.random(in: 0 ... 255, using: &rng), at: i)
                }
            }
            if (try? decode(bytes)) != nil { accepted += 1 }
        }
        #expect(accepted < 6_000)  // mostly rejected, never crashed
    }
}

// MARK: - JSON

private func decodeJSON(_ text: String) throws(OTLPDecodeError) -> [ReceivedSpan] {
    try OTLPDecoder.decodeJSON(Array(text.utf8), receivedNanos: 5)
}

private func jsonError(_ text: String) -> OTLPDecodeError? {
    do { _ = try decodeJSON(text); return nil } catch { return error }
}

/// One span in a request, with `fields` spliced into the span object.
private func jsonSpan(_ fields: String, trace: String = #""traceId":"0af7651916cd43dd8448eb211c80319c""#,
                      span: String = #""spanId":"b7ad6b7169203331""#) -> String {
    #"{"resourceSpans":[{"scopeSpans":[{"spans":[{\#(trace),\#(span)\#(fields.isEmpty ? "" : ",")\#(fields)}]}]}]}"#
}

@Suite(.computeOnly) struct OTLPJSONDecoderTests {
    @Test func decodesPythonFixtures() throws {
        expectSpans(try OTLPDecoder.decodeJSON(Fixtures.jsonCamel, receivedNanos: 9), expectedSpans(received: 9))
        expectSpans(try OTLPDecoder.decodeJSON(Fixtures.jsonSnake, receivedNanos: 9), expectedSpans(received: 9))
    }

    @Test func acceptsTheVariantsOTLPAllows() throws {
        let s = try decodeJSON(jsonSpan(#"""
            "parentSpanId":"","name":"n","startTimeUnixNano":18446744073709551615,"endTimeUnixNano":"18446744073709551614",
            "status":{"code":"STATUS_CODE_ERROR"},"kind":"SPAN_KIND_SERVER","unknown":{"deep":[1,2,{"x":null}]},
            "attributes":[{"key":"job.id","value":{"intValue":"3"}},{"key":"job.id","value":{"stringValue":"j1"}},
                          {"key":"other","value":{"stringValue":"x"}}]
            """#))
        try #require(s.count == 1)
        #expect(s[0].parentSpanID == 0 && s[0].name == "n" && s[0].isError && s[0].jobID == "j1" && s[0].receivedNanos == 5)
        #expect(s[0].startNanos == .max && s[0].endNanos == .max - 1)
        #expect(s[0].serviceName == "")
        #expect(try decodeJSON(jsonSpan(#""status":{"code":2},"startTimeUnixNano":1.7e18"#))[0].isError)
        #expect(try decodeJSON(jsonSpan(#""startTimeUnixNano":1.7e18"#))[0].startNanos == 1_700_000_000_000_000_000)
        #expect(try decodeJSON(jsonSpan(#""status":{"code":1}"#))[0].isError == false)
        #expect(try decodeJSON(jsonSpan(#""status":{"code":"STATUS_CODE_OK"}"#))[0].isError == false)
        #expect(try decodeJSON(jsonSpan(#""status":null,"name":null,"parentSpanId":null"#))[0].name == "")
        #expect(try decodeJSON(jsonSpan(#""parent_span_id":"B7AD6B7169203331""#))[0].parentSpanID == 0xb7ad_6b71_6920_3331)
        #expect(try decodeJSON(#"{}"#).isEmpty)
        #expect(try decodeJSON(#"{"resourceSpans":[]}"#).isEmpty)
        #expect(try decodeJSON(#"{"resourceSpans":[{"resource":{},"scopeSpans":[{"spans":[]}]}]}"#).isEmpty)
    }

    @Test func rejectsBadIds() {
        let badTrace = [#""traceId":"0af7651916cd43dd8448eb211c80319""#,         // 31 digits
                        #""traceId":"0af7651916cd43dd8448eb211c80319c00""#,      // 34 digits
                        #""traceId":"0af7651916cd43dd8448eb211c80319z""#,        // not hex
                        #""traceId":"CvdlGRbNQ92ESOshHIAx""#,                    // base64 of 15 bytes
                        #""traceId":"""#, #""other":1"#]                         // empty, missing
        for trace in badTrace {
            #expect(isMalformed(jsonError(jsonSpan("", trace: trace))), "\(trace)")
        }
        for span in [#""spanId":"b7ad6b716920333""#, #""spanId":"b7ad6b71692033311""#, #""spanId":"b7ad6b716920333g""#,
                     #""spanId":"""#, #""x":0"#] {
            #expect(isMalformed(jsonError(jsonSpan("", span: span))), "\(span)")
        }
        #expect(isMalformed(jsonError(jsonSpan(#""parentSpanId":"00f067aa""#))))
        #expect(isMalformed(jsonError(jsonSpan(#""parentSpanId":"00f067aa0ba902bq""#))))
    }

    /// swift-otel 1.6 sends base64 ids in OTLP/JSON (protobuf's default mapping, not the OTLP spec's hex).
    @Test func acceptsBase64IdsAsSwiftOTelSendsThem() throws {
        let body = #"{"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"CvdlGRbNQ92ESOshHIAxnA==","spanId":"t61rcWkgMzE=","parentSpanId":"APBnqgupArc=","name":"x"}]}]}]}"#
        let spans = try OTLPDecoder.decodeJSON(Array(body.utf8), receivedNanos: 1)
        #expect(spans.first?.traceID.hex == "0af7651916cd43dd8448eb211c80319c")
        #expect(spans.first.map { spanIDHex($0.spanID) } == "b7ad6b7169203331")
        #expect(spans.first.map { spanIDHex($0.parentSpanID) } == "00f067aa0ba902b7")
    }

    @Test func rejectsWrongTypes() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        for text in [deep, #"{"x":"# + deep + "}", "", "not json", "[]", #"[{"resourceSpans":[]}]"#, #""x""#, "1", "null", "{", #"{"resourceSpans":{}}"#,
                     #"{"resourceSpans":[1]}"#, #"{"resourceSpans":[{"scopeSpans":[{"spans":{}}]}]}"#,
                     #"{"resourceSpans":[{"resource":[]}]}"#] {
            let error = jsonError(text)
            guard case .invalidJSON = error else {
                Issue.record("\(text): \(String(describing: error))")
                continue
            }
        }
        for fields in [#""traceId":1"#, #""name":5"#, #""startTimeUnixNano":"12x""#, #""startTimeUnixNano":-1"#,
                       #""endTimeUnixNano":1.5"#, #""startTimeUnixNano":"-1""#, #""startTimeUnixNano":true"#,
                       #""endTimeUnixNano":18446744073709551616"#, #""status":{"code":[]}"#, #""attributes":[1]"#] {
            if case .invalidJSON = jsonError(jsonSpan(fields)) {} else if isMalformed(jsonError(jsonSpan(fields))) {} else {
                Issue.record("\(fields) was accepted")
            }
        }
    }

    @Test func truncatedAndMutatedJSONNeverCrashes() {
        let full = Fixtures.jsonCamel
        for cut in 0 ..< full.count {
            #expect(throws: OTLPDecodeError.self) { try OTLPDecoder.decodeJSON(Array(full[..<cut]), receivedNanos: 0) }
        }
        var rng = SeededGenerator(seed: 99)
        for _ in 0 ..< 500 {
            var bytes = full
            for _ in 0 ..< 3 { bytes[Int.random(in: 0 ..< bytes.count, using: &rng)] = UInt8.random(in: 0 ... 255, using: &rng) }
            _ = try? OTLPDecoder.decodeJSON(bytes, receivedNanos: 0)
        }
    }
}

// MARK: - Gzip

@Suite(.computeOnly) struct GzipTests {
    @Test func roundTrips() throws {
        var rng = SeededGenerator(seed: 3)
        let noise = (0 ..< 200_000).map { _ in UInt8.random(in: 0 ... 255, using: &rng) }
        for data in [[], Array("hello".utf8), Fixtures.proto, noise, [UInt8](repeating: 7, count: 1_000_000)] {
            let packed = Gzip.deflate(data)
            #expect(packed.starts(with: [0x1f, 0x8b]))
            #expect(try Gzip.inflate(packed, limit: data.count) == data)
        }
        // Concatenated members inflate as one stream, like gunzip.
        #expect(try Gzip.inflate(Gzip.deflate([1, 2]) + Gzip.deflate([3]), limit: 3) == [1, 2, 3])
    }

    @Test func inflatesPythonGzip() throws {
        #expect(try Gzip.inflate(Fixtures.protoGzip, limit: 1 << 20) == Fixtures.proto)
        expectSpans(try decode(Gzip.inflate(Fixtures.protoGzip, limit: 1 << 20)), expectedSpans(received: 42))
    }

    @Test func rejectsCorruptData() {
        let good = Gzip.deflate(Fixtures.proto)
        var flipped = good
        flipped[good.count / 2] ^= 0x55
        var badCRC = good
        badCRC[good.count - 6] ^= 1
        let cases: [[UInt8]] = [[], [0x1f], Array("plain text, not gzip".utf8), Array(good.prefix(good.count - 1)),
                                Array(good.prefix(20)), flipped, badCRC, good + [0x00], good + Array("junk".utf8)]
        for (index, data) in cases.enumerated() {
            #expect(throws: GzipError.corrupt, "case \(index)") { try Gzip.inflate(data, limit: 1 << 20) }
        }
        var rng = SeededGenerator(seed: 11)
        for _ in 0 ..< 300 {
            var bytes = good
            bytes[Int.random(in: 10 ..< bytes.count, using: &rng)] = UInt8.random(in: 0 ... 255, using: &rng)
            _ = try? Gzip.inflate(bytes, limit: 1 << 20)
        }
    }

    @Test func enforcesTheLimit() throws {
        let bomb = Gzip.deflate([UInt8](repeating: 0, count: 16 << 20))  // 16 MiB of zeros in ~16 KiB
        #expect(bomb.count < 64 << 10)
        #expect(throws: GzipError.tooLarge) { try Gzip.inflate(bomb, limit: 1 << 20) }
        #expect(throws: GzipError.tooLarge) { try Gzip.inflate(Gzip.deflate([1, 2, 3]), limit: 2) }
        #expect(try Gzip.inflate(Gzip.deflate([1, 2, 3]), limit: 3) == [1, 2, 3])
        #expect(try Gzip.inflate(Gzip.deflate([]), limit: 0) == [])
    }
}

// MARK: - Fixtures (generated by Fixtures/make_otlp_fixtures.py; do not edit by hand)

private enum Fixtures {
    static let proto = hexBytes("""
        0ab9050a3b0a110a09686f73742e6e616d6512040a0268310a1a0a0c736572766963652e6e616d65120a0a0863686563
        6b6f75740a0a0a03706964120318922112d0040a2b0a0a747261636562656e63681203302e311a180a0c736572766963
        652e6e616d6512080a066e6f742d6d6512650a100af7651916cd43dd8448eb211c80319c1208b7ad6b71692033311a08
        76656e646f723d612a0d474554202f636865636b6f757430023915cd853dfe9c9717415518d23dfe9c97174a140a0b68
        7474702e6d6574686f6412050a034745548501010300001297020a100af7651916cd43dd8448eb211c80319c120800f0
        67aa0ba902b72208b7ad6b71692033312a0b6368617267652063617264300339fdd0853dfe9c97174115d6c23dfe9c97
        174a080a017312030a01784a070a0162120210014a100a0169120b18f9ffffffffffffffff014a0e0a01641209210000
        0000000004404a110a0161120c2a0a0a080a066a6f622e69644a1b0a016b121632140a120a066a6f622e696412080a06
        6e65737465644a090a017912043a0200ff50035a2309e5d4853dfe9c9717120572657472791a110a066a6f622e696412
        070a056576656e746a330a104bf92f3577b34da6a3ce929d0e0e4736120801020304050607081a036c3d3122100a066a
        6f622e696412060a046c696e6b7a0218011284010a100af7651916cd43dd8448eb211c80319c12088000000000000001
        220800f067aa0ba902b72a1264622e717565727920c3bc6ec3af636f64653001399551a43dfe9c971741d593b33dfe9c
        97174a140a0964622e73797374656d12070a0572656469734a140a066a6f622e6964120a0a086a6f622d303030377a08
        1204626f6f6d18021a1968747470733a2f2f6578616d706c652e636f6d2f73636f70651a2768747470733a2f2f6f7065
        6e74656c656d657472792e696f2f736368656d61732f312e32312e300a670a1b0a190a0c736572766963652e6e616d65
        12090a0762696c6c696e67124812460a104bf92f3577b34da6a3ce929d0e0e47361208fedcba98765432102a06736574
        746c653005391400000000000000410a000000000000004a0c0a066a6f622e6964120218070a321230122e0a10ffffff
        ffffffffff000000000000000112080102030405060708390100000000000000410200000000000000
        """)
    static let protoResourceLast = hexBytes("""
        0ab90512d0040a2b0a0a747261636562656e63681203302e311a180a0c736572766963652e6e616d6512080a066e6f74
        2d6d6512650a100af7651916cd43dd8448eb211c80319c1208b7ad6b71692033311a0876656e646f723d612a0d474554
        202f636865636b6f757430023915cd853dfe9c9717415518d23dfe9c97174a140a0b687474702e6d6574686f6412050a
        034745548501010300001297020a100af7651916cd43dd8448eb211c80319c120800f067aa0ba902b72208b7ad6b7169
        2033312a0b6368617267652063617264300339fdd0853dfe9c97174115d6c23dfe9c97174a080a017312030a01784a07
        0a0162120210014a100a0169120b18f9ffffffffffffffff014a0e0a016412092100000000000004404a110a0161120c
        2a0a0a080a066a6f622e69644a1b0a016b121632140a120a066a6f622e696412080a066e65737465644a090a01791204
        3a0200ff50035a2309e5d4853dfe9c9717120572657472791a110a066a6f622e696412070a056576656e746a330a104b
        f92f3577b34da6a3ce929d0e0e4736120801020304050607081a036c3d3122100a066a6f622e696412060a046c696e6b
        7a0218011284010a100af7651916cd43dd8448eb211c80319c12088000000000000001220800f067aa0ba902b72a1264
        622e717565727920c3bc6ec3af636f64653001399551a43dfe9c971741d593b33dfe9c97174a140a0964622e73797374
        656d12070a0572656469734a140a066a6f622e6964120a0a086a6f622d303030377a081204626f6f6d18021a19687474
        70733a2f2f6578616d706c652e636f6d2f73636f70651a2768747470733a2f2f6f70656e74656c656d657472792e696f
        2f736368656d61732f312e32312e300a3b0a110a09686f73742e6e616d6512040a0268310a1a0a0c736572766963652e
        6e616d65120a0a08636865636b6f75740a0a0a037069641203189221
        """)
    static let protoGzip = hexBytes("""
        1f8b08000000000002036d92c14fd3501cc7f7da6eeb7e43525e004bf130f0603243d78ea819864462145263a2095ebc
        75ed2f6bd9da8ef6818c1307f80730060f78d29868623c70201a4f72c610a39ef4e8c98b37c341b063eb4c08eff47dbf
        f77eeffbfb7d7e0fdea5e13a0c40ce0922a6faa6875400ced14181be08c365d7c24e1440b41cb4eac1120300bee9da94
        9737c7e88100970158685a5845df7228afa9ba229fca1621e3076c22560812fcc191e1fd9b3fd6e77e8d5d58d3b7a9b8
        fba6bee8162675455c46df0ec269b3786ef6d67ca194586a5c65687f63fa687bebfccc03f9f389300621ef30d6543d64
        4e60d334f071ce06217c2a45b7b8b37c52bf6baff3afb8ddf19e63316f396658c3826586b6c657fe1e745d86be7decb8
        884022ca035931b240aa949388210171695e3e3cee2e62f403b1696e2c75b2841bc6001093f6156368905908aaaa6b1b
        a340ea74b83c0834099d50c188a16de480b4a830c5a58eeff10f2fe67e7ee95441d321b2b0a50cf452b290c698115b98
        04e9ce61e9caa39dbb2f9f7fda7cd6df3f7b958a84e38574262b2a7c635a1f977a5919101aae5f5fe56442d7c95964d6
        3aa593f11ea322b5abeae21286adc2de077fefad15d8a891ca93fb2f3a80be3ede49c6908b6f46adb811af5d5f88b61b
        c5d1c43c8610ab094dd3aead8a54a806812773ca487b74d154a9842ba6d76ca06a055e29b282262a9792a378e3336ca0
        d786a0ba417ceea06746255d2debaa0635188591533f2d07d9aadb88bbadd1397afb2c4847dfdf3f5d9e2f4bc54c848c
        35504b57063bdda766a02b8cbe5ef99c9c8532d5a80a5232efee25f21f7885242f705df10fe4f0812b59030000
        """)
    static let jsonCamel = Array(#"{"resourceSpans":[{"resource":{"attributes":[{"key":"host.name","value":{"stringValue":"h1"}},{"key":"service.name","value":{"stringValue":"checkout"}},{"key":"pid","value":{"intValue":"4242"}}]},"scopeSpans":[{"scope":{"name":"tracebench","version":"0.1","attributes":[{"key":"service.name","value":{"stringValue":"not-me"}}]},"spans":[{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"b7ad6b7169203331","traceState":"vendor=a","name":"GET /checkout","kind":"SPAN_KIND_SERVER","startTimeUnixNano":"1700000000123456789","endTimeUnixNano":"1700000000128456789","attributes":[{"key":"http.method","value":{"stringValue":"GET"}}],"flags":769},{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"00f067aa0ba902b7","parentSpanId":"b7ad6b7169203331","name":"charge card","kind":"SPAN_KIND_CLIENT","startTimeUnixNano":"1700000000123457789","endTimeUnixNano":"1700000000127456789","attributes":[{"key":"s","value":{"stringValue":"x"}},{"key":"b","value":{"boolValue":true}},{"key":"i","value":{"intValue":"-7"}},{"key":"d","value":{"doubleValue":2.5}},{"key":"a","value":{"arrayValue":{"values":[{"stringValue":"job.id"}]}}},{"key":"k","value":{"kvlistValue":{"values":[{"key":"job.id","value":{"stringValue":"nested"}}]}}},{"key":"y","value":{"bytesValue":"AP8="}}],"droppedAttributesCount":3,"events":[{"timeUnixNano":"1700000000123458789","name":"retry","attributes":[{"key":"job.id","value":{"stringValue":"event"}}]}],"links":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"0102030405060708","traceState":"l=1","attributes":[{"key":"job.id","value":{"stringValue":"link"}}]}],"status":{"code":"STATUS_CODE_OK"}},{"traceId":"0af7651916cd43dd8448eb211c80319c","spanId":"8000000000000001","parentSpanId":"00f067aa0ba902b7","name":"db.query ünïcode","kind":"SPAN_KIND_INTERNAL","startTimeUnixNano":"1700000000125456789","endTimeUnixNano":"1700000000126456789","attributes":[{"key":"db.system","value":{"stringValue":"redis"}},{"key":"job.id","value":{"stringValue":"job-0007"}}],"status":{"message":"boom","code":"STATUS_CODE_ERROR"}}],"schemaUrl":"https://example.com/scope"}],"schemaUrl":"https://opentelemetry.io/schemas/1.21.0"},{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"billing"}}]},"scopeSpans":[{"spans":[{"traceId":"4bf92f3577b34da6a3ce929d0e0e4736","spanId":"fedcba9876543210","name":"settle","kind":"SPAN_KIND_CONSUMER","startTimeUnixNano":"20","endTimeUnixNano":"10","attributes":[{"key":"job.id","value":{"intValue":"7"}}]}]}]},{"scopeSpans":[{"spans":[{"traceId":"ffffffffffffffff0000000000000001","spanId":"0102030405060708","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}"#.utf8)
    static let jsonSnake = Array(#"{"resource_spans":[{"resource":{"attributes":[{"key":"host.name","value":{"string_value":"h1"}},{"key":"service.name","value":{"string_value":"checkout"}},{"key":"pid","value":{"int_value":"4242"}}]},"scope_spans":[{"scope":{"name":"tracebench","version":"0.1","attributes":[{"key":"service.name","value":{"string_value":"not-me"}}]},"spans":[{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"b7ad6b7169203331","trace_state":"vendor=a","name":"GET /checkout","kind":2,"start_time_unix_nano":1700000000123456789,"end_time_unix_nano":1700000000128456789,"attributes":[{"key":"http.method","value":{"string_value":"GET"}}],"flags":769},{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"00f067aa0ba902b7","parent_span_id":"b7ad6b7169203331","name":"charge card","kind":3,"start_time_unix_nano":1700000000123457789,"end_time_unix_nano":1700000000127456789,"attributes":[{"key":"s","value":{"string_value":"x"}},{"key":"b","value":{"bool_value":true}},{"key":"i","value":{"int_value":"-7"}},{"key":"d","value":{"double_value":2.5}},{"key":"a","value":{"array_value":{"values":[{"string_value":"job.id"}]}}},{"key":"k","value":{"kvlist_value":{"values":[{"key":"job.id","value":{"string_value":"nested"}}]}}},{"key":"y","value":{"bytes_value":"AP8="}}],"dropped_attributes_count":3,"events":[{"time_unix_nano":1700000000123458789,"name":"retry","attributes":[{"key":"job.id","value":{"string_value":"event"}}]}],"links":[{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"0102030405060708","trace_state":"l=1","attributes":[{"key":"job.id","value":{"string_value":"link"}}]}],"status":{"code":1}},{"trace_id":"0af7651916cd43dd8448eb211c80319c","span_id":"8000000000000001","parent_span_id":"00f067aa0ba902b7","name":"db.query ünïcode","kind":1,"start_time_unix_nano":1700000000125456789,"end_time_unix_nano":1700000000126456789,"attributes":[{"key":"db.system","value":{"string_value":"redis"}},{"key":"job.id","value":{"string_value":"job-0007"}}],"status":{"message":"boom","code":2}}],"schema_url":"https://example.com/scope"}],"schema_url":"https://opentelemetry.io/schemas/1.21.0"},{"resource":{"attributes":[{"key":"service.name","value":{"string_value":"billing"}}]},"scope_spans":[{"spans":[{"trace_id":"4bf92f3577b34da6a3ce929d0e0e4736","span_id":"fedcba9876543210","name":"settle","kind":5,"start_time_unix_nano":20,"end_time_unix_nano":10,"attributes":[{"key":"job.id","value":{"int_value":"7"}}]}]}]},{"scope_spans":[{"spans":[{"trace_id":"ffffffffffffffff0000000000000001","span_id":"0102030405060708","start_time_unix_nano":1,"end_time_unix_nano":2}]}]}]}"#.utf8)
}
