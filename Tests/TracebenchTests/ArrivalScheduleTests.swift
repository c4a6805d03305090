import Foundation
import Testing
@testable import TracebenchScenario

@Suite("ArrivalSchedule", .computeOnly)
struct ArrivalScheduleTests {
    private let second: UInt64 = 1_000_000_000

    private func schedule(_ load: LoadSpec, _ duration: Double, seed: UInt64 = 1) -> ArrivalSchedule {
        ArrivalSchedule(load: load, durationSeconds: duration, seed: seed)
    }

    /// Arrivals with offsets in [from, to) seconds.
    private func arrivals(_ schedule: ArrivalSchedule, from: Double, to: Double) -> Int {
        let low = UInt64(from * 1e9), high = UInt64(to * 1e9)
        return schedule.offsetsNanos.count { $0 >= low && $0 < high }
    }

    private func expectWellFormed(_ schedule: ArrivalSchedule, _ duration: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        let end = duration * 1e9
        #expect(schedule.offsetsNanos.allSatisfy { Double($0) < end }, sourceLocation: sourceLocation)
        #expect(zip(schedule.offsetsNanos, schedule.offsetsNanos.dropFirst()).allSatisfy { $0 <= $1 }, sourceLocation: sourceLocation)
        #expect(schedule.count == schedule.offsetsNanos.count, sourceLocation: sourceLocation)
    }

    // MARK: constant

    @Test func constantCountAndSpacing() {
        let s = schedule(LoadSpec(arrival: .constant, ratePerSecond: 10), 2)
        #expect(s.count == 20)
        #expect(s.offsetsNanos == (0 ..< 20).map { UInt64($0) * 100_000_000 })
        expectWellFormed(s, 2)
    }

    @Test func constantFractionalCounts() {
        #expect(schedule(LoadSpec(arrival: .constant, ratePerSecond: 3), 1).offsetsNanos == [0, 333_333_333, 666_666_667])
        #expect(schedule(LoadSpec(arrival: .constant, ratePerSecond: 1), 2.5).count == 3)  // 0, 1, 2
        #expect(schedule(LoadSpec(arrival: .constant, ratePerSecond: 0.1), 5).offsetsNanos == [0])
        #expect(schedule(LoadSpec(arrival: .constant, ratePerSecond: 1000), 60).count == 60_000)
    }

    // MARK: poisson

    @Test func poissonCountMeanAndReproducibility() {
        let load = LoadSpec(arrival: .poisson, ratePerSecond: 1000)
        let duration = 100.0
        let s = schedule(load, duration, seed: 42)
        // Count ~ Poisson(100 000): a 99.9 % interval is ±3.29 σ, σ = √100 000 ≈ 316.
        let expected = 1000 * duration
        #expect(abs(Double(s.count) - expected) < 3.29 * expected.squareRoot())
        // Mean inter-arrival time is 1 ms (σ of the mean ≈ 1 ms / √100 000 ≈ 0.3 %).
        let gaps = zip(s.offsetsNanos.dropFirst(), s.offsetsNanos).map { Double($0 - $1) }
        let mean = gaps.reduce(0, +) / Double(gaps.count)
        #expect(abs(mean - 1_000_000) / 1_000_000 < 0.02)
        // Exponential: the coefficient of variation is 1.
        let variance = gaps.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(gaps.count)
        #expect(abs(variance.squareRoot() / mean - 1) < 0.03)
        expectWellFormed(s, duration)

        #expect(schedule(load, duration, seed: 42).offsetsNanos == s.offsetsNanos)
        #expect(schedule(load, duration, seed: 43).offsetsNanos != s.offsetsNanos)
    }

    @Test func poissonIsSpreadEvenly() {
        let s = schedule(LoadSpec(arrival: .poisson, ratePerSecond: 500), 20, seed: 7)
        for window in 0 ..< 4 {
            let n = Double(arrivals(s, from: Double(window) * 5, to: Double(window + 1) * 5))
            #expect(abs(n - 2500) < 3.29 * 2500.0.squareRoot())
        }
    }

    @Test func naturalLogMatchesFoundation() {
        for x in [1e-300, 1e-17, 0.001, 0.25, 0.5, 0.70710678, 0.999999, 1, 1.0000001, 1.5, 2, 10, 12345.678, 1e300] {
            let expected = Foundation.log(x)
            #expect(abs(ArrivalSchedule.naturalLog(x) - expected) <= 1e-14 * max(1, abs(expected)), "ln(\(x))")
        }
        #expect(ArrivalSchedule.naturalLog(.leastNonzeroMagnitude) == Foundation.log(Double.leastNonzeroMagnitude))
        #expect(ArrivalSchedule.naturalLog(0) == -.infinity)
    }

    // MARK: ramp

    @Test func rampFromZero() {
        let s = schedule(LoadSpec(arrival: .ramp, fromPerSecond: 0, toPerSecond: 100), 10)
        // Λ(10) = 500; Λ(5) = 125, so the second half has 375 = 3 × the first.
        #expect(abs(s.count - 500) <= 1)
        let first = arrivals(s, from: 0, to: 5), second = arrivals(s, from: 5, to: 10)
        #expect(abs(first - 125) <= 1)
        #expect(abs(Double(second) / Double(first) - 3) < 0.05)
        #expect(s.offsetsNanos.first == 0)
        expectWellFormed(s, 10)
    }

    @Test func rampDownIsTheMirrorOfRampUp() {
        let s = schedule(LoadSpec(arrival: .ramp, fromPerSecond: 100, toPerSecond: 0), 10)
        #expect(abs(s.count - 500) <= 1)
        #expect(abs(arrivals(s, from: 0, to: 5) - 375) <= 1)
        expectWellFormed(s, 10)
    }

    @Test func flatRampEqualsConstant() {
        let ramp = schedule(LoadSpec(arrival: .ramp, fromPerSecond: 7, toPerSecond: 7), 3)
        let constant = schedule(LoadSpec(arrival: .constant, ratePerSecond: 7), 3)
        #expect(ramp.offsetsNanos == constant.offsetsNanos)
        #expect(ramp.count == 21)
    }

    @Test func rampSpacingShrinksAsTheRateGrows() {
        let s = schedule(LoadSpec(arrival: .ramp, fromPerSecond: 10, toPerSecond: 1000), 5)
        let gaps = zip(s.offsetsNanos.dropFirst(), s.offsetsNanos).map { $0 - $1 }
        #expect(gaps.first! > gaps.last!)
        // Near the end the rate is ≈ 1000/s, so gaps are ≈ 1 ms.
        #expect(abs(Double(gaps.last!) - 1_000_000) < 20_000)
        #expect(abs(s.count - 2525) <= 1)  // (10 + 1000) / 2 × 5
    }

    // MARK: steps

    @Test func stepCountsPerStep() {
        let load = LoadSpec(arrival: .steps, steps: [
            .init(ratePerSecond: 10, durationSeconds: 2),
            .init(ratePerSecond: 50, durationSeconds: 1),
            .init(ratePerSecond: 20, durationSeconds: 2),
        ])
        let s = schedule(load, 8)
        #expect(arrivals(s, from: 0, to: 2) == 20)
        #expect(arrivals(s, from: 2, to: 3) == 50)
        #expect(arrivals(s, from: 3, to: 5) == 40)
        #expect(arrivals(s, from: 5, to: 8) == 60)  // the last step's rate holds
        #expect(s.count == 170)
        // Each step is evenly spaced within its window.
        #expect(s.offsetsNanos[20] == 2 * second)
        #expect(s.offsetsNanos[21] - s.offsetsNanos[20] == 20_000_000)
        expectWellFormed(s, 8)
    }

    @Test func stepsBeyondTheDurationAreCut() {
        let load = LoadSpec(arrival: .steps, steps: [
            .init(ratePerSecond: 10, durationSeconds: 2),
            .init(ratePerSecond: 50, durationSeconds: 1),
            .init(ratePerSecond: 20, durationSeconds: 2),
            .init(ratePerSecond: 1000, durationSeconds: 5),
        ])
        let s = schedule(load, 4)
        #expect(s.count == 20 + 50 + 20)
        expectWellFormed(s, 4)
    }

    @Test func stepPhaseCarriesAcrossBoundaries() {
        // 1.5/s in three 1 s steps is the same schedule as a constant 1.5/s: no restart at each boundary.
        let load = LoadSpec(arrival: .steps, steps: Array(repeating: .init(ratePerSecond: 1.5, durationSeconds: 1), count: 3))
        let steps = schedule(load, 3)
        let constant = schedule(LoadSpec(arrival: .constant, ratePerSecond: 1.5), 3)
        #expect(steps.offsetsNanos == constant.offsetsNanos)
        #expect(steps.count == 5)  // ceil(4.5)
    }

    @Test func zeroRateStepPausesTheLoad() {
        let load = LoadSpec(arrival: .steps, steps: [
            .init(ratePerSecond: 10, durationSeconds: 1),
            .init(ratePerSecond: 0, durationSeconds: 1),
            .init(ratePerSecond: 10, durationSeconds: 1),
        ])
        let s = schedule(load, 3)
        #expect(arrivals(s, from: 1, to: 2) == 0)
        #expect(s.count == 20)
        #expect(s.offsetsNanos[10] == 2 * second)
    }

    @Test func noStepsMeansNoArrivals() {
        #expect(schedule(LoadSpec(arrival: .steps, ratePerSecond: 10, steps: []), 5).count == 0)
    }

    // MARK: every shape

    @Test(arguments: LoadSpec.Arrival.allCases)
    func offsetsAreWithinTheRunAndSorted(arrival: LoadSpec.Arrival) {
        let load = LoadSpec(
            arrival: arrival, ratePerSecond: 333.3, fromPerSecond: 17, toPerSecond: 450,
            steps: [.init(ratePerSecond: 123.4, durationSeconds: 0.77), .init(ratePerSecond: 999, durationSeconds: 1.3)]
        )
        for duration in [0.001, 0.5, 1, 2.345, 7] {
            let s = schedule(load, duration, seed: 99)
            #expect(s.count > 0 || arrival == .poisson)
            expectWellFormed(s, duration)
            #expect(schedule(load, duration, seed: 99).offsetsNanos == s.offsetsNanos)
        }
    }

    @Test(arguments: LoadSpec.Arrival.allCases)
    func degenerateInputsGiveEmptySchedules(arrival: LoadSpec.Arrival) {
        let load = LoadSpec(arrival: arrival, ratePerSecond: 100, fromPerSecond: 100, toPerSecond: 100, steps: [.init(ratePerSecond: 100, durationSeconds: 1)])
        for duration: Double in [0, -1, .nan, -.infinity] {
            #expect(schedule(load, duration).count == 0)
        }
        let silent = LoadSpec(arrival: arrival, ratePerSecond: -5, fromPerSecond: .nan, toPerSecond: 0, steps: [.init(ratePerSecond: -1, durationSeconds: 1)])
        #expect(schedule(silent, 10).count == 0)
    }

    @Test(arguments: LoadSpec.Arrival.allCases)
    func hugeLoadsAreCapped(arrival: LoadSpec.Arrival) {
        let load = LoadSpec(arrival: arrival, ratePerSecond: 1e300, fromPerSecond: .infinity, toPerSecond: 1e300, steps: [.init(ratePerSecond: .infinity, durationSeconds: .infinity)])
        let s = ArrivalSchedule(load: load, durationSeconds: .infinity, seed: 1, maxArrivals: 1000)
        #expect(s.count == 1000)
        expectWellFormed(s, ArrivalSchedule.maxDurationSeconds)
        #expect(ArrivalSchedule.maxArrivals == 50_000_000)
    }
}
