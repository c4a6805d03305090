import Foundation

/// Axis ticks at "nice numbers": steps of 1, 2 or 5 times a power of ten, ticks at multiples of the step
/// (…, 0.1, 0.2, 0.5, 1, 2, 5, 10, 20, 50, …), as a person would draw them.
extension SVGChart {
    /// The 1-2-5 step that cuts `min…max` into at most about `count` intervals, as (multiplier 1, 2 or 5, power of
    /// ten); nil for an empty, reversed-to-nothing or not finite range.
    static func niceStep(min low: Double, max high: Double, count: Int) -> (multiplier: Double, exponent: Int)? {
        guard low.isFinite, high.isFinite, high > low else { return nil }
        let intervals = Double(Swift.min(Swift.max(1, count), 1000))
        let raw = high / intervals - low / intervals  // never overflows, unlike (high − low) / intervals
        guard raw.isFinite, raw > 0 else { return nil }
        var exponent = Int(floor(log10(raw)))
        let residual = raw / pow(10, Double(exponent))
        let multiplier: Double
        switch residual {
        case ...1.000_000_001: multiplier = 1
        case ...2.000_000_001: multiplier = 2
        case ...5.000_000_001: multiplier = 5
        default: multiplier = 1; exponent += 1
        }
        return (multiplier, exponent)
    }

    /// `k` steps of `multiplier` × 10^`exponent`, computed as an integer scaled by an exact power of ten, so 3 × 0.1
    /// is 0.3 and not 0.30000000000000004.
    static func tick(_ k: Double, _ multiplier: Double, _ exponent: Int) -> Double {
        let units = k * multiplier
        if exponent >= 0 { return units * pow(10, Double(exponent)) }
        let scale = pow(10, Double(-exponent))
        return scale.isFinite ? units / scale : units * pow(10, Double(exponent))
    }

    /// Ticks at the multiples of a 1-2-5 step that lie within `min…max`, at most about `count` + 1 of them, in
    /// ascending order (0…37.4 → 0, 10, 20, 30; 0…1 → 0, 0.2, …, 1). A range of one value gives that value; a range
    /// with NaN or an infinity gives no ticks.
    public static func niceTicks(min low: Double, max high: Double, count: Int = 5) -> [Double] {
        guard low.isFinite, high.isFinite else { return [] }
        let (lo, hi) = (Swift.min(low, high), Swift.max(low, high))
        guard hi > lo else { return [lo] }
        guard let (multiplier, exponent) = niceStep(min: lo, max: hi, count: count) else { return [lo] }
        let step = tick(1, multiplier, exponent)
        let first = (lo / step - 1e-9).rounded(.up), last = (hi / step + 1e-9).rounded(.down)
        // A step below the doubles' resolution at this magnitude (or a bad count) yields the range's ends.
        guard step > 0, first.isFinite, last.isFinite, last >= first, last - first <= Double(Swift.min(Swift.max(1, count), 1000)) * 2 + 2 else { return [lo, hi] }
        var ticks: [Double] = []
        // Counted by an integer: at large magnitudes `first + 1` can equal `first`, and a loop on it would not end.
        for offset in 0...Int(last - first) {
            let value = tick(first + Double(offset), multiplier, exponent)
            // Distinct, ascending values only (a step near the doubles' resolution rounds neighbours together).
            if value >= lo - step * 1e-9, value <= hi + step * 1e-9, ticks.last.map({ value > $0 }) ?? true { ticks.append(value == 0 ? 0 : value) }
        }
        return ticks
    }

    /// `min…max` widened outward to the multiples of its 1-2-5 step, with the ticks of the widened range: an axis
    /// whose ends are labelled. A range of one value, or one not finite, comes back unchanged with its ends.
    static func niceAxis(min low: Double, max high: Double, count: Int = 5) -> (low: Double, high: Double, ticks: [Double]) {
        guard let (multiplier, exponent) = niceStep(min: low, max: high, count: count) else {
            return (low, high, [low, high].filter(\.isFinite))
        }
        let step = tick(1, multiplier, exponent)
        let lo = tick((low / step).rounded(.down), multiplier, exponent), hi = tick((high / step).rounded(.up), multiplier, exponent)
        guard lo.isFinite, hi.isFinite, hi > lo else { return (low, high, niceTicks(min: low, max: high, count: count)) }
        return (lo, hi, niceTicks(min: lo, max: hi, count: count))
    }

    /// Ticks of a log axis, given the range of log10 of the values: every power of ten when it spans two decades or
    /// more (every second, fifth … when there are many), 1-2-5 within each decade when it spans less, and linear nice
    /// ticks when not even that gives two. Returned as log10 of the tick values.
    public static func logTicks(minLog: Double, maxLog: Double, count: Int = 5) -> [Double] {
        guard minLog.isFinite, maxLog.isFinite else { return [] }
        let (lo, hi) = (Swift.min(minLog, maxLog), Swift.max(minLog, maxLog))
        guard hi > lo else { return [lo] }
        let firstDecade = lo.rounded(.up), lastDecade = hi.rounded(.down)
        if lastDecade - firstDecade >= 2 {
            let every = Swift.max(1, (lastDecade - firstDecade) / Double(Swift.max(1, count))).rounded(.up)
            return stride(from: firstDecade, through: lastDecade, by: every).map { $0 }
        }
        var ticks: [Double] = []
        var decade = lo.rounded(.down)
        while decade <= hi {
            for m in [1.0, 2, 5] {
                let mapped = decade + log10(m)
                if mapped >= lo - 1e-12, mapped <= hi + 1e-12 { ticks.append(mapped) }
            }
            decade += 1
        }
        if ticks.count >= 2 { return ticks }
        let linear = niceTicks(min: pow(10, lo), max: pow(10, hi), count: count).filter { $0 > 0 }.map(log10)
        return linear.isEmpty ? [lo, hi] : linear
    }
}
