/// SHA-256 (FIPS 180-4), for fingerprints of scenario files and hosts in results files.
///
/// A plain, dependency-free implementation: the message is processed in 64-byte blocks straight from the input
/// buffer, with one reusable 64-word message schedule, so hashing a few megabytes takes milliseconds.
public enum SHA256 {
    /// The 32-byte SHA-256 digest of `bytes` (any length, including empty).
    public static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var state = initialHash
        var schedule = [UInt32](repeating: 0, count: 64)
        let constants = roundConstants
        let wholeBlocks = bytes.count / 64
        bytes.withUnsafeBufferPointer { input in
            for block in 0..<wholeBlocks {
                compress(&state, block: UnsafeBufferPointer(rebasing: input[(block * 64)..<(block * 64 + 64)]),
                         schedule: &schedule, constants: constants)
            }
        }
        // Padding (FIPS 180-4 §5.1.1): the leftover bytes, a single 1 bit, zeros, and the message length in bits
        // as a 64-bit big-endian number, filling one or two final blocks.
        var tail = Array(bytes[(wholeBlocks * 64)...])
        tail.append(0x80)
        let paddedCount = tail.count <= 56 ? 64 : 128
        tail.append(contentsOf: repeatElement(0, count: paddedCount - 8 - tail.count))
        let bitLength = UInt64(truncatingIfNeeded: bytes.count) &* 8
        for shift in stride(from: 56, through: 0, by: -8) {
            tail.append(UInt8(truncatingIfNeeded: bitLength >> UInt64(shift)))
        }
        tail.withUnsafeBufferPointer { input in
            for start in stride(from: 0, to: paddedCount, by: 64) {
                compress(&state, block: UnsafeBufferPointer(rebasing: input[start..<(start + 64)]),
                         schedule: &schedule, constants: constants)
            }
        }
        var result = [UInt8]()
        result.reserveCapacity(32)
        for word in state {
            result.append(UInt8(truncatingIfNeeded: word >> 24))
            result.append(UInt8(truncatingIfNeeded: word >> 16))
            result.append(UInt8(truncatingIfNeeded: word >> 8))
            result.append(UInt8(truncatingIfNeeded: word))
        }
        return result
    }

    /// Lowercase hex of the digest of the UTF-8 bytes of `text`.
    public static func hex(_ text: String) -> String {
        hex(bytes: Array(text.utf8))
    }

    /// Lowercase hex of the digest of `bytes`.
    public static func hex(bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var characters = [UInt8]()
        characters.reserveCapacity(64)
        for byte in digest(bytes) {
            characters.append(digits[Int(byte >> 4)])
            characters.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: characters, as: UTF8.self)
    }

    /// Applies the compression function (FIPS 180-4 §6.2.2) to one 64-byte block.
    private static func compress(
        _ state: inout [UInt32], block: UnsafeBufferPointer<UInt8>, schedule: inout [UInt32], constants: [UInt32]
    ) {
        schedule.withUnsafeMutableBufferPointer { w in
            for t in 0..<16 {
                w[t] = UInt32(block[4 * t]) << 24 | UInt32(block[4 * t + 1]) << 16
                    | UInt32(block[4 * t + 2]) << 8 | UInt32(block[4 * t + 3])
            }
            for t in 16..<64 {
                let x = w[t - 15], y = w[t - 2]
                let sigma0 = rotateRight(x, 7) ^ rotateRight(x, 18) ^ (x >> 3)
                let sigma1 = rotateRight(y, 17) ^ rotateRight(y, 19) ^ (y >> 10)
                w[t] = sigma1 &+ w[t - 7] &+ sigma0 &+ w[t - 16]
            }
            var a = state[0], b = state[1], c = state[2], d = state[3]
            var e = state[4], f = state[5], g = state[6], h = state[7]
            constants.withUnsafeBufferPointer { k in
                for t in 0..<64 {
                    let bigSigma1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
                    let choose = (e & f) ^ (~e & g)
                    let temporary1 = h &+ bigSigma1 &+ choose &+ k[t] &+ w[t]
                    let bigSigma0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
                    let majority = (a & b) ^ (a & c) ^ (b & c)
                    let temporary2 = bigSigma0 &+ majority
                    h = g
                    g = f
                    f = e
                    e = d &+ temporary1
                    d = c
                    c = b
                    b = a
                    a = temporary1 &+ temporary2
                }
            }
            state[0] = state[0] &+ a
            state[1] = state[1] &+ b
            state[2] = state[2] &+ c
            state[3] = state[3] &+ d
            state[4] = state[4] &+ e
            state[5] = state[5] &+ f
            state[6] = state[6] &+ g
            state[7] = state[7] &+ h
        }
    }

    /// Rotates `value` right by `count` bits (0 < count < 32).
    @inline(__always)
    private static func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value >> count) | (value << (32 - count))
    }

    /// Initial hash value H(0) (FIPS 180-4 §5.3.3): the first 32 bits of the fractional parts of the square roots of
    /// the first 8 primes.
    private static let initialHash: [UInt32] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
    ]

    /// Round constants K (FIPS 180-4 §4.2.2): the first 32 bits of the fractional parts of the cube roots of the
    /// first 64 primes.
    private static let roundConstants: [UInt32] = [
        0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
        0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
        0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
        0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
        0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
        0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
        0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
        0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
    ]
}
