import Foundation
import Testing
import TracebenchJudge
import TracebenchMeasure
import TracebenchReport
import TracebenchResults

/// `compare` with known answers: an A/A pair flags nothing, a 20 % slower step is found at ≈ +20 %, an injected
/// 50 µs per span at ≈ +50 µs, a 1 % completeness drop is found — and a single-run change without a noise profile is
/// never called a regression.
@Suite("Compare", .computeOnly)
struct CompareTests {
    /// A run whose `processing` latencies are lognormal around `median` ms, recorded over 60 one-second intervals.
    static func run(median: Double, seed: UInt64, complete: Int = 5_000, perSpan: Double = 22, sha: String = "s") -> RunResults {
        var generator = SeededGenerator(seed: seed)
        var builder = IntervalSeriesBuilder(originMicros: 0, seconds: 60, intervalSeconds: 1)
        var whole = LatencyHistogram()
        for second in 0..<60 {
            for job in 0..<200 {
                let u1 = max(Double(generator.next() >> 11) / 9_007_199_254_740_992, 1e-12), u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992
                let normal = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
                let micros = Int64(median * 1000 * exp(0.3 * normal))
                builder.record("processing", microseconds: micros, endedAtMicros: Int64(second) * 1_000_000 + Int64(job))
                whole.record(microseconds: micros)
            }
        }
        var r = RunResults()
        r.series = builder.build(counters: [])
        r.latency["processing"] = whole.summary()
        r.jobs.submitted = 12_000
        r.traces.expected = 5_000
        r.traces.complete = complete
        r.scenarioFile = ScenarioFile(path: "s.yaml", sha256: sha)
        let figure = OverheadFigure(estimate: perSpan * 6, ciLow: perSpan * 6 - 3, ciHigh: perSpan * 6 + 3, p99Estimate: 0, samples: 5_000)
        r.overhead = ["otlp": ArmOverhead(baseline: "off", perRequestUs: figure, perJobUs: figure, perSpanUs: figure.divided(by: 6),
                                          spansPerJob: 6, phases: [:], cpuUsPerJob: nil, rssDeltaBytes: nil)]
        return r
    }

    /// Noise measured on five A/A runs of the same synthetic pipeline.
    static let noise = NoiseProfile.measure((1...5).map { ("aa-\($0)", run(median: 100, seed: UInt64($0) * 7919)) })

    static func verdict(_ report: ComparisonReport, _ metric: String) -> MetricComparison? { report.metrics.first { $0.metric == metric } }

    @Test func anAAPairFlagsNothing() {
        let report = Comparator.compare(base: [("a", Self.run(median: 100, seed: 11))], candidate: [("b", Self.run(median: 100, seed: 12))], noise: Self.noise)
        #expect(report.metrics.allSatisfy { $0.verdict == .unchanged }, "\(report.metrics.filter { $0.verdict != .unchanged }.map(\.metric))")
        #expect(report.familySize >= 5 && report.mismatches.isEmpty)
    }

    @Test func aTwentyPercentSlowerStepIsFoundAtTwentyPercent() throws {
        let report = Comparator.compare(base: [("a", Self.run(median: 100, seed: 21))], candidate: [("b", Self.run(median: 120, seed: 22))], noise: Self.noise)
        let p50 = try #require(Self.verdict(report, "latency.processing.p50"))
        #expect(p50.verdict == .regression, "\(p50)")
        #expect(p50.deltaPercentLow <= 20 && p50.deltaPercentHigh >= 20 && abs(p50.deltaPercent - 20) < 3, "\(p50)")
        // The same change with no idea of run-to-run noise: significant within the runs, but not a regression.
        let blind = Comparator.compare(base: [("a", Self.run(median: 100, seed: 21))], candidate: [("b", Self.run(median: 120, seed: 22))])
        #expect(Self.verdict(blind, "latency.processing.p50")?.verdict == .inconclusive)
        #expect(blind.regressions.isEmpty)
    }

    @Test func anInjectedFiftyMicrosecondsPerSpanIsFound() throws {
        let report = Comparator.compare(base: [("a", Self.run(median: 100, seed: 31))], candidate: [("b", Self.run(median: 100, seed: 32, perSpan: 72))], noise: Self.noise)
        let perSpan = try #require(Self.verdict(report, "overhead.otlp.per_span_us"))
        #expect(perSpan.verdict == .regression && perSpan.deltaLow <= 50 && perSpan.deltaHigh >= 50 && abs(perSpan.delta - 50) < 0.001, "\(perSpan)")
    }

    @Test func aOnePercentCompletenessDropIsFound() throws {
        let report = Comparator.compare(base: [("a", Self.run(median: 100, seed: 41))], candidate: [("b", Self.run(median: 100, seed: 42, complete: 4_950))], noise: Self.noise)
        let completeness = try #require(Self.verdict(report, "traces.completeness"))
        #expect(completeness.verdict == .regression && completeness.deltaPercent < -0.9, "\(completeness)")
    }

    @Test func severalRunsPerSideAreTheReplicates() throws {
        let base = (1...4).map { ("a\($0)", Self.run(median: 100, seed: UInt64(100 + $0))) }
        let slower = (1...4).map { ("b\($0)", Self.run(median: 120, seed: UInt64(200 + $0))) }
        let same = (1...4).map { ("c\($0)", Self.run(median: 100, seed: UInt64(300 + $0))) }
        let regression = try #require(Self.verdict(Comparator.compare(base: base, candidate: slower), "latency.processing.p50"))
        #expect(regression.verdict == .regression && regression.method.contains("replicates"), "\(regression)")
        #expect(Comparator.compare(base: base, candidate: same).regressions.isEmpty)
    }

    @Test func aWidenedTailIsCaughtByTheShapeCheck() {
        var wide = Self.run(median: 100, seed: 51)
        var histogram = LatencyHistogram()
        for _ in 0..<12_000 { histogram.record(microseconds: 100_000) }
        for i in 0..<3_000 { histogram.record(microseconds: 100_000 + Int64(i) * 300) }
        wide.latency["processing"] = histogram.summary()
        var narrow = Self.run(median: 100, seed: 52)
        var histogram2 = LatencyHistogram()
        for _ in 0..<15_000 { histogram2.record(microseconds: 100_000) }
        narrow.latency["processing"] = histogram2.summary()
        var profile = Self.noise
        profile.shapeDistance["processing"] = 0.05
        let report = Comparator.compare(base: [("a", narrow)], candidate: [("b", wide)], noise: profile)
        #expect(report.shapes.first { $0.phase == "processing" }?.changed == true, "\(report.shapes)")
        // Without knowing how far A/A runs drift apart, a significant distance is not a change.
        let blind = Comparator.compare(base: [("a", narrow)], candidate: [("b", wide)])
        #expect(blind.shapes.first { $0.phase == "processing" }?.inconclusive == true)
    }

    @Test func differentScenariosAreNotCompared() {
        let mismatches = Comparator.mismatches(base: [("a", Self.run(median: 100, seed: 1))], candidate: [("b", Self.run(median: 100, seed: 2, sha: "other"))])
        #expect(mismatches.count == 1 && mismatches[0].contains("scenario file SHA-256 differs"))
    }
}
