import Foundation
import Testing
import TracebenchAnalysis
import TracebenchMeasure
import TracebenchResults
import TracebenchRun
import TracebenchScenario
import TracebenchSink

/// Traces judged while the run goes on (issue 14): the sink holds what is in flight, each finished job's traces are
/// folded once its ledger's spans are in (or at its deadline), and the figures are the batch check's.
@Suite("Streaming trace finalisation", .serialized)
struct StreamingFinaliseTests {
    static func span(_ trace: UInt64, _ id: UInt64, parent: UInt64 = 0, job: String? = nil, at received: UInt64) -> ReceivedSpan {
        ReceivedSpan(traceID: TraceID(high: 1, low: trace), spanID: id, parentSpanID: parent, name: job == nil ? "step" : "process-job",
                     serviceName: "svc", startNanos: 0, endNanos: 1, isError: false, jobID: job, receivedNanos: received)
    }

    @Test("open traces: a job takes its API trace and every trace naming it; a span of a taken trace is late until retired twice")
    func openTraces() {
        var open = OpenTraces()
        open.accept([Self.span(1, 1, at: 10), Self.span(1, 2, parent: 1, at: 11), Self.span(2, 3, job: "a", at: 12), Self.span(3, 4, at: 5)][...])
        #expect(open.spanCount(job: "a", trace: TraceID(high: 1, low: 1)) == 3)
        let taken = open.take(job: "a", trace: TraceID(high: 1, low: 1))
        #expect(taken.map(\.count) == [2, 1] && open.spans == 1)
        // The trace naming no job goes once idle.
        #expect(open.takeUnowned(idleSince: 5).isEmpty)
        #expect(open.takeUnowned(idleSince: 6).map(\.count) == [1] && open.spans == 0)
        // Late: counted apart, never re-opening the trace.
        open.accept([Self.span(1, 9, parent: 1, at: 20)][...])
        #expect(open.traces.isEmpty && open.takeLate().count == 1 && open.spans == 0)
        open.retire()
        open.accept([Self.span(1, 10, parent: 1, at: 21)][...])
        #expect(open.takeLate().count == 1)
        open.retire()
        open.accept([Self.span(1, 11, parent: 1, at: 22)][...])
        #expect(open.takeLate().isEmpty && open.traces.count == 1)

        // A job judged before any span of its trace came (its deadline passed): the spans that come later are late, not
        // a new trace judged with no job at the end (a starved exporter once delivered a whole run's spans 23 s late,
        // and the results said 0 late).
        #expect(open.take(job: "b", trace: TraceID(high: 1, low: 7)).isEmpty)
        open.accept([Self.span(7, 70, at: 30), Self.span(7, 71, parent: 70, job: "b", at: 30)][...])
        #expect(open.takeLate().count == 2 && open.traces[TraceID(high: 1, low: 7)] == nil)
        // Its worker's own trace too, when the context broke (the ledger names it).
        #expect(open.take(job: "c", trace: TraceID(high: 1, low: 8), workerTrace: TraceID(high: 1, low: 9)).isEmpty)
        open.accept([Self.span(9, 90, job: "c", at: 31), Self.span(9, 91, parent: 90, at: 31)][...])
        #expect(open.takeLate().count == 2 && open.traces[TraceID(high: 1, low: 9)] == nil)
    }

    @Test("the store holds only open traces once it finalises; overflow counts against what it holds")
    func storeHoldsOpenTraces() {
        let store = TraceStore(maxSpans: 3)
        store.finaliseByTrace()
        store.accept([Self.span(1, 1, at: 1), Self.span(1, 2, at: 1)], bodyBytes: 10, receivedNanos: 1)
        _ = store.withOpenTraces { $0.take(job: "x", trace: TraceID(high: 1, low: 1)) }
        store.accept([Self.span(2, 1, at: 2), Self.span(2, 2, at: 2), Self.span(2, 3, at: 2), Self.span(2, 4, at: 2)], bodyBytes: 10, receivedNanos: 2)
        let snapshot = store.snapshot()
        #expect(snapshot.spans.isEmpty && snapshot.received == 5 && snapshot.overflow == 1 && store.spanCount == 5)
    }

    @Test("a series sealed while it grows, recorded into again and merged, builds exactly the series kept live")
    func sealedSeriesEqualsLive() {
        var live = IntervalSeriesBuilder(originMicros: 0, intervalSeconds: 1)
        var sealed = IntervalSeriesBuilder(originMicros: 0, intervalSeconds: 1)
        var other = IntervalSeriesBuilder(originMicros: 0, intervalSeconds: 1)
        for event in 0 ..< 3000 {
            let at = Int64(event % 7) * 1_000_000 + Int64(event), latency = Int64(event * 37 % 5000)
            live.record("p", microseconds: latency, endedAtMicros: at)
            live.count("c", atMicros: at)
            if event % 2 == 0 {
                sealed.record("p", microseconds: latency, endedAtMicros: at)
                sealed.count("c", atMicros: at)
            } else {
                other.record("p", microseconds: latency, endedAtMicros: at)
                other.count("c", atMicros: at)
            }
            if event % 500 == 0 { sealed.seal(idleSince: .max) }  // everything encoded, then written into again
        }
        sealed.merge(other)
        #expect(sealed.build(counters: ["c", "d"]) == live.build(counters: ["c", "d"]))
        #expect(live.build(counters: []).count == 7)
    }

    func run(_ scenario: Scenario) async throws -> RunOutcome {
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        var options = RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false)
        options.recheckStreaming = true
        return try await TestSupport.runSystem(scenario: scenario, options: options)
    }

    @Test("a real run with retries, failures, broken contexts and head sampling: the streaming figures are the batch recomputation's")
    func streamingEqualsBatch() async throws {
        var scenario = try TestSupport.scenario("smoke")
        scenario.durationSeconds = 5
        scenario.load.ratePerSecond = 30
        scenario.pipeline.maxRetries = 1
        scenario.faults.dropContextRatio = 0.2
        scenario.tracing.sampler = .parentBasedTraceIDRatio
        scenario.tracing.ratio = 0.5
        scenario.jobs = [
            JobTypeSpec(service: "fixed", weight: 3, steps: [StepSpec(name: "sleep-5ms", duration: .fixed(5))]),
            JobTypeSpec(service: "flaky", weight: 1, steps: [StepSpec(name: "sometimes-fails", errorRatio: 0.5)]),
        ]
        let outcome = try await run(scenario)
        let r = outcome.results
        #expect(!r.problems.contains { $0.message.contains("disagrees with its batch") }, "\(r.problems)")
        #expect(r.jobs.submitted > 50 && r.jobs.failed > 0 && r.traces.brokenContext > 0 && r.jobs.retries > 0)
        #expect(r.spans.late == 0)
        #expect(r.spans.received == r.spans.exported && r.spans.dropped == 0, "\(r.spans) \(r.jobs)")
        #expect(r.criticalPath != nil && r.sampling.errorRetention != nil)
        // The sink held the traces in flight, not the run: judged traces were released while spans still came (a
        // quiet machine holds about a tenth; the whole suite in parallel on 2 cores once held half).
        let peak = try #require(r.sink.peakOpenSpans)
        #expect(peak > 0 && peak < r.spans.received, "peak \(peak) of \(r.spans.received)")
    }

    @Test("spans held past a 0.3 s deadline by a 6 s export delay are late: counted once, their jobs' traces judged without them")
    func lateSpansAreCountedOnce() async throws {
        var scenario = try TestSupport.scenario("smoke")
        scenario.durationSeconds = 4
        scenario.load.ratePerSecond = 10
        scenario.visibilityDeadlineSeconds = 0.3
        // Exported every 6 s (after a 4 s load: at the first tick or the shutdown flush), seconds after each job's
        // deadline even when a starved coordinator reads the ledger stream late (a 2 s delay was not, once).
        scenario.tracing.batch.scheduleDelayMs = 6000
        let outcome = try await run(scenario)
        let r = outcome.results
        let late = try #require(r.spans.late)
        // On a starved machine (the whole suite in parallel) the finaliser has judged no job before the flush: then only
        // the accounting below is checked. The collector stall's known answer (CollectorTests, run on its own) always
        // sees late spans.
        withKnownIssue("a starved coordinator may read the ledger after the spans arrived", isIntermittent: true) {
            #expect(late > 0, "no late span")
        }
        // Every exported span arrived exactly once: in a judged trace or late, never both, never lost.
        #expect(r.spans.received == r.spans.exported && r.spans.dropped == 0, "\(r.spans)")
        #expect(late == 0 || r.traces.complete < r.traces.expected, "a job judged at its deadline without its late spans is not complete")
        #expect(r.latency["visibility"]!.count == UInt64(r.spans.received))
    }
}

/// `rss_growth_ratio`: the median RSS of the timeline's last tenth over its second tenth, on known timelines.
@Suite("RSS growth ratio")
struct RSSGrowthRatioTests {
    static func usage(_ rss: [UInt64]) -> ProcessUsage {
        var usage = ProcessUsage()
        usage.rssTimeline = rss.enumerated().map { RSSPoint(seconds: Double($0.offset), rssBytes: $0.element) }
        return usage
    }

    @Test("flat reads 1; a start-up spike in the first tenth is ignored; 100 → 150 MB reads 1.5; under 20 samples not measured")
    func knownTimelines() throws {
        #expect(Self.usage(Array(repeating: 100, count: 100)).rssGrowthRatio == 1)
        #expect(Self.usage([500] + Array(repeating: 100, count: 99)).rssGrowthRatio == 1)
        let ramp = (0 ..< 100).map { $0 < 50 ? UInt64(100) : UInt64(150) }
        #expect(Self.usage(ramp).rssGrowthRatio == 1.5)
        #expect(Self.usage(Array(repeating: 100, count: 19)).rssGrowthRatio == nil)
    }
}
