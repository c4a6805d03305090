import Foundation
import Testing
import TracebenchJudge
import TracebenchMeasure
import TracebenchMetrics
import TracebenchReport
import TracebenchResults
import TracebenchScenario

/// Thresholds as data: metric paths from one catalog, units, and a judge with three outcomes whose family
/// false-alarm rate is measured, not assumed.
@Suite("Thresholds", .computeOnly)
struct ThresholdTests {
    @Test func conditionsConvertUnitsIntoTheMetricsUnit() throws {
        func value(_ text: String, _ unit: MetricUnit) throws -> Double? { try ThresholdCondition(parsing: text, unit: unit).value }
        #expect(try value("< 750ms", .microseconds) == 750_000)
        #expect(try value("<= 1.5s", .microseconds) == 1_500_000)
        #expect(try value("< 2ms", .microseconds) == 2_000)
        #expect(try value("< 500us", .microseconds) == 500)
        #expect(try value("< 100MB", .bytes) == 100_000_000)
        #expect(try value("< 64MiB", .bytes) == 67_108_864)
        #expect(try value(">= 99%", .ratio) == 0.99)
        #expect(try value(">= 0.99", .ratio) == 0.99)
        #expect(try value("< 10%", .percent) == 10)
        #expect(try value("< 10s", .milliseconds) == 10_000)
        #expect(try value("== 0", .count) == 0)
        let contains = try ThresholdCondition(parsing: "contains configured", unit: .ratio)
        #expect(contains.op == .contains && contains.referencesConfigured)
        #expect(throws: QuantityError.self) { try ThresholdCondition(parsing: "< 100MB", unit: .microseconds) }
        #expect(throws: QuantityError.self) { try ThresholdCondition(parsing: "< 5ms", unit: .count) }
        #expect(throws: QuantityError.self) { try ThresholdCondition(parsing: "about 5", unit: .count) }
        #expect(throws: QuantityError.self) { try ThresholdCondition(parsing: "<", unit: .count) }
    }

    @Test func metricPathsResolveOrSuggest() throws {
        #expect(try MetricCatalog.resolve("latency.end_to_end.p99.9").percentile == 99.9)
        #expect(try MetricCatalog.resolve("overhead.otlp.per_request_us").evidence == .interval)
        #expect(try MetricCatalog.resolve("resources.worker-3.peak_rss_bytes").unit == .bytes)
        #expect(try MetricCatalog.resolve("latency.submit.max").evidence == .exact)
        for (wrong, suggestion) in [("latency.end_to_end.p999x", "latency.end_to_end.p99"), ("traces.completenes", "traces.completeness"),
                                    ("spans.droped", "spans.dropped"), ("colector.rss_bytes_max", "collector.rss_bytes_max")] {
            #expect(throws: MetricPathError.self) { try MetricCatalog.resolve(wrong) }
            do {
                _ = try MetricCatalog.resolve(wrong)
            } catch {
                #expect(error.suggestion == suggestion, "\(wrong) → \(error.suggestion ?? "nil")")
            }
        }
        // Every example path the catalog offers resolves (suggestions never point at a path that is refused).
        for path in MetricCatalog.examplePaths { #expect((try? MetricCatalog.resolve(path)) != nil, "\(path)") }
    }

    @Test func aMisspeltMetricInAScenarioIsAnErrorWithLineAndSuggestion() {
        let yaml = """
        duration_s: 1
        load: {rate_per_s: 1}
        jobs: [{service: a, steps: [{name: s}]}]
        thresholds:
          latency.end_to_end.p99: "< 750ms"
          traces.completenes: ">= 0.99"
          spans.dropped: "< 5ms"
        """
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "test.yaml")
            Issue.record("expected problems")
        } catch {
            let problems = error.problems
            #expect(problems.contains { $0.line == 6 && $0.keyPath == "thresholds.traces.completenes" && $0.message.contains("did you mean 'traces.completeness'") }, "\(error)")
            #expect(problems.contains { $0.line == 7 && $0.message.contains("plain number") }, "\(error)")
        }
    }

    @Test func thresholdsFromAScenarioKeepTheirOptions() throws {
        let yaml = """
        duration_s: 1
        load: {rate_per_s: 1}
        jobs: [{service: a, steps: [{name: s}]}]
        gate: {alpha: 0.01}
        thresholds:
          latency.end_to_end.p99: ["< 750ms", {threshold: "< 2s", abort_on_fail: true, delay_abort_eval: 10s, over: 30s}]
        """
        let set = try ScenarioLoader.parse(yaml: yaml, file: "t.yaml").thresholds
        #expect(set.alpha == 0.01 && set.thresholds.count == 2)
        #expect(set.thresholds[1].abortOnFail && set.thresholds[1].delayAbortEvalSeconds == 10 && set.thresholds[1].overSeconds == 30)
        #expect(set.thresholds[0].source == "t.yaml:6")
        let data = try JSONEncoder().encode(set)
        #expect(try JSONDecoder().decode(ThresholdSet.self, from: data) == set)
    }

    // MARK: The judge

    static func results(complete: Int, expected: Int) -> RunResults {
        var r = RunResults()
        r.traces.expected = expected
        r.traces.complete = complete
        r.traces.received = complete
        return r
    }

    static func set(_ pairs: [(String, String)], alpha: Double = 0.05) -> ThresholdSet {
        ThresholdSet(thresholds: pairs.map { ThresholdSpec.builtIn($0.0, $0.1) }, alpha: alpha)
    }

    @Test("load.hiccups as a noise guard: the run stopped 200 ms fails a 1 ms p99 and passes a 1 ms p50; a file from before the meter is not measured")
    func hiccupsGuard() throws {
        let fixtures = ResultsSchemaTests.fixtures
        guard case let .run(stopped) = try ResultsFile.read(from: "\(fixtures)/run-v2-host-pause.json"),
              case let .run(earlier) = try ResultsFile.read(from: "\(fixtures)/run-v2-smoke.json") else {
            Issue.record("fixtures are not runs")
            return
        }
        #expect(stopped.load?.hiccups?.max == 201_883 && stopped.load?.stealSeconds == 0)
        #expect(Judge.evaluate(Self.set([("load.hiccups.p99", "< 1ms")]), on: stopped).outcome == .fail)
        #expect(Judge.evaluate(Self.set([("load.hiccups.p50", "< 1ms")]), on: stopped).outcome == .pass)
        #expect(Judge.evaluate(Self.set([("load.steal_seconds", "< 1s")]), on: stopped).outcome == .pass)
        #expect(earlier.load?.hiccups == nil)
        #expect(Judge.evaluate(Self.set([("load.hiccups.p99", "< 1ms")]), on: earlier).outcome != .pass)
    }

    @Test func threeOutcomesOnAnInterval() {
        let check = Self.set([("traces.completeness", ">= 0.99")])
        // 10,000 of 10,000: the whole interval is above 0.99.
        #expect(Judge.evaluate(check, on: Self.results(complete: 10_000, expected: 10_000)).outcome == .pass)
        // 150 of 150: the interval reaches below 0.99 — a point estimate of 1.0 proves nothing.
        #expect(Judge.evaluate(check, on: Self.results(complete: 150, expected: 150)).outcome == .inconclusive)
        // 9,500 of 10,000: the whole interval is below.
        #expect(Judge.evaluate(check, on: Self.results(complete: 9_500, expected: 10_000)).outcome == .fail)
        // Nothing expected: an empty figure is never a pass.
        #expect(Judge.evaluate(check, on: Self.results(complete: 0, expected: 0)).thresholds[0].outcome == .notMeasured)
    }

    @Test func quantileThresholdsUseTheStoredHistogram() {
        var r = RunResults()
        var histogram = LatencyHistogram()
        for i in 1...10_000 { histogram.record(microseconds: Int64(i) * 100) }  // uniform 0.1 … 1000 ms: p99 ≈ 990 ms
        r.latency["end_to_end"] = histogram.summary()
        let verdict = Judge.evaluate(Self.set([("latency.end_to_end.p99", "< 1s"), ("latency.end_to_end.p99", "< 980ms"),
                                               ("latency.end_to_end.p99", "< 991ms"), ("latency.end_to_end.p50", "< 500ms")]), on: r)
        #expect(verdict.thresholds.map(\.outcome) == [.pass, .fail, .inconclusive, .inconclusive], "\(verdict.thresholds.map(\.message))")
        let p99 = verdict.thresholds[0]
        #expect(p99.ciLow! <= 990_000 && p99.ciHigh! >= 990_000 && p99.ciHigh! < 1_000_000)
    }

    /// Holm keeps the family's false-alarm rate at α: 12 true `contains` thresholds judged over 2,000 simulated
    /// nights fail far less often than 12 uncorrected 95 % intervals would (1 − 0.95¹² ≈ 46 %).
    @Test func familyFalseAlarmRateIsControlled() {
        var generator = SeededGenerator(seed: 20261125)
        let thresholds = (0..<12).map { _ in ThresholdSpec.builtIn("traces.completeness", "contains 0.9") }
        let trials = 2_000
        var familyAlarms = 0, uncorrectedAlarms = 0
        for _ in 0..<trials {
            let files = (0..<12).map { index -> (path: String, results: RunResults, thresholds: [ThresholdSpec]) in
                let complete = (0..<400).reduce(0) { count, _ in count + (Double(generator.next() >> 11) / 9_007_199_254_740_992 < 0.9 ? 1 : 0) }
                return ("night-\(index)", Self.results(complete: complete, expected: 400), [thresholds[index]])
            }
            if Judge.evaluate(families: files, alpha: 0.05).outcome == .fail { familyAlarms += 1 }
            if files.contains(where: { file in
                let ci = Distributions.clopperPearson(successes: file.results.traces.complete, trials: 400, level: 0.95)
                return ci.low > 0.9 || ci.high < 0.9
            }) { uncorrectedAlarms += 1 }
        }
        let familyRate = Double(familyAlarms) / Double(trials), uncorrectedRate = Double(uncorrectedAlarms) / Double(trials)
        #expect(familyRate <= 0.05, "family false-alarm rate \(familyRate)")
        #expect(uncorrectedRate > 0.25, "uncorrected \(uncorrectedRate)")
    }

    @Test func exactFiguresAndOverheadIntervals() {
        var r = RunResults()
        r.spans.exported = 100
        r.spans.received = 100
        r.overhead = ["otlp": ArmOverhead(baseline: "off", perRequestUs: OverheadFigure(estimate: 300, ciLow: 280, ciHigh: 330, p99Estimate: 700, samples: 2000),
                                          perJobUs: OverheadFigure(estimate: 130, ciLow: 128, ciHigh: 132, p99Estimate: 0, samples: 2000),
                                          perSpanUs: OverheadFigure(estimate: 22, ciLow: 21, ciHigh: 23, p99Estimate: 0, samples: 2000),
                                          spansPerJob: 6, phases: [:], cpuUsPerJob: nil, rssDeltaBytes: nil)]
        let verdict = Judge.evaluate(Self.set([("spans.dropped", "== 0"), ("overhead.otlp.per_request_us", "< 2ms"),
                                               ("overhead.otlp.per_request_us", "< 310us"), ("overhead.otlp.per_request_us", "< 250us"),
                                               ("overhead.sdk.per_request_us", "< 2ms")]), on: r)
        #expect(verdict.thresholds.map(\.outcome) == [.pass, .pass, .inconclusive, .fail, .notMeasured])
        #expect(verdict.familySize == 3 && verdict.outcome == .fail)
        #expect(Judge.budgetVerdict(perRequest: r.overhead!["otlp"]!.perRequestUs, budgets: Budgets()) == "meets_target")
        #expect(Judge.budgetVerdict(perRequest: OverheadFigure(estimate: 1900, ciLow: 1800, ciHigh: 2100, p99Estimate: 0, samples: 9), budgets: Budgets()) == "meets_current")
    }
}

/// `over:` windows and `abort_on_fail`.
@Suite("Threshold windows", .computeOnly)
struct ThresholdWindowTests {
    /// 60 one-second intervals of 1,000 fast jobs each, except seconds 30–31 where every job takes 2 s.
    static func resultsWithASlowPatch() -> RunResults {
        var builder = IntervalSeriesBuilder(originMicros: 0, seconds: 60, intervalSeconds: 1)
        var whole = LatencyHistogram()
        for second in 0..<60 {
            for job in 0..<1_000 {
                let latency: Int64 = (30...31).contains(second) ? 2_000_000 : 10_000 + Int64(job) * 10
                builder.record("end_to_end", microseconds: latency, endedAtMicros: Int64(second) * 1_000_000 + Int64(job))
                builder.count(IntervalSeries.Counter.submitted, atMicros: Int64(second) * 1_000_000 + Int64(job))
                whole.record(microseconds: latency)
            }
        }
        var r = RunResults()
        r.series = builder.build(counters: [IntervalSeries.Counter.submitted])
        r.latency["end_to_end"] = whole.summary()
        return r
    }

    @Test func aSlowWindowFailsWhatTheWholeRunHides() throws {
        let r = Self.resultsWithASlowPatch()
        let condition = try ThresholdCondition(parsing: "< 1s", unit: .microseconds)
        let whole = ThresholdSpec(metric: "latency.end_to_end.p95", condition: condition)
        var windowed = whole
        windowed.overSeconds = 5
        let verdict = Judge.evaluate(ThresholdSet(thresholds: [whole, windowed]), on: r)
        #expect(verdict.thresholds[0].outcome == .pass, "\(verdict.thresholds[0].message)")
        #expect(verdict.thresholds[1].outcome == .fail, "\(verdict.thresholds[1].message)")
        #expect(verdict.thresholds[1].message.contains("worst of 56 windows of 5.0 s"), "\(verdict.thresholds[1].message)")
        // The windowed rate of a steady 1,000/s arrival is judged with Poisson intervals on each window's count.
        let rate = ThresholdSpec.builtIn("throughput.jobs_submitted_per_second", ">= 900")
        var overRate = rate
        overRate.overSeconds = 10
        #expect(Judge.evaluate(ThresholdSet(thresholds: [overRate]), on: r).outcome == .pass)
        // Without a series there is nothing to window: not measured, never a pass.
        var bare = r
        bare.series = nil
        #expect(Judge.evaluate(ThresholdSet(thresholds: [windowed]), on: bare).thresholds[0].outcome == .notMeasured)
    }
}
