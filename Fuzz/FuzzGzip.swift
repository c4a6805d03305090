// libFuzzer target `gzip`: Gzip.inflate on arbitrary bytes with a 1 MiB limit. Built by scripts/fuzz.sh into module
// TracebenchSink with Gzip.swift only (and the CZlib module map, linked against the system zlib).
//
// Properties checked as well: inflate never returns more than its limit, and the input itself survives
// deflate → inflate exactly, where a limit one byte short of its size fails with `.tooLarge`.

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    let bytes = Array(UnsafeBufferPointer(start: data, count: size))
    let limit = 1 << 20
    if let inflated = try? Gzip.inflate(bytes, limit: limit) {
        precondition(inflated.count <= limit, "inflate returned \(inflated.count) bytes, over its limit \(limit)")
    }

    let packed = Gzip.deflate(bytes)
    do {
        let restored = try Gzip.inflate(packed, limit: size)
        precondition(restored == bytes, "deflate → inflate changed \(size) bytes")
    } catch {
        preconditionFailure("inflate of our own deflate output failed: \(error)")
    }
    if size > 0 {
        do {
            _ = try Gzip.inflate(packed, limit: size - 1)
            preconditionFailure("inflate ignored a limit one byte below the output size")
        } catch {
            precondition(error == .tooLarge, "limit one byte short gave \(error), not tooLarge")
        }
    }
    return 0
}
