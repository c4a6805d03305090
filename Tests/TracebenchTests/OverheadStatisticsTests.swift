import Foundation
import Testing
@testable import TracebenchMeasure

/// Exponentially distributed durations (mean `meanMicroseconds`), plus `shiftMicroseconds`, recorded in nanoseconds.
private func exponentialArm(
    count: Int, meanMicroseconds: Double, shiftMicroseconds: Double = 0, seed: UInt64
) -> SampleHistogram {
    var generator = SeededGenerator(seed: seed)
    var histogram = SampleHistogram()
    for _ in 0..<count {
        let unit = Double(generator.next() >> 11) * 0x1.0p-53  // [0, 1)
        let microseconds = -meanMicroseconds * log(1 - unit) + shiftMicroseconds
        histogram.record(nanoseconds: UInt64((microseconds * 1000).rounded()))
    }
    return histogram
}

@Suite("SampleHistogram", .computeOnly)
struct SampleHistogramTests {
    @Test func percentilesKeepThreeSignificantDigits() {
        var small = SampleHistogram()
        for value in 1...1000 as ClosedRange<UInt64> { small.record(nanoseconds: value) }
        #expect(small.count == 1000)
        #expect(small.percentile(50) == 500)  // exact below 2,048 ns
        #expect(small.percentile(99) == 990)
        #expect(small.percentile(100) == 1000)

        var large = SampleHistogram()
        for i in 1...1000 as ClosedRange<UInt64> { large.record(nanoseconds: i * 1_000_000) }  // 1 ms … 1 s
        #expect(abs(large.percentile(50) - 500_000_000) / 500_000_000 < 0.001)
        #expect(abs(large.percentile(90) - 900_000_000) / 900_000_000 < 0.001)
        #expect(abs(large.percentile(99) - 990_000_000) / 990_000_000 < 0.001)
    }

    @Test func emptyHistogramIsZero() {
        let histogram = SampleHistogram()
        #expect(histogram.count == 0)
        #expect(histogram.percentile(50) == 0)
        let resampler = histogram.resampler()
        #expect(resampler.count == 0)
        var generator = SeededGenerator(seed: 1)
        #expect(resampler.draw(using: &generator) == 0)
        #expect(resampler.quantile(0.5) == 0)
    }

    @Test func valuesAboveOneHourClamp() {
        var histogram = SampleHistogram()
        histogram.record(nanoseconds: 2 * SampleHistogram.highestTrackableNanoseconds)
        histogram.record(nanoseconds: 10)
        #expect(histogram.count == 2)
        #expect(histogram.clamped == 1)
        let top = Double(SampleHistogram.highestTrackableNanoseconds)
        #expect(abs(histogram.percentile(100) - top) / top < 0.001)
    }

    @Test func mergeEqualsRecordingEverything() {
        var a = SampleHistogram(), b = SampleHistogram(), all = SampleHistogram()
        for value in stride(from: 100 as UInt64, through: 1_000_000, by: 997) {
            if value % 2 == 0 { a.record(nanoseconds: value) } else { b.record(nanoseconds: value) }
            all.record(nanoseconds: value)
        }
        a.merge(b)
        #expect(a.count == all.count)
        for p in [1.0, 50, 90, 99, 100] { #expect(a.percentile(p) == all.percentile(p)) }
        #expect(a.resampler().values == all.resampler().values)
        #expect(a.resampler().cumulative == all.resampler().cumulative)
    }

    @Test func resamplerListsDistinctValuesWithCumulativeCounts() {
        var histogram = SampleHistogram()
        histogram.record(nanoseconds: 300, count: 3)
        histogram.record(nanoseconds: 100, count: 1)
        histogram.record(nanoseconds: 200, count: 2)
        let resampler = histogram.resampler()
        #expect(resampler.values == [100, 200, 300])
        #expect(resampler.cumulative == [1, 3, 6])
        #expect(resampler.quantile(0) == 100)
        #expect(resampler.quantile(1.0 / 6) == 100)
        #expect(resampler.quantile(0.5) == 200)
        #expect(resampler.quantile(0.51) == 300)
        #expect(resampler.quantile(1) == 300)
    }

    @Test func resamplerDrawsInProportionToCounts() {
        var histogram = SampleHistogram()
        let weights: [UInt64: UInt64] = [1_000: 1, 20_000: 2, 300_000: 3, 4_000_000: 4]  // ns → relative count
        for (value, weight) in weights { histogram.record(nanoseconds: value, count: weight * 1000) }
        let resampler = histogram.resampler()
        #expect(resampler.values.count == 4)

        var generator = SeededGenerator(seed: 42)
        let draws = 100_000
        var observed: [Double: Int] = [:]
        for _ in 0..<draws { observed[resampler.draw(using: &generator), default: 0] += 1 }
        #expect(observed.count == 4)  // only recorded values (bucket midpoints, within 0.1 %)
        var chiSquare = 0.0
        for (value, weight) in weights {
            let key = observed.keys.first { abs($0 - Double(value)) <= Double(value) * 0.001 }
            #expect(key != nil)
            let expected = Double(draws) * Double(weight) / 10
            let seen = Double(observed[key ?? -1] ?? 0)
            chiSquare += (seen - expected) * (seen - expected) / expected
        }
        #expect(chiSquare < 16.27)  // χ²(3) at 99.9 %
    }
}

@Suite("OverheadStatistics", .computeOnly)
struct OverheadStatisticsTests {
    @Test func sameDistributionGivesANarrowIntervalAroundZero() {
        let baseline = exponentialArm(count: 5000, meanMicroseconds: 100, seed: 1)
        let treatment = exponentialArm(count: 5000, meanMicroseconds: 100, seed: 2)
        let median = OverheadStatistics.bootstrapQuantileDifference(
            baseline: baseline, treatment: treatment, quantile: 0.5, iterations: 1000, seed: 7)
        #expect(median.samples == 5000)
        #expect(median.ciLow <= 0 && 0 <= median.ciHigh)
        #expect(median.ciLow <= median.estimate && median.estimate <= median.ciHigh)
        #expect((median.ciHigh - median.ciLow) / 2 < 5)
        #expect((median.ciHigh - median.ciLow) / 2 > 1)  // not collapsed: SE of the difference is ≈ 2 µs
    }

    @Test func shiftedArmIsDetected() {
        let baseline = exponentialArm(count: 5000, meanMicroseconds: 100, seed: 3)
        let treatment = exponentialArm(count: 5000, meanMicroseconds: 100, shiftMicroseconds: 50, seed: 4)
        let median = OverheadStatistics.bootstrapQuantileDifference(
            baseline: baseline, treatment: treatment, quantile: 0.5, iterations: 1000, seed: 7)
        #expect(median.ciLow <= 50 && 50 <= median.ciHigh)
        #expect(median.ciLow > 0)
        #expect(abs(median.estimate - 50) < 6)

        // p99 of an exponential with mean 100 µs has a standard error of ≈ 14 µs per arm at n = 5,000.
        let p99 = OverheadStatistics.bootstrapQuantileDifference(
            baseline: baseline, treatment: treatment, quantile: 0.99, iterations: 1000, seed: 7)
        #expect(p99.ciLow <= 50 && 50 <= p99.ciHigh)
        #expect(abs(p99.estimate - 50) < 45)
    }

    @Test func exactShiftOfTheSameSamplesGivesTheShift() {
        let baseline = exponentialArm(count: 5000, meanMicroseconds: 100, seed: 5)
        let treatment = exponentialArm(count: 5000, meanMicroseconds: 100, shiftMicroseconds: 50, seed: 5)
        for q in [0.5, 0.99] {
            let difference = OverheadStatistics.bootstrapQuantileDifference(
                baseline: baseline, treatment: treatment, quantile: q, iterations: 200, seed: 9)
            #expect(abs(difference.estimate - 50) < 1, "q = \(q)")  // bucket resolution is 0.1 %
            #expect(difference.ciLow <= 50 && 50 <= difference.ciHigh, "q = \(q)")
        }
    }

    @Test func bootstrapIsReproducibleForASeed() {
        let baseline = exponentialArm(count: 800, meanMicroseconds: 100, seed: 10)
        let treatment = exponentialArm(count: 800, meanMicroseconds: 100, shiftMicroseconds: 5, seed: 11)
        let first = OverheadStatistics.bootstrapQuantileDifference(
            baseline: baseline, treatment: treatment, quantile: 0.9, iterations: 300, seed: 123)
        let second = OverheadStatistics.bootstrapQuantileDifference(
            baseline: baseline, treatment: treatment, quantile: 0.9, iterations: 300, seed: 123)
        #expect(first == second)
    }

    @Test func intervalCoversTheTrueShiftAtAboutNinetyFivePercent() {
        let repetitions = 200
        var covered = 0
        for repetition in 0..<repetitions {
            let seed = UInt64(repetition) * 2 + 1000
            let baseline = exponentialArm(count: 500, meanMicroseconds: 100, seed: seed)
            let treatment = exponentialArm(count: 500, meanMicroseconds: 100, shiftMicroseconds: 20, seed: seed + 1)
            let median = OverheadStatistics.bootstrapQuantileDifference(
                baseline: baseline, treatment: treatment, quantile: 0.5, iterations: 200, seed: seed)
            if median.ciLow <= 20 && 20 <= median.ciHigh { covered += 1 }
        }
        let coverage = Double(covered) / Double(repetitions)
        #expect(coverage >= 0.88 && coverage <= 0.99, "coverage \(coverage)")
    }

    @Test func mOutOfNBootstrapMatchesTheFullBootstrapWidth() {
        // n = 20,000 per arm: the capped (m = 5,000, rescaled) interval should be about as wide as the full one.
        let baseline = exponentialArm(count: 20_000, meanMicroseconds: 100, seed: 21)
        let treatment = exponentialArm(count: 20_000, meanMicroseconds: 100, shiftMicroseconds: 10, seed: 22)
        let full = OverheadStatistics.bootstrapQuantileDifference(
            baseline: baseline, treatment: treatment, quantile: 0.5, iterations: 300, seed: 3, maxResample: 20_000)
        let capped = OverheadStatistics.bootstrapQuantileDifference(
            baseline: baseline, treatment: treatment, quantile: 0.5, iterations: 300, seed: 3, maxResample: 5_000)
        #expect(full.samples == 20_000 && capped.samples == 20_000)
        #expect(full.estimate == capped.estimate)
        let ratio = (capped.ciHigh - capped.ciLow) / (full.ciHigh - full.ciLow)
        #expect(ratio > 0.75 && ratio < 1.33, "width ratio \(ratio)")
        #expect(capped.ciLow <= 10 && 10 <= capped.ciHigh)
    }

    @Test func degenerateBootstrapInputs() {
        let arm = exponentialArm(count: 100, meanMicroseconds: 100, seed: 30)
        let empty = OverheadStatistics.bootstrapQuantileDifference(
            baseline: SampleHistogram(), treatment: arm, quantile: 0.5, iterations: 100, seed: 1)
        #expect(empty == DifferenceEstimate(estimate: 0, ciLow: 0, ciHigh: 0, samples: 0))

        let noIterations = OverheadStatistics.bootstrapQuantileDifference(
            baseline: arm, treatment: arm, quantile: 0.5, iterations: 0, seed: 1)
        #expect(noIterations == DifferenceEstimate(estimate: 0, ciLow: 0, ciHigh: 0, samples: 100))

        var constant = SampleHistogram()
        constant.record(nanoseconds: 1_500, count: 10)
        var shifted = SampleHistogram()
        shifted.record(nanoseconds: 2_000, count: 10)
        let point = OverheadStatistics.bootstrapQuantileDifference(
            baseline: constant, treatment: shifted, quantile: 0.5, iterations: 50, seed: 1)
        #expect(point == DifferenceEstimate(estimate: 0.5, ciLow: 0.5, ciHigh: 0.5, samples: 10))
    }

    @Test func pairedMeanDifferenceUsesStudentT() {
        let estimate = OverheadStatistics.pairedMeanDifference([1, 2, 3, 4, 5])
        #expect(estimate.estimate == 3)
        #expect(estimate.samples == 5)
        #expect(abs(estimate.ciLow - 1.0368) < 1e-4)
        #expect(abs(estimate.ciHigh - 4.9632) < 1e-4)
    }

    @Test func pairedMeanDifferenceDegenerateCases() {
        #expect(OverheadStatistics.pairedMeanDifference([]) == DifferenceEstimate(estimate: 0, ciLow: 0, ciHigh: 0, samples: 0))
        #expect(OverheadStatistics.pairedMeanDifference([7.5]) == DifferenceEstimate(estimate: 7.5, ciLow: 7.5, ciHigh: 7.5, samples: 1))
        let constant = OverheadStatistics.pairedMeanDifference([2, 2, 2])
        #expect(constant == DifferenceEstimate(estimate: 2, ciLow: 2, ciHigh: 2, samples: 3))
    }

    @Test func tQuantiles() {
        #expect(OverheadStatistics.t975(df: 0) == .infinity)
        #expect(OverheadStatistics.t975(df: 1) == 12.7062)
        #expect(OverheadStatistics.t975(df: 4) == 2.7764)
        #expect(OverheadStatistics.t975(df: 30) == 2.0423)
        // Beyond the table: exact values 2.0395 (31), 2.0211 (40), 1.9840 (100); tends to 1.96.
        #expect(abs(OverheadStatistics.t975(df: 31) - 2.0395) < 3e-4)
        #expect(abs(OverheadStatistics.t975(df: 40) - 2.0211) < 3e-4)
        #expect(abs(OverheadStatistics.t975(df: 100) - 1.9840) < 3e-4)
        #expect(abs(OverheadStatistics.t975(df: 1_000_000) - 1.96) < 1e-3)
        // Monotone decreasing across the table boundary.
        for df in 1..<200 { #expect(OverheadStatistics.t975(df: df) > OverheadStatistics.t975(df: df + 1)) }
    }

    @Test func estimatesRoundTripThroughJSON() throws {
        let estimate = DifferenceEstimate(estimate: 1.5, ciLow: -0.25, ciHigh: 3.25, samples: 12)
        let decoded = try JSONDecoder().decode(DifferenceEstimate.self, from: JSONEncoder().encode(estimate))
        #expect(decoded == estimate)
    }
}
