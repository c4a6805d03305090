// libFuzzer target `otlp-protobuf`: OTLPDecoder.decodeProtobuf on arbitrary bytes. Built by scripts/fuzz.sh into
// module TracebenchSink together with the decoder sources (no other part of TracebenchSink is compiled).
//
// Besides "never traps", it checks one property: whatever decodes re-encodes (OTLPProtobufEncoder, the firehose's
// writer) to bytes that decode to the same span.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    // The raw-buffer entry point, straight on libFuzzer's exact-size buffer (ASan sees any read past its end).
    let spans: [ReceivedSpan]
    do {
        spans = try OTLPDecoder.decodeProtobuf(UnsafeRawBufferPointer(start: data, count: size), receivedNanos: 0)
    } catch {
        return 0
    }
    // The array entry point must agree with it.
    let viaArray = try? OTLPDecoder.decodeProtobuf(Array(UnsafeBufferPointer(start: data, count: size)), receivedNanos: 0)
    precondition(viaArray == spans, "decodeProtobuf([UInt8]) disagrees with decodeProtobuf(UnsafeRawBufferPointer)")

    let encoder = OTLPProtobufEncoder()
    for span in spans {
        let body = encoder.encode(serviceName: span.serviceName, spans: [OTLPProtobufEncoder.Span(
            traceID: span.traceID, spanID: span.spanID, parentSpanID: span.parentSpanID, name: span.name,
            startNanos: span.startNanos, endNanos: span.endNanos, isError: span.isError,
            attributes: span.jobID.map { [("job.id", $0)] } ?? [],
            traceState: span.samplingThreshold.map { "ot=\($0)" } ?? ""
        )])
        let again = try? OTLPDecoder.decodeProtobuf(body, receivedNanos: 0)
        precondition(again == [span], "a decoded span does not survive encode → decode: \(span)")
    }
    return 0
}
