import TracebenchMeasure
/// The intended start times of an open-model load: computed up front from the scenario, never from responses.
///
/// Because the schedule exists before the first request is sent, a slow system cannot slow the load down
/// (no coordinated omission): the load generator fires each arrival at its offset, and latency is measured from
/// that intended time.
///
/// - `constant`: evenly spaced at 1/rate, the first at 0.
/// - `poisson`: exponential inter-arrival times with mean 1/rate, drawn from the seed's arrival stream
///   (`SeededGenerator(seed:).derived(0xA221)`); the first arrival is one inter-arrival time after 0.
/// - `ramp`: the rate λ(t) moves linearly from `fromPerSecond` to `toPerSecond` over the run; arrival k is placed
///   where the expected count Λ(t) = ∫₀ᵗ λ reaches k (k = 0, 1, 2, …).
/// - `steps`: piecewise-constant rates, placed like `ramp` (so the fractional remainder of one step carries into the
///   next instead of restarting its phase); after the last step ends its rate holds until the run ends, and steps
///   past the end are cut. No steps at all means no arrivals.
///
/// Negative or NaN rates count as 0, rates are capped at 10¹² per second, durations at 10⁹ seconds, and a schedule
/// holds at most ``maxArrivals`` offsets: hostile input makes a short or empty schedule, never a crash.
public struct ArrivalSchedule: Sendable {
    /// Most arrivals a schedule holds; later ones are cut.
    public static let maxArrivals = 50_000_000

    /// Offsets from the run's start, in nanoseconds, strictly within [0, duration), non-decreasing.
    public let offsetsNanos: [UInt64]

    /// Number of arrivals.
    public var count: Int { offsetsNanos.count }

    /// The schedule of `load` over the first `durationSeconds` of a run; the same inputs always give the same offsets.
    public init(load: LoadSpec, durationSeconds: Double, seed: UInt64) {
        self.init(load: load, durationSeconds: durationSeconds, seed: seed, maxArrivals: Self.maxArrivals)
    }

    /// As the public initialiser, with a different cap (for tests).
    init(load: LoadSpec, durationSeconds: Double, seed: UInt64, maxArrivals: Int) {
        let duration = durationSeconds.isNaN ? 0 : min(durationSeconds, Self.maxDurationSeconds)
        guard duration > 0, maxArrivals > 0 else {
            offsetsNanos = []
            return
        }
        var builder = OffsetBuilder(durationSeconds: duration, limit: maxArrivals)
        switch load.arrival {
        case .constant:
            let rate = Self.sanitizedRate(load.ratePerSecond)
            Self.placeDeterministically([RateSegment(start: 0, length: duration, startRate: rate, endRate: rate)], into: &builder)
        case .poisson:
            Self.placePoisson(rate: Self.sanitizedRate(load.ratePerSecond), seed: seed, into: &builder)
        case .ramp:
            let segment = RateSegment(
                start: 0, length: duration,
                startRate: Self.sanitizedRate(load.fromPerSecond), endRate: Self.sanitizedRate(load.toPerSecond)
            )
            Self.placeDeterministically([segment], into: &builder)
        case .steps:
            Self.placeDeterministically(Self.stepSegments(load.steps, duration: duration), into: &builder)
        }
        offsetsNanos = builder.offsets
    }

    // MARK: Limits and input hygiene

    /// Longest schedule, in seconds (about 31 years; keeps every offset far inside `UInt64` nanoseconds).
    static let maxDurationSeconds: Double = 1e9
    /// Highest rate, per second.
    static let maxRatePerSecond: Double = 1e12
    /// Seed stream of Poisson arrivals (job choices use other streams of the same seed).
    static let arrivalStream: UInt64 = 0xA221

    static func sanitizedRate(_ rate: Double) -> Double {
        rate.isNaN ? 0 : min(max(rate, 0), maxRatePerSecond)
    }

    // MARK: Deterministic placement (constant, ramp, steps)

    /// A stretch of the run over which the rate moves linearly from `startRate` to `endRate`.
    struct RateSegment: Equatable {
        var start: Double
        var length: Double
        var startRate: Double
        var endRate: Double

        /// Expected arrivals in the segment, ∫λ.
        var area: Double { (startRate + endRate) / 2 * length }

        /// Time after `start` at which `count` arrivals are expected within the segment (0 ≤ count ≤ area).
        ///
        /// Solves λ₀t + ½bt² = count for t with b = (λ₁ − λ₀) / length, in the form 2c / (λ₀ + √(λ₀² + 2bc)),
        /// which is exact for b = 0, needs no special case for λ₀ = 0, and does not cancel catastrophically.
        func time(atCount count: Double) -> Double {
            guard count > 0 else { return 0 }
            let slope = (endRate - startRate) / length
            let discriminant = startRate * startRate + 2 * slope * count
            let denominator = startRate + max(0, discriminant).squareRoot()
            guard denominator > 0 else { return length }
            let t = 2 * count / denominator
            return t.isFinite ? min(length, t) : length
        }
    }

    /// Steps cut to the run, followed by the last step's rate until the run ends.
    static func stepSegments(_ steps: [LoadSpec.Step], duration: Double) -> [RateSegment] {
        guard let last = steps.last else { return [] }
        var segments: [RateSegment] = []
        var start = 0.0
        for step in steps {
            guard start < duration else { break }
            let requested = step.durationSeconds.isNaN ? 0 : max(0, step.durationSeconds)
            let length = min(requested, duration - start)
            guard length > 0 else { continue }
            let rate = sanitizedRate(step.ratePerSecond)
            segments.append(RateSegment(start: start, length: length, startRate: rate, endRate: rate))
            start += length
        }
        if start < duration {
            let rate = sanitizedRate(last.ratePerSecond)
            segments.append(RateSegment(start: start, length: duration - start, startRate: rate, endRate: rate))
        }
        return segments
    }

    /// Places arrival k where the cumulative expected count Λ(t) reaches k, across consecutive segments.
    ///
    /// An arrival exactly on a segment's end belongs to the next segment (windows are half-open); a tolerance of
    /// 10⁻⁹ (relative) keeps rounding in Λ from adding or dropping one at a boundary, so that e.g. 10/s for 2 s is
    /// exactly 20 arrivals.
    static func placeDeterministically(_ segments: [RateSegment], into builder: inout OffsetBuilder) {
        let total = segments.reduce(0) { $0 + $1.area }
        builder.reserve(expected: total)
        var k = 0
        var cumulative = 0.0
        for segment in segments {
            let area = segment.area
            guard area > 0 else { continue }
            let end = cumulative + area
            let limit = end - 1e-9 * max(1, end)
            while Double(k) < limit, !builder.isFull {
                let local = max(0, Double(k) - cumulative)
                builder.append(seconds: segment.start + segment.time(atCount: local))
                k += 1
            }
            if builder.isFull { return }
            cumulative = end
        }
    }

    // MARK: Poisson placement

    /// Exponential inter-arrival times with mean 1/`rate`, by inversion of the seed's arrival stream.
    static func placePoisson(rate: Double, seed: UInt64, into builder: inout OffsetBuilder) {
        guard rate > 0 else { return }
        let expected = rate * builder.durationSeconds
        builder.reserve(expected: expected + 4 * expected.squareRoot() + 16)
        var generator = SeededGenerator(seed: seed).derived(arrivalStream)
        var t = 0.0
        while !builder.isFull {
            // 1 − u is in (0, 1], so the logarithm is finite.
            t += -naturalLog(1 - generator.nextUnit()) / rate
            guard t < builder.durationSeconds else { return }
            builder.append(seconds: t)
        }
    }

    /// ln(x) for finite x > 0, in pure Swift (the module depends on the standard library only).
    ///
    /// x = m·2ᵉ with m in [√½, √2), and ln m = 2·atanh(s) = 2(s + s³/3 + s⁵/5 + …) with s = (m − 1)/(m + 1), |s| < 0.172,
    /// so the series converges to double precision in about 11 terms.
    static func naturalLog(_ x: Double) -> Double {
        guard x > 0 else { return x == 0 ? -.infinity : .nan }
        guard x.isFinite else { return x }
        var exponent = Int(x.exponent)
        var m = x.significand
        if m > 1.4142135623730951 {
            m /= 2
            exponent += 1
        }
        let s = (m - 1) / (m + 1)
        let s2 = s * s
        var power = s
        var sum = s
        var divisor = 3.0
        while true {
            power *= s2
            let term = power / divisor
            if abs(term) <= 1e-17 * abs(sum) { break }
            sum += term
            divisor += 2
        }
        return Double(exponent) * 0.693_147_180_559_945_3 + 2 * sum
    }

    // MARK: Output

    /// Collects offsets: converts seconds to nanoseconds, keeps them within [0, duration) and non-decreasing,
    /// and stops at the cap.
    struct OffsetBuilder {
        let durationSeconds: Double
        let limit: Int
        /// Largest offset strictly below the duration, in nanoseconds.
        let maxOffsetNanos: UInt64
        private(set) var offsets: [UInt64] = []

        init(durationSeconds: Double, limit: Int) {
            self.durationSeconds = durationSeconds
            self.limit = limit
            let end = (durationSeconds * 1e9).rounded(.up)
            maxOffsetNanos = end >= 1 ? UInt64(end) - 1 : 0
        }

        var isFull: Bool { offsets.count >= limit }

        mutating func reserve(expected: Double) {
            guard expected.isFinite, expected > 0 else { return }
            offsets.reserveCapacity(Int(min(expected + 1, Double(limit))))
        }

        mutating func append(seconds: Double) {
            let nanos = (seconds * 1e9).rounded()
            var offset = nanos > 0 ? min(UInt64(min(nanos, 1e18)), maxOffsetNanos) : 0
            if let previous = offsets.last, offset < previous { offset = previous }
            offsets.append(offset)
        }
    }
}
