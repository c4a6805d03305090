import Testing
import TracebenchAnalysis
import TracebenchMeasure
import TracebenchVocabulary
@testable import TracebenchSink

/// Trace assembly against the ledger, on hand-built traces whose answers are known: orphans, broken context,
/// completeness, depth, error attribution, span accounting and visibility.
@Suite("Trace check", .computeOnly)
struct TraceCheckTests {
    static let api = ServiceName.api, worker = ServiceName.worker

    func span(_ trace: TraceID, _ id: UInt64, parent: UInt64 = 0, _ name: String, service: String = worker,
              error: Bool = false, job: String? = nil, end: UInt64 = 1_000_000, received: UInt64 = 3_000_000) -> ReceivedSpan {
        ReceivedSpan(traceID: trace, spanID: id, parentSpanID: parent, name: name, serviceName: service,
                     startNanos: 0, endNanos: end, isError: error, jobID: job, receivedNanos: received)
    }

    /// The API's two spans and the worker's three (job-claimed, process-job, one step) of job `job` in `trace`.
    func job(_ job: String, _ trace: TraceID, base: UInt64, workerTrace: TraceID? = nil, stepError: Bool = false) -> [ReceivedSpan] {
        let workerTrace = workerTrace ?? trace
        let workerParent: UInt64 = workerTrace == trace ? base + 2 : 0
        return [
            span(trace, base + 1, "/jobs", service: Self.api),
            span(trace, base + 2, parent: base + 1, "redis-submit-job", service: Self.api, job: job),
            span(workerTrace, base + 3, parent: workerParent, "job-claimed", job: job),
            span(workerTrace, base + 4, parent: workerParent, "process-job", error: stepError, job: job),
            span(workerTrace, base + 5, parent: base + 4, "comfyui-call", error: stepError),
        ]
    }

    func entry(_ job: String, _ trace: TraceID, dropped: Bool = false) -> LedgerEntry {
        LedgerEntry(jobID: job, status: "completed", traceID: trace.hex, traceSampled: true, contextDropped: dropped,
                    apiSpans: 2, workerSpans: 3, workerSampled: true)
    }

    @Test func knownTraces() {
        let a = TraceID(high: 1, low: 1), b = TraceID(high: 2, low: 2), c = TraceID(high: 3, low: 3)
        let cWorker = TraceID(high: 33, low: 33), d = TraceID(high: 4, low: 4)
        var spans = job("a", a, base: 10)                                   // complete, depth 4
        spans += job("b", b, base: 20).filter { $0.spanID != 24 }            // process-job lost: its child is an orphan
        spans += job("c", c, base: 30, workerTrace: cWorker)                 // context dropped: worker in its own trace
        spans += job("d", d, base: 40, stepError: true)                      // error in the step, marked on process-job too
        let ledger = [entry("a", a), entry("b", b), entry("c", c, dropped: true), entry("d", d),
                      LedgerEntry(jobID: "e", status: "pending", traceID: TraceID(high: 5, low: 5).hex, traceSampled: true, apiSpans: 2)]

        let f = TraceCheck.check(ledger: ledger, spans: spans) { _ in true }
        #expect(f.jobs == 5)
        #expect(f.tracesExpected == 5 && f.tracesReceived == 4)
        #expect(f.tracesComplete == 2)                         // a and d; b has an orphan, c lacks its worker, e never arrived
        #expect(f.orphanSpans == 1)
        #expect(f.contextChecked == 3 && f.brokenContext == 1) // a, c, d have a process-job; c's is elsewhere
        #expect(f.depthCounts == [4: 2, 2: 1, 3: 1])           // a, d: 4 levels; c: API only; b: chain cut at 3
        #expect(f.errorSpans == 2 && f.errorSpansWithParent == 1 && f.errorSpansAttributed == 1)
        #expect(f.tracesWithErrors == 1)
        #expect(f.spansCreated == 4 * 5 + 2 && f.spansExpectedExported == 4 * 5 + 2 && f.spansReceived == 19)
        #expect(f.sampledRootsDecided == 5 && f.sampledRootsReceived == 4)
        #expect(f.visibility.count == 19 && f.visibility.summary().p50 == 2000)
    }

    @Test func nothingExportedMeansNothingExpected() {
        let a = TraceID(high: 1, low: 1)
        let f = TraceCheck.check(ledger: [entry("a", a)], spans: []) { _ in false }
        #expect(f.tracesExpected == 0 && f.spansExpectedExported == 0 && f.spansCreated == 5)
    }

    @Test("a late span of a trace the collector's rule drops moves from sampled out to received: every exported span counted once")
    func lateSpanOfADroppedTraceIsCountedOnce() throws {
        let rule = ConsistentThreshold(ratio: 0.1)
        let lows = (0 ..< 64).map { UInt64($0) << 50 }  // spread over the 56 bits the rule reads
        let low = try #require(lows.first { !rule.keeps(traceIDLow: $0) })
        let trace = TraceID(high: 1, low: low)
        // The SDKs export 3 spans; the collector drops the trace but keeps its error span, which comes after the job
        // was judged with the root alone.
        let job = LedgerEntry(jobID: "j", status: "failed", traceID: trace.hex, traceSampled: true, apiSpans: 1, workerSpans: 2, workerSampled: true)
        var fold = TraceFold(rules: TraceFold.Rules(collector: rule))
        fold.add(job: job, traces: [[span(trace, 1, "POST /jobs", service: Self.api)]])
        #expect(fold.figures.spansExpectedExported == 3 && fold.figures.spansSampledOut == 2 && fold.figures.spansReceived == 1)
        fold.add(late: [span(trace, 3, parent: 1, "service-process-job", error: true)])
        #expect(fold.figures.spansSampledOut == 1 && fold.figures.spansReceived == 2 && fold.lateSpans == 1)
        // A late span of a kept trace was never counted as sampled out.
        let kept = TraceID(high: 1, low: try #require(lows.first { rule.keeps(traceIDLow: $0) }))
        fold.add(late: [span(kept, 9, "process-job")])
        #expect(fold.figures.spansSampledOut == 1 && fold.figures.spansReceived == 3)
    }
}
