#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Probability functions used to turn measurements into intervals and p-values (normal, binomial, beta), and Holm's
/// step-down correction.
///
/// No function traps: NaN, infinite, negative or huge arguments give the documented fallback values instead.
public enum Distributions {
    /// Standard normal CDF Φ(x), to full double precision in both tails (through `erfc`). NaN gives NaN.
    public static func normalCDF(_ x: Double) -> Double {
        0.5 * erfc(-x * 0.5.squareRoot())
    }

    /// Φ⁻¹(p): Acklam's rational approximation and one Halley step, relative error ~1e-15 (for subnormal p, only
    /// as good as p itself). Gives −∞ for p ≤ 0, +∞ for p ≥ 1 and NaN for NaN.
    public static func normalQuantile(_ p: Double) -> Double {
        if p.isNaN { return .nan }
        if p <= 0 { return -.infinity }
        if p >= 1 { return .infinity }
        if p > 0.5 { return -normalQuantile(1 - p) }  // 1 − p is exact for p ≥ 0.5
        var x: Double
        if p < 0.02425 {
            let r = (-2 * log(p)).squareRoot()
            x = (((((-7.784894002430293e-03 * r - 3.223964580411365e-01) * r - 2.400758277161838e+00) * r
                - 2.549732539343734e+00) * r + 4.374664141464968e+00) * r + 2.938163982698783e+00)
                / ((((7.784695709041462e-03 * r + 3.224671290700398e-01) * r + 2.445134137142996e+00) * r
                    + 3.754408661907416e+00) * r + 1)
        } else {
            let r = p - 0.5, s = r * r
            x = (((((-3.969683028665376e+01 * s + 2.209460984245205e+02) * s - 2.759285104469687e+02) * s
                + 1.383577518672690e+02) * s - 3.066479806614716e+01) * s + 2.506628277459239e+00) * r
                / (((((-5.447609879822406e+01 * s + 1.615858368580409e+02) * s - 1.556989798598866e+02) * s
                    + 6.680131188771972e+01) * s - 1.328068155288572e+01) * s + 1)
        }
        // Halley's step on Φ(x) − p, with p/φ(x) formed in logs so that it cannot overflow.
        let u = (normalCDF(x) / p - 1) * (2 * Double.pi).squareRoot() * exp(x * x / 2 + log(p))
        if u.isFinite { x -= u / (1 + x * u / 2) }
        return x
    }

    /// Natural log of |Γ(x)| (Lanczos, g = 7, 9 terms): absolute error ~3e-15, relative ~2e-15 where |log Γ| ≥ 1.
    /// Meant for x > 0; negative non-integers use the reflection formula. Gives +∞ at 0, at negative integers and at
    /// ±∞, and NaN for NaN.
    public static func logGamma(_ x: Double) -> Double {
        if x.isNaN { return .nan }
        if x.isInfinite { return .infinity }
        if x < 0.5 {
            // Γ(x) Γ(1 − x) = π / sin(πx); sin(π·frac(x)) has the same magnitude and no large argument.
            let sine = sin(Double.pi * (x - x.rounded(.down)))
            return sine == 0 ? .infinity : log(Double.pi) - log(sine) - logGamma(1 - x)
        }
        let coefficients = [
            0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
        ]
        let z = x - 1, t = z + 7.5
        var sum = coefficients[0]
        for index in 1..<coefficients.count { sum += coefficients[index] / (z + Double(index)) }
        return 0.5 * log(2 * Double.pi) + (z + 0.5) * log(t) - t + log(sum)
    }

    /// Regularized incomplete beta I_x(a, b) = P(Beta(a, b) ≤ x), by DiDonato and Morris's continued fraction with a
    /// saddle-point prefactor (Temme's expansion once a, b ≥ 1e12): relative error ~1e-14 for a, b ≥ 1, ~1e-12 below.
    ///
    /// x ≤ 0 gives 0, x ≥ 1 gives 1; a = 0 or b = ∞ give 1, b = 0 or a = ∞ give 0; NaN arguments, negative shapes,
    /// a = b = 0 and a = b = ∞ give NaN. Shapes below 1e-300 count as 1e-300.
    public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
        betaTails(x: x, y: 1 - x, a: a, b: b).lower
    }

    /// The x with I_x(a, b) = q (the q-quantile of Beta(a, b), as used for Clopper–Pearson bounds): safeguarded
    /// Newton steps in a bracket, solving for whichever of x and 1 − x is below ½, to within a few ulps for a, b ≥ 1.
    ///
    /// Gives 0 for q ≤ 0 and 1 for q ≥ 1; a = 0 or b = ∞ give 0, b = 0 or a = ∞ give 1; NaN arguments, negative
    /// shapes, a = b = 0 and a = b = ∞ give NaN.
    public static func betaQuantile(_ q: Double, a: Double, b: Double) -> Double {
        if q.isNaN || invalidShapes(a, b) { return .nan }
        if q <= 0 || a == 0 || b.isInfinite { return 0 }
        if q >= 1 || b == 0 || a.isInfinite { return 1 }
        if q <= betaTails(x: 0.5, y: 0.5, a: a, b: b).lower {
            return solveBelowHalf(target: q, complement: 1 - q, a: a, b: b)
        }
        return 1 - solveBelowHalf(target: 1 - q, complement: q, a: b, b: a)
    }

    /// P(X ≤ k) for X ~ Binomial(n, p), exact through the incomplete beta (relative error ~1e-13 for any n). k < 0
    /// gives 0 and k ≥ n gives 1; a negative n counts as 0; p outside [0, 1] is clamped; NaN p gives NaN.
    public static func binomialCDF(_ k: Int, n: Int, p: Double) -> Double {
        binomialSplit(k, n: n, p: p).atOrBelow
    }

    /// Clopper–Pearson exact two-sided interval for `successes` of `trials` at confidence `level` (e.g. 0.95), with
    /// (1 − level)/2 in each tail; the bound is exactly 0 (or 1) when successes is 0 (or trials).
    ///
    /// Gives (0, 1) when trials ≤ 0 or level is NaN; successes is clamped to 0…trials and level to [0, 1].
    public static func clopperPearson(successes: Int, trials: Int, level: Double) -> (low: Double, high: Double) {
        guard trials > 0, !level.isNaN else { return (0, 1) }
        let k = Swift.min(Swift.max(successes, 0), trials)
        let tail = (1 - Swift.min(Swift.max(level, 0), 1)) / 2
        let n = Double(trials), s = Double(k)
        let low = k == 0 ? 0 : betaQuantile(tail, a: s, b: n - s + 1)
        let high = k == trials ? 1 : betaQuantile(1 - tail, a: s + 1, b: n - s)
        return (low, Swift.max(low, high))
    }

    /// Distribution-free confidence interval for the q-quantile of a sample of size n, as 1-based ranks into the
    /// sorted sample (binomial order-statistic method, equal tails): with B ~ Binomial(n, q), lowRank is the largest
    /// l with P(B < l) ≤ (1 − level)/2 and highRank the smallest u with P(B ≥ u) ≤ (1 − level)/2.
    ///
    /// Ranks are clamped to 1…n (coverage then falls short of `level`). n ≤ 0 gives (0, 0); level ≥ 1, or NaN q or
    /// level, gives (1, n); level < 0 counts as 0; q ≤ 0 gives (1, 1), q ≥ 1 gives (n, n). Microseconds at n = 10⁷.
    public static func quantileRankInterval(q: Double, n: Int, level: Double) -> (lowRank: Int, highRank: Int) {
        guard n > 0 else { return (0, 0) }
        guard !q.isNaN, !level.isNaN, level < 1 else { return (1, n) }
        if q <= 0 { return (1, 1) }
        if q >= 1 { return (n, n) }
        let tail = (1 - Swift.max(level, 0)) / 2, z = -normalQuantile(tail)
        let mean = Double(n) * q, spread = (mean * (1 - q)).squareRoot()
        /// Cornish–Fisher approximation to the Binomial(n, q) quantile at standard normal deviate `deviate`.
        func approximateQuantile(_ deviate: Double) -> Int {
            let skewTerm = spread > 0 ? (1 - 2 * q) / spread * (deviate * deviate - 1) / 6 : 0
            let guess = mean + spread * (deviate + skewTerm) - 0.5  // clamped to −1…n − 1, NaN to −1
            return guess > -1 ? (guess < Double(n - 1) ? Int(guess.rounded(.down)) : n - 1) : -1
        }
        // l − 1 = the largest j with P(B ≤ j) ≤ tail; u − 2 = the largest j with P(B > j) > tail.
        let belowLow = lastTrue(lower: -1, upper: n - 1, guess: approximateQuantile(-z)) {
            binomialSplit($0, n: n, p: q).atOrBelow <= tail
        }
        let belowHigh = lastTrue(lower: -1, upper: n - 1, guess: approximateQuantile(z)) {
            binomialSplit($0, n: n, p: q).above > tail
        }
        let low = Swift.min(Swift.max(belowLow + 1, 1), n)
        let high = belowHigh >= n - 2 ? n : Swift.max(belowHigh + 2, 1)
        return (low, Swift.max(low, high))
    }

    /// Two-sided p-value of observing `successes` of `trials` if the true proportion were `p0`: exact binomial,
    /// twice the smaller of P(X ≤ successes) and P(X ≥ successes), capped at 1.
    ///
    /// Gives 1 when trials ≤ 0 or p0 is NaN; successes is clamped to 0…trials and p0 to [0, 1].
    public static func binomialTwoSidedPValue(successes: Int, trials: Int, p0: Double) -> Double {
        guard trials > 0, !p0.isNaN else { return 1 }
        let k = Swift.min(Swift.max(successes, 0), trials)
        let atOrBelow = binomialSplit(k, n: trials, p: p0).atOrBelow
        let atOrAbove = binomialSplit(k - 1, n: trials, p: p0).above
        return Swift.min(1, 2 * Swift.min(atOrBelow, atOrAbove))
    }

    /// Two-sided p-value for H0 "the q-quantile equals the threshold", given `atOrBelow` = the number of the n sample
    /// values at or below the threshold: under H0 that count is Binomial(n, q), tested as in
    /// ``binomialTwoSidedPValue(successes:trials:p0:)`` (same fallbacks).
    public static func quantileTwoSidedPValue(atOrBelow: Int, n: Int, q: Double) -> Double {
        binomialTwoSidedPValue(successes: atOrBelow, trials: n, p0: q)
    }

    /// Two-sided normal p-value 2·Φ(−|z|) of z = (estimate − null) / standardError. standardError 0 gives 0 if
    /// estimate ≠ null, else 1; a negative standardError counts by its magnitude; NaN arguments (or ∞ − ∞) give 1.
    public static func normalTwoSidedPValue(estimate: Double, null: Double, standardError: Double) -> Double {
        if estimate.isNaN || null.isNaN || standardError.isNaN { return 1 }
        if standardError == 0 { return estimate == null ? 1 : 0 }
        let z = Swift.abs((estimate - null) / standardError)
        return z.isNaN ? 1 : erfc(z * 0.5.squareRoot())
    }

    /// Holm's step-down procedure for p-values p₁…p_m at family error rate `alpha`: for each input (in input order)
    /// the level Holm assigns it, alpha/(m − rank + 1) with rank its 1-based position in ascending order of p, and
    /// whether it is rejected (only if it and every smaller p-value are at or below their levels). Ties keep input
    /// order; NaN p-values count as 1, others are clamped to [0, 1]; alpha is clamped to [0, 1], NaN counting as 0.
    public static func holm(pValues: [Double], alpha: Double) -> [(level: Double, rejected: Bool)] {
        let alpha = alpha.isNaN ? 0 : Swift.min(Swift.max(alpha, 0), 1)
        let cleaned = pValues.map { $0.isNaN ? 1 : Swift.min(Swift.max($0, 0), 1) }
        let order = cleaned.indices.sorted { (cleaned[$0], $0) < (cleaned[$1], $1) }  // ties by input position
        var result = [(level: Double, rejected: Bool)](repeating: (alpha, false), count: cleaned.count)
        var stillRejecting = true
        for (rank, index) in order.enumerated() {
            let level = alpha / Double(cleaned.count - rank)
            stillRejecting = stillRejecting && cleaned[index] <= level
            result[index] = (level, stillRejecting)
        }
        return result
    }

    /// Lower and upper tail probabilities.
    private typealias Tails = (lower: Double, upper: Double)

    /// Whether Beta(a, b) is undefined: a NaN or negative shape, or both 0, or both infinite.
    private static func invalidShapes(_ a: Double, _ b: Double) -> Bool {
        a.isNaN || b.isNaN || a < 0 || b < 0 || (a == 0 && b == 0) || (a.isInfinite && b.isInfinite)
    }

    /// (P(X ≤ k), P(X > k)) for X ~ Binomial(n, p), each accurate in its own right (no 1 − tiny cancellation).
    private static func binomialSplit(_ k: Int, n: Int, p: Double) -> (atOrBelow: Double, above: Double) {
        if p.isNaN { return (.nan, .nan) }
        if k < 0 { return (0, 1) }
        if k >= n { return (1, 0) }
        let p = Swift.min(Swift.max(p, 0), 1)
        // P(X ≤ k) = I_{1−p}(n − k, k + 1), with p passed as the exact complement of the rounded 1 − p.
        let tails = betaTails(x: 1 - p, y: p, a: Double(n - k), b: Double(k + 1))
        return (tails.lower, tails.upper)
    }

    /// (I_x(a, b), 1 − I_x(a, b)), with y = 1 − x given separately (the smaller of x and y is taken as exact): the
    /// tail on x's side of the mean directly, the other as its complement. Edge cases as in the public function.
    private static func betaTails(x: Double, y: Double, a: Double, b: Double) -> Tails {
        if x.isNaN || y.isNaN || invalidShapes(a, b) { return (.nan, .nan) }
        if x <= 0 { return (0, 1) }
        if y <= 0 { return (1, 0) }
        if a == 0 || b.isInfinite { return (1, 0) }
        if b == 0 || a.isInfinite { return (0, 1) }
        let a = Swift.max(a, 1e-300), b = Swift.max(b, 1e-300)  // subnormal shapes would overflow 1/a
        // Closed forms for a = 1 or b = 1, from whichever of x and y is the more exact.
        let logX = y < 0.5 ? log1p(-y) : log(x), logY = x < 0.5 ? log1p(-x) : log(y)
        if a == 1 { return (-expm1(b * logY), exp(b * logY)) }
        if b == 1 { return (exp(a * logX), -expm1(a * logX)) }
        if !(a + b).isFinite {  // a point mass at the mean, to double precision
            let mean = 1 / (1 + b / a)
            return x < mean ? (0, 1) : (x > mean ? (1, 0) : (0.5, 0.5))
        }
        let lambda = meanOffset(x: x, y: y, a: a, b: b)
        if Swift.min(a, b) >= 1e12 { return betaTailsAsymptotic(x: x, y: y, a: a, b: b, lambda: lambda) }
        // An underflowed prefactor means a negligible tail (the fraction could then overflow); so does a NaN.
        let prefactor = betaPrefactor(x: x, y: y, a: a, b: b, lambda: lambda)
        var tail = prefactor == 0 ? 0 : lambda >= 0
            ? prefactor * betaFraction(x: x, y: y, a: a, b: b, lambda: lambda)
            : prefactor * betaFraction(x: y, y: x, a: b, b: a, lambda: -lambda)
        tail = tail.isNaN ? 0 : Swift.min(1, tail)
        return lambda >= 0 ? (tail, 1 - tail) : (1 - tail, tail)
    }

    /// λ = a − (a + b)x = (a + b)y − b (≥ 0 when x is at or below the mean): a fused multiply-add on the exact one of
    /// x and y, with the rounding error of a + b put back, so that λ stays accurate for huge a and b.
    private static func meanOffset(x: Double, y: Double, a: Double, b: Double) -> Double {
        let n = a + b
        let nError = (a - (n - (n - a))) + (b - (n - a))  // a + b = n + nError exactly
        return x < y ? a.addingProduct(-x, n) - nError * x : (-b).addingProduct(y, n) + nError * y
    }

    /// Two terms of Temme's uniform asymptotic expansion, for a, b ≥ 1e12 (relative error ~1/min(a, b)²):
    /// Φ(η√r) plus a correction, with r = a + b and ½η² the deviance per unit of r.
    private static func betaTailsAsymptotic(x: Double, y: Double, a: Double, b: Double, lambda: Double) -> Tails {
        let r = a + b, p = a / r, q = b / r, offset = -lambda / r  // offset = x − p
        let deviances = deviance(a, m: r * x, shift: lambda) + deviance(b, m: r * y, shift: -lambda)
        let eta = (2 * deviances / r).squareRoot() * (offset < 0 ? -1 : 1)
        // 1/η − √(pq)/offset cancels near the mean; there its expansion in η takes over.
        let correction = Swift.abs(eta) < 1e-4
            ? (q - p) / (3 * (p * q).squareRoot()) + eta * (p * q - 1) / (12 * p * q)
            : 1 / eta - (p * q).squareRoot() / offset
        let term = exp(-0.5 * r * eta * eta) / (2 * Double.pi * r).squareRoot() * correction
        return (normalCDF(eta * r.squareRoot()) + term, normalCDF(-eta * r.squareRoot()) - term)
    }

    /// DiDonato and Morris's continued fraction (BFRAC, ACM TOMS 708) for I_x(a, b) / prefactor, given
    /// λ = a − (a + b)x ≥ 0 computed without cancellation.
    private static func betaFraction(x: Double, y: Double, a: Double, b: Double, lambda: Double) -> Double {
        let c = 1 + lambda, c0 = b / a, c1 = 1 + 1 / a, yp1 = y + 1
        var n = 0.0, p = 1.0, s = a + 1, an = 0.0, bn = 1.0, anp1 = 1.0, bnp1 = c / c1, r = c1 / c
        for _ in 0..<1_000_000 {
            n += 1
            let t = n / a, w = n * (b - n) * x, e = a / s
            let alpha = (p * (p + c0) * e * e) * (w * x)
            let beta = n + w / s + (1 + t) / (c1 + t + t) * (c + n * yp1)
            p = 1 + t
            s += 2
            (an, anp1) = (anp1, alpha * an + beta * anp1)
            (bn, bnp1) = (bnp1, alpha * bn + beta * bnp1)
            let previous = r
            r = anp1 / bnp1
            if Swift.abs(r - previous) <= 1e-15 * r { break }
            (an, bn, anp1, bnp1) = (an / bnp1, bn / bnp1, r, 1)  // rescale
        }
        return r
    }

    /// x^a y^b / B(a, b) in Loader's saddle-point form (Stirling corrections and deviances, λ from ``meanOffset``),
    /// which avoids the cancellation of log Γ terms, and of x^a y^b against them, for large a and b.
    private static func betaPrefactor(x: Double, y: Double, a: Double, b: Double, lambda: Double) -> Double {
        let n = a + b
        let exponent = stirlingError(n) - stirlingError(a) - stirlingError(b)
            - deviance(a, m: n * x, shift: lambda) - deviance(b, m: n * y, shift: -lambda)
        return exp(exponent) * (a / (2 * Double.pi * n)).squareRoot() * b.squareRoot()
    }

    /// log Γ(z + 1) − [(z + ½) log z − z + ½ log 2π] for z > 0: the asymptotic series above 15, lifted there by
    /// s(z) = s(z + 1) + (z + ½) log(1 + 1/z) − 1.
    private static func stirlingError(_ z: Double) -> Double {
        var z = z, lifted = 0.0
        while z <= 15 { (lifted, z) = (lifted + (z + 0.5) * log1p(1 / z) - 1, z + 1) }
        let z2 = z * z
        return lifted + (1.0 / 12 - (1.0 / 360 - (1.0 / 1260 - (1.0 / 1680 - 1.0 / 1188 / z2) / z2) / z2) / z2) / z
    }

    /// k log(k/m) + m − k ≥ 0 for m = k − shift: Loader's series in v = (k − m)/(k + m) when |v| < 0.1, taken from
    /// the shift (no cancellation when m ≈ k), else directly from m.
    private static func deviance(_ k: Double, m: Double, shift: Double) -> Double {
        let v = shift / (2 * k - shift), v2 = v * v
        guard Swift.abs(v) < 0.1 else { return k * log(k / m) + m - k }
        var sum = shift * v, term = 2 * k * v
        for j in 1..<200 {
            term *= v2
            let next = sum + term / Double(2 * j + 1)
            if next == sum { break }
            sum = next
        }
        return sum
    }

    /// The x in (0, ½] with I_x(a, b) = target (complement = 1 − target), given I_½(a, b) ≥ target > 0.
    private static func solveBelowHalf(target: Double, complement: Double, a: Double, b: Double) -> Double {
        var low = 0.0, high = 0.5, x: Double
        if a >= 1 && b >= 1 {
            // Abramowitz & Stegun 26.5.22, with z the upper normal quantile of the target.
            let z = target < 0.5 ? -normalQuantile(target) : normalQuantile(complement)
            let lambda = (z * z - 3) / 6, h = 2 / (1 / (2 * a - 1) + 1 / (2 * b - 1))
            let w = z * (h + lambda).squareRoot() / h
                - (1 / (2 * b - 1) - 1 / (2 * a - 1)) * (lambda + 5.0 / 6 - 2 / (3 * h))
            x = a / (a + b * exp(2 * w))
        } else {
            x = exp((log(target * a) + logGamma(a) + logGamma(b) - logGamma(a + b)) / a)  // I_x ≈ x^a / (a B(a, b))
        }
        if !(x > 0 && x <= 0.5) { x = 0.25 }
        var previousStep = Double.infinity
        for _ in 0..<300 {
            let tails = betaTails(x: x, y: 1 - x, a: a, b: b)
            let residual = target < 0.5 ? tails.lower - target : complement - tails.upper
            if residual == 0 { return x }
            if residual < 0 { low = x } else { high = x }
            let lambda = meanOffset(x: x, y: 1 - x, a: a, b: b)
            let step = residual / (betaPrefactor(x: x, y: 1 - x, a: a, b: b, lambda: lambda) / (x * (1 - x)))
            let next = x - step, size = Swift.abs(step)
            if next > 0 && next >= low && next <= high {
                // Done when the Newton step is at rounding level, or tiny and no longer shrinking (rounding noise).
                if size <= 1e-15 * x || (size <= 1e-12 * x && size > 0.5 * previousStep) { return next }
                previousStep = size
                x = next
            } else {
                x = low == 0 ? high / 16 : (high > 8 * low ? (low * high).squareRoot() : (low + high) / 2)
            }
            if high - low <= 2 * high.ulp { return x }
        }
        return x
    }

    /// The largest j in lower…upper with `isTrue(j)`, for a predicate that holds up to some point and fails after
    /// it (`isTrue(lower)` is assumed): probes from `guess` outward in doubling steps, bisecting once bracketed.
    private static func lastTrue(lower: Int, upper: Int, guess: Int, _ isTrue: (Int) -> Bool) -> Int {
        var good = lower, bad = upper + 1, probe = guess, step = 1
        /// bad − good, which can exceed Int.max by one.
        func gap() -> UInt { UInt(bitPattern: bad &- good) }
        while gap() > 1 {
            let middle = probe > good && probe < bad ? probe : good + Int(gap() / 2)
            if isTrue(middle) { good = middle; probe = middle &+ step } else { bad = middle; probe = middle &- step }
            step = Swift.min(step * 2, Int.max / 4)
        }
        return good
    }
}
