/// The OpenTelemetry consistent-probability sampling threshold (OTEP 235, `ot=th:…` in W3C tracestate).
///
/// A span's trace is kept when its 56-bit randomness R (trace-id bytes 9–15, big-endian) is at least the rejection
/// threshold T; the keep probability is 1 − T/2⁵⁶. `th` is T in hex with trailing zeros removed (`th:0` keeps all);
/// a ratio is rounded to `precision` hex digits, as the spec's samplers do (10 % → `e666`, p = 0.100006).
public struct ConsistentThreshold: Sendable, Equatable, CustomStringConvertible {
    /// 2⁵⁶, the randomness range.
    public static let range: UInt64 = 1 << 56
    /// The rejection threshold T, 0 ≤ T < 2⁵⁶.
    public let rejection: UInt64

    /// Keep everything (`th:0`).
    public static let keepAll = ConsistentThreshold(rejection: 0)

    public init(rejection: UInt64) {
        self.rejection = min(rejection, Self.range - 1)
    }

    /// The threshold for keep probability `ratio` (clamped to (0, 1]), rounded to `precision` hex digits (1…14).
    public init(ratio: Double, precision: Int = 4) {
        let digits = max(1, min(14, precision))
        let scale = UInt64(1) << (4 * UInt64(digits))
        let p = ratio.isFinite ? min(1, max(0, ratio)) : 1
        // The kept share rounded at `digits` hex digits (p·scale is exact in a Double up to 13 digits, and 1 − p is
        // not), at least 1 so the threshold never reaches 2⁵⁶ (that would keep nothing).
        let keep = max(1, min(scale, UInt64((p * Double(scale)).rounded())))
        self.init(rejection: (scale - keep) << (56 - 4 * UInt64(digits)))
    }

    /// Parses a `th` value: 1–14 hex digits, trailing zeros implied. Nil for anything else.
    public init?(th: some StringProtocol) {
        // Hex digits only: UInt64(_:radix:) would also take a leading "+".
        guard (1...14).contains(th.utf8.count), th.allSatisfy(\.isHexDigit), let value = UInt64(th, radix: 16) else { return nil }
        self.init(rejection: value << (4 * UInt64(14 - th.utf8.count)))
    }

    /// Parses a W3C `tracestate` value: the `th` sub-key of its `ot` entry (`ot=th:e666;rv:…`). Nil when absent or
    /// malformed.
    public init?(traceState: some StringProtocol) {
        for member in traceState.split(separator: ",") {
            let entry = member.drop { $0 == " " || $0 == "\t" }
            guard entry.hasPrefix("ot=") else { continue }
            for field in entry.dropFirst(3).split(separator: ";") where field.hasPrefix("th:") {
                self.init(th: field.dropFirst(3).prefix { $0 != " " && $0 != "\t" })
                return
            }
        }
        return nil
    }

    /// The keep probability, 1 − T/2⁵⁶.
    public var probability: Double { 1 - Double(rejection) / Double(Self.range) }

    /// `th` hex digits, trailing zeros removed (`0` for keep-all).
    public var th: String {
        guard rejection > 0 else { return "0" }
        var text = String(rejection, radix: 16)
        text = String(repeating: "0", count: 14 - text.count) + text
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    public var description: String { "th:\(th)" }

    /// Whether a trace with these 16 id bytes is kept: R = bytes 9–15 big-endian, kept when R ≥ T.
    public func keeps(traceIDLow: UInt64) -> Bool {
        (traceIDLow & (Self.range - 1)) >= rejection
    }
}
