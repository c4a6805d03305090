import AsyncHTTPClient
import Foundation
import NIOCore
import Synchronization
import TracebenchMeasure
import TracebenchScenario
import TracebenchSink

/// The open-model load against the user's system: one HTTP request per arrival of the schedule (``OpenLoop``:
/// intended instants, drops past `max_in_flight`, late starts), built from `target.submit` and the job mix; submit
/// latency is measured from the intended start (no coordinated omission). Keeps each accepted job's response header
/// for correlation.
final class TargetLoad: Sendable {
    /// What the submissions observed.
    struct Tally: Sendable {
        var acceptedJobIDs: [String] = []
        /// The correlation value per accepted job, when `correlate.trace_id` reads the submit response (a header or
        /// a string in its JSON body).
        var traceHeaders: [String: String] = [:]
        var submitLatency = LatencyHistogram()
        var submitErrors = 0
        var lastError = ""
        var droppedArrivals = 0
        var lateStarts = 0
        /// The open loop's dispatch lag per admitted arrival (µs).
        var scheduleLag = LatencyHistogram()
        /// With `traceparent: inject`: the trace tracebench started for each accepted job, and its client span.
        var injected: [String: InjectedTrace] = [:]
        /// The intended start (µs since the epoch) of each accepted job past the warm-up: where `end_to_end` begins.
        var measuredIntendedMicros: [String: Int64] = [:]
        /// Each accepted job's type (index into `jobs`), kept when some type has its own `expect`.
        var jobTypes: [String: Int] = [:]
    }

    /// A trace tracebench started: its ids, its own head decision, and its client span's times (ns since the epoch).
    struct InjectedTrace: Sendable {
        var traceID: TraceID
        var spanID: UInt64
        var sampled: Bool
        var startNanos: UInt64
        var endNanos: UInt64

        /// The W3C header.
        var traceparent: String {
            String(format: "00-%@-%016llx-%@", traceID.hex, spanID, sampled ? "01" : "00")
        }

        /// Job `index`'s trace, from the run's seed: the same seed starts the same traces with the same decisions.
        static func make(seed: UInt64, index: Int, ratio: Double) -> InjectedTrace {
            var random = SeededGenerator(seed: seed).derived(0x7472_6163_6570_6172).derived(UInt64(index))
            let traceID = TraceID(high: random.next() | 1, low: random.next())
            let spanID = random.next() | 1
            return InjectedTrace(traceID: traceID, spanID: spanID, sampled: random.nextUnit() < ratio, startNanos: 0, endNanos: 0)
        }
    }

    let scenario: Scenario
    let target: TargetSpec
    let runID: String
    /// The run's placeholder values (``Placeholders/system``); each job adds its own.
    let values: [String: String]
    let client: HTTPClient
    private let tally = Mutex(Tally())
    /// Whether some job type has its own `expect` (then each accepted job's type is kept).
    private let keepsJobTypes: Bool
    private let loop: OpenLoop<ContinuousClock>

    init(scenario: Scenario, target: TargetSpec, runID: String, values: [String: String], client: HTTPClient) {
        self.scenario = scenario
        self.target = target
        self.runID = runID
        self.values = values
        keepsJobTypes = scenario.jobs.contains { $0.expect != nil }
        self.client = client
        loop = OpenLoop(clock: ContinuousClock(), maxInFlight: scenario.load.maxInFlight)
    }

    var snapshot: Tally {
        var copy = tally.withLock { $0 }
        copy.droppedArrivals = loop.counts.dropped
        copy.lateStarts = loop.counts.lateStarts
        copy.scheduleLag = loop.lag
        return copy
    }

    /// The live view for the progress line and `abort_on_fail` thresholds (jobs finished are not known live).
    var live: LiveLoad {
        let counts = loop.counts
        let copy = tally.withLock { $0 }
        return LiveLoad(submitted: copy.acceptedJobIDs.count, droppedArrivals: counts.dropped, submitErrors: copy.submitErrors,
                        lateStarts: counts.lateStarts, inFlight: counts.inFlight, submitLatency: copy.submitLatency)
    }

    /// One job's request: the submit templates with the run's, the job's and its type's placeholders filled in.
    struct Request: Sendable {
        var url: String
        var headers: [(String, String)]
        var body: String
    }

    /// Job `index`'s request: `{job_id}`, `{service}`, `{priority}`, `{index}` and the type's `fields` filled in.
    func request(id: String, type: Int, priority: Int, index: Int) -> Request {
        let job = scenario.jobs.indices.contains(type) ? scenario.jobs[type] : nil
        var values = self.values.merging(job?.fields ?? [:]) { $1 }
        values.merge(["job_id": id, "service": job?.service ?? "", "priority": String(priority), "index": String(index)]) { $1 }
        return Request(url: Placeholders.fill(target.submit.url, values),
                       headers: target.submit.headers.sorted { $0.key < $1.key }.map { ($0.key, Placeholders.fill($0.value, values)) },
                       body: Placeholders.fill(target.submit.body, values))
    }

    func run(schedule: ArrivalSchedule, startMicros: Int64, stop: StopSignal) async {
        let startInstant = ContinuousClock.now + .microseconds(startMicros - WallClock.nowMicros())
        let warmupNanos = UInt64(Int64(saturating: max(0, scenario.warmupSeconds) * 1e9))
        let picker = JobPicker(scenario: scenario)
        let offsets = schedule.offsetsNanos
        await loop.run(count: offsets.count, offset: { .nanoseconds(Int64(offsets[$0])) }, from: startInstant, stop: stop) { index in
            let intended = startMicros + Int64(offsets[index] / 1000)
            let job = picker.job(index: index, id: "\(self.runID)-\(index)", intendedStartMicros: intended)
            await self.submit(id: job.id, index: index, type: job.type, self.request(id: job.id, type: job.type, priority: job.priority, index: index),
                              intendedMicros: intended, measured: offsets[index] >= warmupNanos)
        }
    }

    private func submit(id: String, index: Int, type: Int, _ job: Request, intendedMicros: Int64, measured: Bool) async {
        var request = HTTPClientRequest(url: job.url)
        request.method = target.submit.method == "PUT" ? .PUT : .POST
        for (name, value) in job.headers { request.headers.add(name: name, value: value) }
        var injected: InjectedTrace?
        if target.submit.traceparent == .inject {
            injected = InjectedTrace.make(seed: scenario.seed, index: index, ratio: target.submit.injectRatio)
            injected?.startNanos = UInt64(max(0, intendedMicros)) * 1000
            request.headers.replaceOrAdd(name: "traceparent", value: injected!.traceparent)
        }
        if !job.body.isEmpty { request.body = .bytes(ByteBuffer(string: job.body)) }
        var failure: String?
        var header: String?
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 1 << 20)
            if !target.submit.accept.contains(Int(response.status.code)) { failure = "HTTP \(response.status.code)" }
            switch target.correlate.traceID {
            case let .responseHeader(name): header = response.headers.first(name: name)
            case let .responseBody(pointer): header = JSONPointer.string(at: pointer, in: Data(body.readableBytesView))
            case .ledger, .injected: break
            }
        } catch {
            failure = "\(error)"
        }
        let finished = WallClock.nowMicros()
        tally.withLock { state in
            if let failure {
                state.submitErrors += 1
                state.lastError = failure
                return
            }
            state.acceptedJobIDs.append(id)
            if keepsJobTypes { state.jobTypes[id] = type }
            if let header { state.traceHeaders[id] = header }
            if var injected {
                injected.endNanos = UInt64(max(0, finished)) * 1000
                state.injected[id] = injected
            }
            if measured {
                state.submitLatency.record(microseconds: finished - intendedMicros)
                state.measuredIntendedMicros[id] = intendedMicros
            }
        }
    }
}
