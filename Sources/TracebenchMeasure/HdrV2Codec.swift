import CZlib
import Foundation

/// The bucket layout of an HdrHistogram: which counts-array index holds which value. Same math as every HdrHistogram
/// implementation (Java's AbstractHistogram / hdrhistogram-swift), so indexes agree with those libraries.
public struct HdrLayout: Sendable, Equatable {
    /// Layouts needing a longer counts array are rejected (every valid layout needs fewer than 6.3 million).
    public static let maximumCountsLength = 10_000_000

    /// The lowest value distinguished from 0; values below `2^floor(log2(lowest))` share index 0. At least 1.
    public let lowestDiscernibleValue: UInt64
    /// The highest value the counts array covers; at least `2 * lowestDiscernibleValue`, at most `Int64.max`
    /// (the wire format stores it as a signed 64-bit integer).
    public let highestTrackableValue: UInt64
    /// Decimal digits of value resolution, 0...5.
    public let significantDigits: Int
    /// Length of the counts array.
    public let countsLength: Int

    private let unitMagnitude: Int
    private let subBucketHalfCountMagnitude: Int
    private let subBucketHalfCount: Int
    private let subBucketMask: UInt64
    private let leadingZeroCountBase: Int

    /// Validates the parameters and derives the layout; throws ``HdrCodecError/badLayout(_:)`` when they are invalid.
    public init(lowestDiscernibleValue: UInt64, highestTrackableValue: UInt64, significantDigits: Int)
        throws(HdrCodecError)
    {
        let (lowest, highest) = (lowestDiscernibleValue, highestTrackableValue)
        guard (0...5).contains(significantDigits) else { throw .badLayout("significant digits not in 0...5") }
        guard lowest >= 1 else { throw .badLayout("lowest discernible value must be at least 1") }
        guard highest <= UInt64(Int64.max) else { throw .badLayout("highest trackable value exceeds Int64.max") }
        guard lowest <= highest / 2 else { throw .badLayout("highest \(highest) < 2 × lowest \(lowest)") }
        var largestValueWithSingleUnitResolution: UInt64 = 2
        for _ in 0..<significantDigits { largestValueWithSingleUnitResolution *= 10 }
        // floor(log2(lowest)) and ceil(log2(2 * 10^digits)), in exact integer arithmetic.
        let unitMagnitude = 63 - lowest.leadingZeroBitCount
        let subBucketCountMagnitude = 64 - (largestValueWithSingleUnitResolution - 1).leadingZeroBitCount
        let subBucketHalfCountMagnitude = max(subBucketCountMagnitude, 1) - 1
        guard unitMagnitude + subBucketHalfCountMagnitude <= 61 else {
            throw .badLayout("lowest \(lowest) leaves no room for \(significantDigits) digits")
        }
        let subBucketCount = 1 << subBucketCountMagnitude

        // Buckets double in width; count those needed until one starts above the highest value.
        var smallestUntrackableValue = UInt64(subBucketCount) << unitMagnitude
        var bucketCount = 1
        while smallestUntrackableValue <= highest {
            bucketCount += 1
            if smallestUntrackableValue > UInt64.max / 2 { break }  // the next bucket reaches past UInt64.max
            smallestUntrackableValue <<= 1
        }
        let countsLength = (bucketCount + 1) * (subBucketCount / 2)
        guard countsLength <= Self.maximumCountsLength else { throw .badLayout("counts array too long") }

        (self.lowestDiscernibleValue, self.highestTrackableValue) = (lowest, highest)
        (self.significantDigits, self.countsLength) = (significantDigits, countsLength)
        self.unitMagnitude = unitMagnitude
        self.subBucketHalfCountMagnitude = subBucketHalfCountMagnitude
        self.subBucketHalfCount = subBucketCount / 2
        self.subBucketMask = UInt64(subBucketCount - 1) << unitMagnitude
        self.leadingZeroCountBase = 64 - unitMagnitude - subBucketCountMagnitude
    }

    /// The index `value` is counted at. It is `>= countsLength` for values above the covered range; callers clamp.
    public func countsIndex(for value: UInt64) -> Int {
        let bucketIndex = leadingZeroCountBase - (value | subBucketMask).leadingZeroBitCount
        let subBucketIndex = Int(value >> (bucketIndex + unitMagnitude))
        return ((bucketIndex + 1) << subBucketHalfCountMagnitude) + subBucketIndex - subBucketHalfCount
    }

    /// The smallest value counted at `index` (Java's `valueFromIndex`); `index` should be in `0..<countsLength`.
    public func lowestEquivalentValue(atIndex index: Int) -> UInt64 {
        let (bucketIndex, subBucketIndex) = bucketAndSubBucket(atIndex: index)
        return UInt64(subBucketIndex) << (bucketIndex + unitMagnitude)
    }

    /// The largest value counted at `index`; `index` should be in `0..<countsLength`.
    public func highestEquivalentValue(atIndex index: Int) -> UInt64 {
        let bucketIndex = bucketAndSubBucket(atIndex: index).bucket
        let rangeSize: UInt64 = 1 << (bucketIndex + unitMagnitude)
        return lowestEquivalentValue(atIndex: index) &+ (rangeSize &- 1)
    }

    private func bucketAndSubBucket(atIndex index: Int) -> (bucket: Int, subBucket: Int) {
        let bucketIndex = (index >> subBucketHalfCountMagnitude) - 1
        let offset = index & (subBucketHalfCount - 1)
        // Index 0..<subBucketHalfCount is the lower half of bucket 0, the only bucket whose lower half is used.
        return bucketIndex < 0 ? (0, offset) : (bucketIndex, offset + subBucketHalfCount)
    }
}

/// Why V2 histogram bytes could not be decoded.
public enum HdrCodecError: Error, Sendable, Equatable {
    /// The string is not valid base64.
    case notBase64
    /// The bytes end before the header, the declared lengths, the zlib stream or a varint does.
    case truncated
    /// The first four bytes are not a V2 (compressed or uncompressed) cookie.
    case unknownCookie(UInt32)
    /// The zlib stream is damaged.
    case corruptCompression
    /// The header's lowest/highest/digits (or normalizing offset) describe no usable layout.
    case badLayout(String)
    /// Lengths disagree with the content, or counts run past the end of the counts array.
    case payloadMismatch(String)
}

/// The standard HdrHistogram "V2" serialization, as written by `encode()` in HdrHistogram Java/C/Go/Python
/// (base64 of the compressed form starts with "HISTF").
///
/// Uncompressed form, all big-endian: cookie `0x1c849313`, payload length (Int32), normalizing index offset (Int32,
/// always 0), significant digits (Int32), lowest discernible value (Int64), highest trackable value (Int64),
/// integer-to-double conversion ratio (Double, 1.0), then the payload: counts in index order as ZigZag
/// LEB128-64b9B varints (at most 9 bytes, the 9th carrying 8 bits), a run of N ≥ 2 zero counts written as `-N`, nothing
/// after the last non-zero count. Compressed form: cookie `0x1c849314`, Int32 length, zlib stream of the uncompressed form.
/// Decoding accepts any value in the cookies' word-size nibble (`0xf0`), as the reference decoders do.
public enum HdrV2Codec {
    static let encodingCookie: UInt32 = 0x1c84_9313
    static let compressedCookie: UInt32 = 0x1c84_9314
    static let encodingCookieBase: UInt32 = 0x1c84_9303
    static let compressedCookieBase: UInt32 = 0x1c84_9304
    static let headerSize = 40
    static let maximumVarintSize = 9

    /// The uncompressed V2 encoding. `counts[i]` is the count at layout index i; trailing zeros are trimmed.
    /// Counts must be at most `Int64.max` and non-zero only below `layout.countsLength` (checked with `precondition`).
    public static func encodeUncompressed(layout: HdrLayout, counts: [UInt64]) -> [UInt8] {
        let end = (counts.lastIndex { $0 != 0 } ?? -1) + 1
        precondition(end <= layout.countsLength, "count at index \(end - 1) is past the layout's counts array")
        var payload: [UInt8] = []
        var index = 0
        while index < end {
            let count = counts[index]
            precondition(count <= UInt64(Int64.max), "count \(count) does not fit the V2 format (Int64)")
            var zeros = 0
            while index + zeros < end, counts[index + zeros] == 0 { zeros += 1 }
            if zeros > 1 {
                appendZigZag(-Int64(zeros), to: &payload)
                index += zeros
            } else {
                appendZigZag(Int64(count), to: &payload)  // a lone zero is written as 0, like Java
                index += 1
            }
        }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(headerSize + payload.count)
        appendBigEndian(encodingCookie, to: &bytes)
        appendBigEndian(UInt32(payload.count), to: &bytes)
        appendBigEndian(UInt32(0), to: &bytes)  // normalizing index offset
        appendBigEndian(UInt32(layout.significantDigits), to: &bytes)
        appendBigEndian(layout.lowestDiscernibleValue, to: &bytes)
        appendBigEndian(layout.highestTrackableValue, to: &bytes)
        appendBigEndian((1.0 as Double).bitPattern, to: &bytes)  // integer-to-double conversion ratio
        return bytes + payload
    }

    /// `counts[i]` is the count at layout index i (trailing zeros allowed/trimmed). Returns the compressed V2 bytes
    /// (cookie 0x1c849314, 4-byte big-endian length, zlib stream of the uncompressed V2 encoding).
    public static func encodeCompressed(layout: HdrLayout, counts: [UInt64]) -> [UInt8] {
        let plain = encodeUncompressed(layout: layout, counts: counts)
        var compressedLength = compressBound(uLong(plain.count))
        var compressed = [UInt8](repeating: 0, count: Int(compressedLength))
        let status = compress2(&compressed, &compressedLength, plain, uLong(plain.count), Z_DEFAULT_COMPRESSION)
        precondition(status == Z_OK, "compress2 failed (\(status)): out of memory?")
        var bytes: [UInt8] = []
        appendBigEndian(compressedCookie, to: &bytes)
        appendBigEndian(UInt32(compressedLength), to: &bytes)
        return bytes + compressed[0..<Int(compressedLength)]
    }

    /// Base64 of ``encodeCompressed(layout:counts:)``, the text form other HdrHistogram libraries exchange.
    public static func encodeBase64(layout: HdrLayout, counts: [UInt64]) -> String {
        Data(encodeCompressed(layout: layout, counts: counts)).base64EncodedString()
    }

    /// Decodes compressed (0x1c849314) or uncompressed (0x1c849313) V2 bytes; returns the layout and the counts array
    /// (length = layout.countsLength, zeros filled). Never traps on hostile input; every failure is thrown.
    public static func decode(_ bytes: [UInt8]) throws(HdrCodecError) -> (layout: HdrLayout, counts: [UInt64]) {
        guard bytes.count >= 8 else { throw .truncated }
        let cookie = readBigEndian(UInt32.self, from: bytes, at: 0)
        switch cookie & ~0xf0 {
        case encodingCookieBase:
            return try decodeUncompressed(bytes)
        case compressedCookieBase:
            let declaredLength = Int(readBigEndian(UInt32.self, from: bytes, at: 4))
            guard declaredLength <= bytes.count - 8 else { throw .truncated }
            guard declaredLength == bytes.count - 8 else { throw .payloadMismatch("bytes after the zlib stream") }
            return try decodeUncompressed(inflateEncoding(bytes[8...]))
        default:
            throw .unknownCookie(cookie)
        }
    }

    /// Decodes the base64 text form (surrounding whitespace ignored); see ``decode(_:)``.
    public static func decode(base64: String) throws(HdrCodecError) -> (layout: HdrLayout, counts: [UInt64]) {
        guard let data = Data(base64Encoded: base64.trimmingCharacters(in: .whitespacesAndNewlines)) else {
            throw .notBase64
        }
        return try decode([UInt8](data))
    }

    // MARK: Decoding steps

    /// Validates the 40-byte header; returns the layout and the payload length, bounded by what the layout can need.
    static func readHeader(_ bytes: [UInt8]) throws(HdrCodecError) -> (layout: HdrLayout, payloadLength: Int) {
        guard bytes.count >= headerSize else { throw .truncated }
        let cookie = readBigEndian(UInt32.self, from: bytes, at: 0)
        guard cookie & ~0xf0 == encodingCookieBase else { throw .unknownCookie(cookie) }
        let payloadLength = Int(Int32(bitPattern: readBigEndian(UInt32.self, from: bytes, at: 4)))
        let normalizingIndexOffset = Int32(bitPattern: readBigEndian(UInt32.self, from: bytes, at: 8))
        let digits = Int(Int32(bitPattern: readBigEndian(UInt32.self, from: bytes, at: 12)))
        guard normalizingIndexOffset == 0 else { throw .badLayout("non-zero normalizing index offset") }
        // The conversion ratio (bytes 32..<40) only matters to DoubleHistogram; integer histograms ignore it.
        let layout = try HdrLayout(
            lowestDiscernibleValue: readBigEndian(UInt64.self, from: bytes, at: 16),
            highestTrackableValue: readBigEndian(UInt64.self, from: bytes, at: 24),
            significantDigits: digits)
        guard payloadLength >= 0, payloadLength <= layout.countsLength * maximumVarintSize else {
            throw .payloadMismatch("payload length \(payloadLength) impossible for \(layout.countsLength) counts")
        }
        return (layout, payloadLength)
    }

    static func decodeUncompressed(_ bytes: [UInt8]) throws(HdrCodecError) -> (layout: HdrLayout, counts: [UInt64]) {
        let (layout, payloadLength) = try readHeader(bytes)
        guard bytes.count >= headerSize + payloadLength else { throw .truncated }
        guard bytes.count == headerSize + payloadLength else { throw .payloadMismatch("bytes after the payload") }
        var counts = [UInt64](repeating: 0, count: layout.countsLength)
        var position = headerSize
        var index = 0
        while position < bytes.count {
            let value = try readZigZag(from: bytes, at: &position)
            if value < 0 {
                guard value.magnitude <= UInt64(layout.countsLength - index) else {
                    throw .payloadMismatch("zero run past the end of the counts array")
                }
                index += Int(value.magnitude)
            } else {
                guard index < layout.countsLength else { throw .payloadMismatch("count past the end of the counts array") }
                counts[index] = UInt64(value)
                index += 1
            }
        }
        return (layout, counts)
    }

    /// Inflates a zlib stream holding an uncompressed encoding, never producing more than its header announces.
    static func inflateEncoding(_ compressed: ArraySlice<UInt8>) throws(HdrCodecError) -> [UInt8] {
        let input = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(compressed.count, 1))
        defer { input.deallocate() }
        _ = input.initialize(from: compressed)
        var stream = z_stream()
        let initStatus = inflateInit_(&stream, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard initStatus == Z_OK else { throw .corruptCompression }
        defer { inflateEnd(&stream) }
        stream.next_in = input.baseAddress
        stream.avail_in = UInt32(compressed.count)

        var output: [UInt8] = []
        var ended = try inflate(&stream, into: &output, upTo: headerSize)
        let expectedLength = headerSize + (try readHeader(output).payloadLength)
        if !ended { ended = try inflate(&stream, into: &output, upTo: expectedLength + 1) }
        guard output.count <= expectedLength else { throw .payloadMismatch("zlib stream longer than its payload") }
        guard ended, output.count == expectedLength else { throw .truncated }
        return output
    }

    /// Inflates until `output` holds `target` bytes or the stream ends; returns whether the stream ended.
    private static func inflate(_ stream: inout z_stream, into output: inout [UInt8], upTo target: Int)
        throws(HdrCodecError) -> Bool
    {
        var chunk = [UInt8](repeating: 0, count: 64 * 1024)
        while output.count < target {
            let wanted = min(chunk.count, target - output.count)
            let (status, produced) = chunk.withUnsafeMutableBufferPointer { buffer in
                stream.next_out = buffer.baseAddress
                stream.avail_out = UInt32(wanted)
                let status = CZlib.inflate(&stream, Z_NO_FLUSH)
                return (status, wanted - Int(stream.avail_out))
            }
            output.append(contentsOf: chunk[0..<produced])
            switch status {
            case Z_STREAM_END: return true
            case Z_OK: continue
            case Z_BUF_ERROR: throw .truncated  // no progress possible: the input ran out mid-stream
            default: throw .corruptCompression
            }
        }
        return false
    }

    // MARK: Primitive encodings

    /// Appends `value` ZigZag-encoded as an LEB128-64b9B varint: 7 bits per byte, the 9th byte carries the last 8.
    static func appendZigZag(_ value: Int64, to bytes: inout [UInt8]) {
        var remaining = UInt64(bitPattern: (value << 1) ^ (value >> 63))
        for _ in 0..<8 {
            if remaining < 0x80 { return bytes.append(UInt8(remaining)) }
            bytes.append(UInt8(truncatingIfNeeded: remaining) | 0x80)
            remaining >>= 7
        }
        bytes.append(UInt8(truncatingIfNeeded: remaining))
    }

    static func readZigZag(from bytes: [UInt8], at position: inout Int) throws(HdrCodecError) -> Int64 {
        var raw: UInt64 = 0
        for byteNumber in 0..<maximumVarintSize {
            guard position < bytes.count else { throw .truncated }
            let byte = UInt64(bytes[position])
            position += 1
            let isLast = byteNumber == maximumVarintSize - 1
            raw |= (isLast ? byte : byte & 0x7f) << (7 * byteNumber)  // the 9th byte carries a full 8 bits
            if isLast || byte & 0x80 == 0 { break }
        }
        return Int64(bitPattern: (raw >> 1) ^ (0 &- (raw & 1)))
    }

    static func appendBigEndian<Integer: FixedWidthInteger>(_ value: Integer, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.bigEndian) { bytes.append(contentsOf: $0) }
    }

    /// Reads a big-endian integer; the caller guarantees `offset + size <= bytes.count`.
    static func readBigEndian<Integer: FixedWidthInteger & UnsignedInteger>(
        _ type: Integer.Type, from bytes: [UInt8], at offset: Int
    ) -> Integer {
        bytes[offset..<offset + MemoryLayout<Integer>.size].reduce(0) { $0 << 8 | Integer($1) }
    }
}
