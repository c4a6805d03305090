import TracebenchSink
import TracebenchVocabulary

/// Black-box trace check: every accepted job of the user's system gets exactly one ``TraceOutcome``, judged from its
/// trace id (the correlation channel), the spans carrying its id (the second channel) and what the scenario expects
/// of a complete trace. Spans are de-duplicated (same trace and span id) and spans of traces no job owns are kept
/// apart, never mixed into the figures.
public enum TargetCheck {
    /// One accepted job, as the correlation found it.
    public struct Job: Sendable {
        public var id: String
        /// Its trace id, nil when the channel had none.
        public var traceID: TraceID?
        /// The system's own head decision (the traceparent's sampled flag), nil when unknown.
        public var sampled: Bool?
        /// When its trace must have arrived (ns since the epoch: the job finished + `visibility_deadline_s`); spans
        /// received later are late and not judged. Nil: no deadline.
        public var deadlineNanos: UInt64?
        /// What its complete trace holds, when its job type says so (nil: the check's `expect`).
        public var expect: [Expectation]?
        public init(id: String, traceID: TraceID?, sampled: Bool?, deadlineNanos: UInt64? = nil, expect: [Expectation]? = nil) {
            self.id = id
            self.traceID = traceID
            self.sampled = sampled
            self.deadlineNanos = deadlineNanos
            self.expect = expect
        }
    }

    /// What a complete trace holds from one service: names that must appear at least so often.
    public struct Expectation: Sendable {
        public var service: String
        public var minimumCounts: [String: Int]
        public init(service: String, minimumCounts: [String: Int]) {
            self.service = service
            self.minimumCounts = minimumCounts
        }

        /// The `service/span` entries of `expect` that one trace's `spans` hold too few of, in a stable order.
        public static func lacking(_ spans: [ReceivedSpan], _ expect: [Expectation]) -> [String] {
            var counts: [String: Int] = [:]
            for span in spans { counts[SegmentKey.of(service: span.serviceName, span: span.name), default: 0] += 1 }
            return expect.flatMap { expectation in
                expectation.minimumCounts.sorted { $0.key < $1.key }.compactMap { name, minimum in
                    let key = SegmentKey.of(service: expectation.service, span: name)
                    return counts[key, default: 0] >= minimum ? nil : key
                }
            }
        }
    }

    /// The verdict on every job, and what the spans say besides.
    public struct Figures: Sendable {
        /// Each job's outcome, in the jobs' order.
        public var outcomes: [(job: String, outcome: TraceOutcome)] = []
        /// For each partial job, the `service/span` entries it lacked.
        public var missing: [String: [String]] = [:]
        public var uncorrelated = 0
        /// Distinct spans received (duplicates removed), of traces some job owns.
        public var ownedSpans: [ReceivedSpan] = []
        public var duplicateSpans = 0
        /// Spans of owned traces received after their trace's deadline (in ``ownedSpans``, not judged).
        public var lateSpans = 0
        public var unownedSpans = 0
        /// Spans, in owned traces, whose parent is not in their trace.
        public var orphanSpans = 0
        /// Jobs whose trace arrived (at least one span, late ones included).
        public var tracesReceived = 0
        public var errorSpans = 0
        public var tracesWithErrors = 0
    }

    /// The check. `spans` are everything the sink received. A span received after its trace's deadline is late: counted,
    /// kept in the visibility figures, not judged. An incomplete trace whose deadline had not passed at `judgedAt` and
    /// with a span received at or after `stillArrivingAfter` (ns since the epoch: the end of the wait minus its quiet
    /// window) is censored: the run ended while it was arriving.
    public static func check(jobs: [Job], spans: [ReceivedSpan], expect: [Expectation], stillArrivingAfter: UInt64 = .max,
                             judgedAt: UInt64 = .max) -> Figures {
        var figures = Figures()
        var seen = Set<SpanKey>()
        var byTrace: [TraceID: [ReceivedSpan]] = [:]
        var tracesOfJob: [String: Set<TraceID>] = [:]
        for span in spans {
            guard seen.insert(SpanKey(trace: span.traceID, span: span.spanID)).inserted else {
                figures.duplicateSpans += 1
                continue
            }
            byTrace[span.traceID, default: []].append(span)
            if let job = span.jobID { tracesOfJob[job, default: []].insert(span.traceID) }
        }
        var owned = Set<TraceID>()
        var deadlineOf: [TraceID: UInt64] = [:]
        for job in jobs {
            let traces = [job.traceID].compactMap(\.self) + (tracesOfJob[job.id] ?? [])
            owned.formUnion(traces)
            if let deadline = job.deadlineNanos {
                for trace in traces { deadlineOf[trace] = min(deadlineOf[trace] ?? .max, deadline) }
            }
        }
        for (trace, traceSpans) in byTrace {
            if owned.contains(trace) {
                figures.ownedSpans += traceSpans
                if let deadline = deadlineOf[trace], traceSpans.contains(where: { $0.receivedNanos > deadline }) {
                    let onTime = traceSpans.filter { $0.receivedNanos <= deadline }
                    figures.lateSpans += traceSpans.count - onTime.count
                    byTrace[trace] = onTime
                }
                let ids = Set(traceSpans.map(\.spanID))
                figures.orphanSpans += traceSpans.count { $0.parentSpanID != 0 && !ids.contains($0.parentSpanID) }
                let errors = traceSpans.count(where: \.isError)
                figures.errorSpans += errors
                if errors > 0 { figures.tracesWithErrors += 1 }
            } else {
                figures.unownedSpans += traceSpans.count
            }
        }
        for job in jobs {
            var outcome = classify(job, byTrace: byTrace, tracesOfJob: tracesOfJob[job.id] ?? [], expect: expect, figures: &figures)
            if outcome == .orphaned || outcome == .partial, let trace = job.traceID,
               job.deadlineNanos.map({ $0 > judgedAt }) ?? true,
               (byTrace[trace] ?? []).contains(where: { $0.receivedNanos >= stillArrivingAfter }) {
                figures.missing[job.id] = nil
                outcome = .censored
            }
            figures.outcomes.append((job.id, outcome))
        }
        return figures
    }

    private static func classify(_ job: Job, byTrace: [TraceID: [ReceivedSpan]], tracesOfJob: Set<TraceID>, expect: [Expectation],
                                 figures: inout Figures) -> TraceOutcome {
        guard let trace = job.traceID else {
            figures.uncorrelated += 1
            // No id on the channel: whatever carries the job's id elsewhere lost its context on the way.
            return tracesOfJob.isEmpty ? .neverArrived : .brokenContext
        }
        if tracesOfJob.contains(where: { $0 != trace }) { return .brokenContext }
        guard let spans = byTrace[trace], !spans.isEmpty else {
            // Every span came after the deadline: the trace arrived (received), but nothing of it by then.
            if byTrace[trace] != nil { figures.tracesReceived += 1 }
            return job.sampled == false ? .unsampled : .neverArrived
        }
        figures.tracesReceived += 1
        let ids = Set(spans.map(\.spanID))
        if spans.contains(where: { $0.parentSpanID != 0 && !ids.contains($0.parentSpanID) }) { return .orphaned }
        let lacking = Expectation.lacking(spans, job.expect ?? expect)
        if !lacking.isEmpty {
            figures.missing[job.id] = lacking
            return .partial
        }
        return .complete
    }

    private struct SpanKey: Hashable {
        let trace: TraceID
        let span: UInt64
    }
}

/// A W3C `traceparent` (`00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`) or a bare 32-hex trace id: the trace id
/// and, for a traceparent, the sampled flag.
public struct TraceParent: Sendable, Equatable {
    public var traceID: TraceID
    /// Nil for a bare trace id.
    public var sampled: Bool?

    public init(traceID: TraceID, sampled: Bool?) {
        self.traceID = traceID
        self.sampled = sampled
    }

    public init?(parsing text: String) {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.count == 32, let id = TraceID(hex: trimmed), id.isValid {
            traceID = id
            sampled = nil
            return
        }
        let parts = trimmed.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count >= 4, parts[0].count == 2, parts[0] != "ff", let id = TraceID(hex: String(parts[1])), id.isValid,
              parts[2].count == 16, parts[3].count == 2, let flags = UInt8(parts[3], radix: 16) else { return nil }
        traceID = id
        sampled = flags & 1 == 1
    }
}
