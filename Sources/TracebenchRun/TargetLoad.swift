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
        /// The correlation header's value per accepted job, when `correlate.trace_id` reads a response header.
        var traceHeaders: [String: String] = [:]
        var submitLatency = LatencyHistogram()
        var submitErrors = 0
        var lastError = ""
        var droppedArrivals = 0
        var lateStarts = 0
        /// With `traceparent: inject`: the trace tracebench started for each accepted job, and its client span.
        var injected: [String: InjectedTrace] = [:]
        /// The intended start (µs since the epoch) of each accepted job past the warm-up: where `end_to_end` begins.
        var measuredIntendedMicros: [String: Int64] = [:]
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
    let url: String
    let client: HTTPClient
    private let tally = Mutex(Tally())
    private let loop: OpenLoop<ContinuousClock>

    init(scenario: Scenario, target: TargetSpec, runID: String, url: String, client: HTTPClient) {
        self.scenario = scenario
        self.target = target
        self.runID = runID
        self.url = url
        self.client = client
        loop = OpenLoop(clock: ContinuousClock(), maxInFlight: scenario.load.maxInFlight)
    }

    var snapshot: Tally {
        var copy = tally.withLock { $0 }
        copy.droppedArrivals = loop.counts.dropped
        copy.lateStarts = loop.counts.lateStarts
        return copy
    }

    /// The live view for the progress line and `abort_on_fail` thresholds (jobs finished are not known live).
    var live: LiveLoad {
        let counts = loop.counts
        let copy = tally.withLock { $0 }
        return LiveLoad(submitted: copy.acceptedJobIDs.count, droppedArrivals: counts.dropped, submitErrors: copy.submitErrors,
                        lateStarts: counts.lateStarts, inFlight: counts.inFlight, submitLatency: copy.submitLatency)
    }

    /// The body of job `index`: `{job_id}`, `{service}`, `{priority}`, `{index}` filled in.
    static func body(_ template: String, id: String, service: String, priority: Int, index: Int) -> String {
        template.replacingOccurrences(of: "{job_id}", with: id).replacingOccurrences(of: "{service}", with: service)
            .replacingOccurrences(of: "{priority}", with: String(priority)).replacingOccurrences(of: "{index}", with: String(index))
    }

    func run(schedule: ArrivalSchedule, startMicros: Int64, stop: StopSignal) async {
        let startInstant = ContinuousClock.now + .microseconds(startMicros - WallClock.nowMicros())
        let warmupNanos = UInt64(Int64(saturating: max(0, scenario.warmupSeconds) * 1e9))
        let picker = JobPicker(scenario: scenario)
        let offsets = schedule.offsetsNanos
        await loop.run(count: offsets.count, offset: { .nanoseconds(Int64(offsets[$0])) }, from: startInstant, stop: stop) { index in
            let intended = startMicros + Int64(offsets[index] / 1000)
            let job = picker.job(index: index, id: "\(self.runID)-\(index)", intendedStartMicros: intended)
            let service = self.scenario.jobs.indices.contains(job.type) ? self.scenario.jobs[job.type].service : ""
            await self.submit(id: job.id, index: index, body: Self.body(self.target.submit.body, id: job.id, service: service, priority: job.priority, index: index),
                              intendedMicros: intended, measured: offsets[index] >= warmupNanos)
        }
    }

    private func submit(id: String, index: Int, body: String, intendedMicros: Int64, measured: Bool) async {
        var request = HTTPClientRequest(url: url)
        request.method = target.submit.method == "PUT" ? .PUT : .POST
        for (name, value) in target.submit.headers { request.headers.add(name: name, value: value) }
        var injected: InjectedTrace?
        if target.submit.traceparent == .inject {
            injected = InjectedTrace.make(seed: scenario.seed, index: index, ratio: target.submit.injectRatio)
            injected?.startNanos = UInt64(max(0, intendedMicros)) * 1000
            request.headers.replaceOrAdd(name: "traceparent", value: injected!.traceparent)
        }
        if !body.isEmpty { request.body = .bytes(ByteBuffer(string: body)) }
        var failure: String?
        var header: String?
        do {
            let response = try await client.execute(request, timeout: .seconds(30))
            _ = try await response.body.collect(upTo: 1 << 20)
            if !target.submit.accept.contains(Int(response.status.code)) { failure = "HTTP \(response.status.code)" }
            if case let .responseHeader(name) = target.correlate.traceID { header = response.headers.first(name: name) }
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
