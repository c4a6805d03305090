/// The traces a finalising ``TraceStore`` still holds: spans by trace, in arrival order, indexed by the jobs their
/// spans name, until the coordinator takes a trace to judge it. A span of a trace taken recently (within the last one
/// or two ``retire()`` periods) is late: kept apart for the coordinator to count, never re-opening its trace.
public struct OpenTraces: Sendable {
    /// One trace not yet taken.
    public struct Trace: Sendable {
        public var spans: [ReceivedSpan] = []
        /// Arrival time of its latest span (ns since the epoch).
        public var lastReceivedNanos: UInt64 = 0
        /// Whether some span of it names a job (then the job's judgement takes it, not the idle sweep).
        public var namesAJob = false
    }

    public private(set) var traces: [TraceID: Trace] = [:]
    /// Job id → the traces holding a span that names it.
    private var byJob: [String: [TraceID]] = [:]
    /// Spans held (open traces and late spans), and the most held at once.
    public private(set) var spans = 0
    public private(set) var peakSpans = 0
    private var late: [ReceivedSpan] = []
    private var takenRecently: Set<TraceID> = []
    private var takenBefore: Set<TraceID> = []

    public init() {}

    /// Holds `received` by trace (a span of a recently taken trace is kept apart as late).
    public mutating func accept(_ received: ArraySlice<ReceivedSpan>) {
        spans += received.count
        peakSpans = max(peakSpans, spans)
        for span in received {
            if takenRecently.contains(span.traceID) || takenBefore.contains(span.traceID) {
                late.append(span)
                continue
            }
            var trace = traces[span.traceID, default: Trace()]
            trace.spans.append(span)
            trace.lastReceivedNanos = max(trace.lastReceivedNanos, span.receivedNanos)
            if let job = span.jobID {
                trace.namesAJob = true
                if byJob[job]?.contains(span.traceID) != true { byJob[job, default: []].append(span.traceID) }
            }
            traces[span.traceID] = trace
        }
    }

    /// The traces a job owns: `trace` (its API trace, when it has one) and every trace naming `job`, without repeats.
    private func owned(job: String, trace: TraceID?) -> [TraceID] {
        var ids = trace.map { [$0] } ?? []
        for id in byJob[job] ?? [] where id != trace { ids.append(id) }
        return ids
    }

    /// Spans held in the traces `job` owns.
    public func spanCount(job: String, trace: TraceID?) -> Int {
        owned(job: job, trace: trace).reduce(0) { $0 + (traces[$1]?.spans.count ?? 0) }
    }

    /// Takes the traces `job` owns (its API trace first), marking them taken. With `expectingSpans`, `trace` and
    /// `workerTrace` (the worker's, when its context broke) are marked even when none of their spans has arrived: the
    /// job was judged without them, so a span of them arriving later is late, not a new trace. (A job whose SDKs kept
    /// no span marks nothing absent: a long run at a low ratio would remember every unsampled trace id.)
    public mutating func take(job: String, trace: TraceID?, workerTrace: TraceID? = nil, expectingSpans: Bool = true) -> [[ReceivedSpan]] {
        let ids = owned(job: job, trace: trace)
        byJob[job] = nil
        if expectingSpans { for id in [trace, workerTrace] { if let id { takenRecently.insert(id) } } }
        return ids.compactMap { take($0) }
    }

    /// Takes the traces that name no job and received nothing since `idleSince` (ns since the epoch).
    public mutating func takeUnowned(idleSince: UInt64) -> [[ReceivedSpan]] {
        let idle = traces.compactMap { id, trace in !trace.namesAJob && trace.lastReceivedNanos < idleSince ? id : nil }
        return idle.sorted().compactMap { take($0) }
    }

    /// Takes every trace still held, in trace-id order (the end of a run).
    public mutating func takeAll() -> [[ReceivedSpan]] {
        byJob = [:]
        return traces.keys.sorted().compactMap { take($0) }
    }

    /// Takes the late spans held so far.
    public mutating func takeLate() -> [ReceivedSpan] {
        defer { late = [] }
        spans -= late.count
        return late
    }

    /// Forgets the traces taken before the previous call: their spans arriving from now on open a trace again (and
    /// are judged with no job's, at the end of the run). Called once per period, so a taken trace is remembered for
    /// between one and two periods.
    public mutating func retire() {
        takenBefore = takenRecently
        takenRecently = []
    }

    private mutating func take(_ id: TraceID) -> [ReceivedSpan]? {
        guard let trace = traces.removeValue(forKey: id) else { return nil }
        spans -= trace.spans.count
        takenRecently.insert(id)
        return trace.spans
    }
}
