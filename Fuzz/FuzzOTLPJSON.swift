// libFuzzer target `otlp-json`: OTLPDecoder.decodeJSON on arbitrary bytes. Built by scripts/fuzz.sh into module
// TracebenchSink together with the decoder sources (no other part of TracebenchSink is compiled).

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    _ = try? OTLPDecoder.decodeJSON(Array(UnsafeBufferPointer(start: data, count: size)), receivedNanos: 0)
    return 0
}
