/// Conversions from `Double` that never trap: a value from a scenario (or sampled from a distribution it describes)
/// may be huge, infinite or NaN, and `Int64(x)` traps on each of those.
extension Int64 {
    /// `value` rounded toward zero and clamped to `Int64`'s range; NaN is 0.
    @inlinable
    public init(saturating value: Double) {
        if value.isNaN {
            self = 0
        } else if value >= 9.223372036854775e18 {
            self = .max
        } else if value <= -9.223372036854775e18 {
            self = .min
        } else {
            self = Int64(value)
        }
    }
}

extension Duration {
    /// The longest wait tracebench ever asks for: far beyond any run, far below `Duration`'s overflow.
    public static let longestWait = Duration.seconds(1_000_000_000)

    /// `micros` microseconds, clamped to 0 … ``longestWait`` (NaN is 0).
    public static func clampedMicroseconds(_ micros: Double) -> Duration {
        .microseconds(Int64(saturating: Swift.min(Swift.max(micros.isNaN ? 0 : micros, 0), 1e15)))
    }

    /// `seconds` seconds, clamped to 0 … ``longestWait`` (NaN is 0).
    public static func clampedSeconds(_ seconds: Double) -> Duration {
        clampedMicroseconds(seconds * 1e6)
    }
}
