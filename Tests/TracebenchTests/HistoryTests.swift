import Foundation
import Testing
import TracebenchJudge
import TracebenchMeasure
import TracebenchReport
import TracebenchResults

/// Runs across nights: a known shift found at its night, nothing found in a flat series, tonight judged against the
/// stored baseline, a shift confirmed by a re-run before it fails, and accepting a shift as an annotation.
@Suite("History", .computeOnly)
struct HistoryTests {
    static func noisy(_ count: Int, shiftAt: Int?, seed: UInt64) -> [Double] {
        var generator = SeededGenerator(seed: seed)
        return (0..<count).map { night in
            let u1 = max(Double(generator.next() >> 11) / 9_007_199_254_740_992, 1e-12), u2 = Double(generator.next() >> 11) / 9_007_199_254_740_992
            let noise = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2) * 3
            return 100 + noise + (shiftAt.map { night >= $0 ? 15 : 0 } ?? 0)
        }
    }

    @Test func aShiftIsFoundAtItsNight() {
        for seed in UInt64(1)...5 {
            let changes = ChangePoints.detect(Self.noisy(40, shiftAt: 20, seed: seed))
            #expect(changes.count == 1 && changes.first?.index == 20, "seed \(seed): \(changes)")
            #expect(abs((changes.first?.percent ?? 0) - 15) < 4)
        }
    }

    @Test func aFlatSeriesHasNoChangePoint() {
        let falseAlarms = (UInt64(10)...29).filter { !ChangePoints.detect(Self.noisy(40, shiftAt: nil, seed: $0)).isEmpty }
        // α = 0.01 per test: over 20 flat series, at most one false alarm is expected by chance.
        #expect(falseAlarms.count <= 1, "\(falseAlarms)")
    }

    @Test func tonightIsJudgedAgainstTheStoredNightsAndConfirmedByARerun() throws {
        let store = TestSupport.temporaryPath("-history")
        defer { TestSupport.discard(store) }
        let history = HistoryStore(directory: store)
        func stored(_ median: Double, seed: UInt64) throws -> RunResults {
            var r = CompareTests.run(median: median, seed: seed)
            r.runID = "run-\(seed)"
            r.startedAt = "2026-11-\(String(format: "%02d", Int(seed % 28) + 1))T03:17:00Z"
            let path = TestSupport.temporaryPath(".json")
            defer { TestSupport.discard(path) }
            try ResultsFile.write(r, to: path)
            try history.add(r, from: path)
            try history.add(r, from: path)  // a run already stored is not added twice
            return r
        }
        var nights: [RunResults] = []
        for seed in UInt64(1)...10 { nights.append(try stored(100, seed: seed)) }
        let key = HistoryStore.key(nights[0])
        #expect(try history.entries(key: key).count == 10)
        let baseline = try history.baseline(key: key).map(\.results)
        #expect(baseline.count == 10)

        let slower = CompareTests.run(median: 130, seed: 99), rerun = CompareTests.run(median: 130, seed: 98), same = CompareTests.run(median: 100, seed: 97)
        let unconfirmed = HistoryCheck.check(tonight: slower, rerun: nil, baseline: baseline, last: 30)
        #expect(unconfirmed.unconfirmedRegressions.contains { $0.metric == "latency.processing.p50" }, "\(unconfirmed.metrics.map { ($0.metric, $0.outside) })")
        #expect(unconfirmed.confirmedRegressions.isEmpty)
        let confirmed = HistoryCheck.check(tonight: slower, rerun: rerun, baseline: baseline, last: 30)
        #expect(confirmed.confirmedRegressions.contains { $0.metric == "latency.processing.p50" })
        let notConfirmed = HistoryCheck.check(tonight: slower, rerun: same, baseline: baseline, last: 30)
        #expect(notConfirmed.confirmedRegressions.isEmpty)
        #expect(HistoryCheck.check(tonight: same, rerun: nil, baseline: baseline, last: 30).unconfirmedRegressions.isEmpty)

        // Accepting a shift: the baseline starts at the accepted run; nothing is deleted.
        #expect(try history.accept(runID: "run-8", reason: "new swift-otel", key: key))
        #expect(try history.baseline(key: key).count == 3)
        #expect(try history.entries(key: key).count == 10)
    }
}
