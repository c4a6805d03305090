import CZlib

/// Why a gzip body could not be inflated.
public enum GzipError: Error, Sendable, Equatable {
    /// Not gzip, damaged, or cut short (bad header, bad checksum, truncated stream, trailing garbage).
    case corrupt
    /// The decompressed output would exceed the caller's limit.
    case tooLarge
}

/// gzip (RFC 1952) compression for OTLP/HTTP bodies sent or received with `Content-Encoding: gzip`, via zlib.
public enum Gzip {
    /// Output is produced through a fixed scratch buffer of this size, so memory stays bounded by `limit` + this.
    static let chunkSize = 64 * 1024

    /// Inflates a gzip stream (several concatenated gzip members are inflated as one, like `gunzip`).
    ///
    /// Never allocates more than `limit` bytes of output (plus a fixed 64 KiB scratch buffer), so a zip bomb fails
    /// with ``GzipError/tooLarge`` early instead of exhausting memory.
    public static func inflate(_ data: [UInt8], limit: Int) throws(GzipError) -> [UInt8] {
        guard !data.isEmpty else { throw .corrupt }
        var stream = z_stream()
        let initStatus = inflateInit2_(&stream, 16 + MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw .corrupt }
        defer { inflateEnd(&stream) }

        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { scratch.deallocate() }
        var output: [UInt8] = []
        output.reserveCapacity(min(max(limit, 0), max(data.count &* 4, 1024)))

        let outcome: GzipError? = data.withUnsafeBufferPointer { input -> GzipError? in
            guard let inputBase = input.baseAddress else { return .corrupt }
            var consumed = 0  // bytes of `input` handed to zlib so far
            while true {
                // Feed input in pieces that fit zlib's 32-bit counters.
                if stream.avail_in == 0, consumed < input.count {
                    let piece = min(input.count - consumed, Int(UInt32.max))
                    stream.next_in = UnsafeMutablePointer(mutating: inputBase + consumed)
                    stream.avail_in = UInt32(piece)
                    consumed += piece
                }
                stream.next_out = scratch
                stream.avail_out = UInt32(chunkSize)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                let produced = chunkSize - Int(stream.avail_out)
                if produced > 0 {
                    guard produced <= limit - output.count else { return .tooLarge }
                    output.append(contentsOf: UnsafeBufferPointer(start: scratch, count: produced))
                }
                let inputLeft = stream.avail_in > 0 || consumed < input.count
                switch status {
                case Z_STREAM_END:
                    guard inputLeft else { return nil }
                    // Another gzip member follows; anything that is not one is rejected on the next pass.
                    guard inflateReset(&stream) == Z_OK else { return .corrupt }
                case Z_OK:
                    continue  // progress was made
                case Z_BUF_ERROR:
                    // No progress possible: fine only if more input is waiting to be fed; else it was cut short.
                    guard stream.avail_in == 0, consumed < input.count else { return .corrupt }
                default:  // Z_DATA_ERROR, Z_NEED_DICT, Z_MEM_ERROR, Z_STREAM_ERROR
                    return .corrupt
                }
            }
        }
        if let outcome { throw outcome }
        return output
    }

    /// Compresses `data` into a single gzip member (default compression level).
    public static func deflate(_ data: [UInt8]) -> [UInt8] {
        var stream = z_stream()
        let initStatus = deflateInit2_(
            &stream, Z_DEFAULT_COMPRESSION, Z_DEFLATED, 16 + MAX_WBITS, 8, Z_DEFAULT_STRATEGY,
            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        precondition(initStatus == Z_OK, "deflateInit2_ failed (\(initStatus)): out of memory?")
        defer { deflateEnd(&stream) }

        var output: [UInt8] = []
        let scratch = UnsafeMutablePointer<UInt8>.allocate(capacity: chunkSize)
        defer { scratch.deallocate() }
        data.withUnsafeBufferPointer { input in
            var consumed = 0
            while true {
                if stream.avail_in == 0, consumed < input.count, let inputBase = input.baseAddress {
                    let piece = min(input.count - consumed, Int(UInt32.max))
                    stream.next_in = UnsafeMutablePointer(mutating: inputBase + consumed)
                    stream.avail_in = UInt32(piece)
                    consumed += piece
                }
                let flush = (stream.avail_in == 0 && consumed == input.count) ? Z_FINISH : Z_NO_FLUSH
                stream.next_out = scratch
                stream.avail_out = UInt32(chunkSize)
                let status = CZlib.deflate(&stream, flush)
                precondition(status != Z_STREAM_ERROR, "deflate: inconsistent stream state")
                output.append(contentsOf: UnsafeBufferPointer(start: scratch, count: chunkSize - Int(stream.avail_out)))
                if status == Z_STREAM_END { return }
            }
        }
        return output
    }
}
