/// The unit a metric is stored in, and how a threshold's written quantity (`750ms`, `100MB`, `99%`) is converted
/// into it. A quantity whose unit does not fit the metric's dimension is refused with a reason.
public enum MetricUnit: String, Sendable, Codable, CaseIterable {
    case microseconds
    case milliseconds
    case seconds
    /// A share in 0…1 (`99%` is written for 0.99).
    case ratio
    /// Percent of one core or of a whole (`cpu_percent_avg`: `10%` and `10` both mean 10).
    case percent
    case bytes
    case count
    case perSecond = "per_second"
    case perMinute = "per_minute"

    /// The unit shown after a value in tables (`µs`, `ms`, `B`, …; empty for plain numbers).
    public var symbol: String {
        switch self {
        case .microseconds: "µs"
        case .milliseconds: "ms"
        case .seconds: "s"
        case .ratio: ""
        case .percent: "%"
        case .bytes: "B"
        case .count: ""
        case .perSecond: "/s"
        case .perMinute: "/min"
        }
    }

    /// Microseconds per unit, for the duration units.
    var microsecondsPerUnit: Double? {
        switch self {
        case .microseconds: 1
        case .milliseconds: 1_000
        case .seconds: 1_000_000
        default: nil
        }
    }

    /// Converts a written quantity (`750ms`, `1.5s`, `100MB`, `64MiB`, `99%`, `0.99`, `500`) into this unit.
    public func convert(_ written: String) throws(QuantityError) -> Double {
        let text = written.trimmingWhitespace()
        let split = text.firstIndex { !($0.isNumber || $0 == "." || $0 == "-" || $0 == "+" || $0 == "e" || $0 == "E" || $0 == "_") }
            ?? text.endIndex
        var numberText = String(text[..<split]).filter { $0 != "_" }
        var suffix = String(text[split...]).trimmingWhitespace()
        // `1e3ms`: an `e` followed by no digit belongs to no exponent; YAML users rarely write it, so keep it simple.
        if numberText.hasSuffix("e") || numberText.hasSuffix("E") {
            suffix = String(numberText.removeLast()) + suffix
        }
        guard let number = Double(numberText), number.isFinite else {
            throw QuantityError("expected a number with an optional unit, got '\(written)'")
        }
        if suffix.isEmpty { return number }
        if let perMicro = microsecondsPerUnit {
            guard let factor = Self.durationSuffixes[suffix] else {
                throw QuantityError("'\(suffix)' is not a duration unit (use ns, us, µs, ms, s, m or h)")
            }
            return number * factor / perMicro
        }
        switch self {
        case .bytes:
            guard let factor = Self.byteSuffixes[suffix] else {
                throw QuantityError("'\(suffix)' is not a size unit (use B, KB, MB, GB, KiB, MiB or GiB)")
            }
            return number * factor
        case .ratio:
            guard suffix == "%" else { throw QuantityError("a ratio takes a plain number (0.99) or a percentage (99%), got '\(suffix)'") }
            return number / 100
        case .percent:
            guard suffix == "%" else { throw QuantityError("a percentage takes a plain number or '%', got '\(suffix)'") }
            return number
        case .count, .perSecond, .perMinute:
            throw QuantityError("this metric is a plain number (\(rawValue)); remove '\(suffix)'")
        default:
            throw QuantityError("unexpected unit '\(suffix)'")
        }
    }

    /// Microseconds per written duration unit.
    static let durationSuffixes: [String: Double] = [
        "ns": 0.001, "us": 1, "µs": 1, "μs": 1, "ms": 1_000, "s": 1_000_000, "m": 60_000_000, "min": 60_000_000, "h": 3_600_000_000,
    ]
    /// Bytes per written size unit (decimal MB as the issue's `< 100MB`; binary MiB for memory people).
    static let byteSuffixes: [String: Double] = [
        "B": 1, "KB": 1e3, "MB": 1e6, "GB": 1e9, "kB": 1e3, "KiB": 1_024, "MiB": 1_048_576, "GiB": 1_073_741_824,
    ]

    /// A value in this unit as text with its symbol (`712.0 ms` style is left to reporters; this is compact).
    public func format(_ value: Double) -> String {
        guard value.isFinite else { return String(value) }
        switch self {
        case .ratio: return String(format4: value)
        case .bytes:
            return abs(value) >= 1_048_576 ? String(format1: value / 1_048_576) + " MiB" : String(format1: value) + " B"
        case .microseconds:
            return abs(value) >= 1_000 ? String(format1: value / 1000) + " ms" : String(format1: value) + " µs"
        default:
            let text = value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(format1: value)
            return symbol.isEmpty ? text : text + (symbol.hasPrefix("/") || symbol == "%" ? "" : " ") + symbol
        }
    }
}

/// A written quantity that does not fit its metric.
public struct QuantityError: Error, Sendable, Equatable, CustomStringConvertible {
    public let reason: String
    public init(_ reason: String) { self.reason = reason }
    public var description: String { reason }
}

extension String {
    func trimmingWhitespace() -> String {
        String(drop { $0.isWhitespace }.reversed().drop { $0.isWhitespace }.reversed())
    }

    /// One decimal place, without Foundation.
    init(format1 value: Double) { self = Self.fixed(value, places: 1) }
    /// Four decimal places, without Foundation.
    init(format4 value: Double) { self = Self.fixed(value, places: 4) }

    static func fixed(_ value: Double, places: Int) -> String {
        guard value.isFinite else { return String(value) }
        var scale = 1.0
        for _ in 0..<places { scale *= 10 }
        let scaled = (abs(value) * scale).rounded()
        guard scaled < 9e18 else { return String(value) }
        let whole = UInt64(scaled)
        let integer = whole / UInt64(scale)
        var fraction = String(whole % UInt64(scale))
        while fraction.count < places { fraction = "0" + fraction }
        let sign = value < 0 && whole > 0 ? "-" : ""
        return places == 0 ? "\(sign)\(integer)" : "\(sign)\(integer).\(fraction)"
    }
}
