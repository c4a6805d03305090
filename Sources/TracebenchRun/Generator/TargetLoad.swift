import Foundation
import NIOCore
import NIOPosix
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
        /// The indices of the accepted jobs (ids `<run id>-<index>`), and of those past the warm-up.
        var accepted = JobIndexSet()
        var measured = JobIndexSet()
        /// The accepted jobs' ids, in index order (filled by ``TargetLoad/snapshot``).
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
        /// The machine's own pauses while this host's lanes ran (nil: they have not run).
        var hostPauses: HostPauseMeter.Pauses?
        /// With `traceparent: inject`: the trace tracebench started for each accepted job, and its client span.
        var injected: [String: InjectedTrace] = [:]
        /// The intended start (µs since the epoch) of each accepted job past the warm-up: where `end_to_end` begins
        /// (filled by ``TargetLoad/snapshot``).
        var measuredIntendedMicros: [String: Int64] = [:]
        /// Each accepted job's type (index into `jobs`), when some type has its own `expect` (filled by ``TargetLoad/snapshot``).
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
    private let tally = Mutex(Tally())
    /// The run's offset 0 (µs since the epoch) and its arrivals' offsets (ns), set when the run starts.
    private let timing = Mutex<(startMicros: Int64, offsets: [UInt64])>((0, []))
    /// The submit templates per job type (the last one for a type out of range), compiled once.
    private let templates: [SubmitTemplates]
    /// Whether some job type has its own `expect` (then each accepted job's type is kept).
    private let keepsJobTypes: Bool
    private let loop: OpenLoop<ContinuousClock>
    /// Told of every arrival as it is dispatched, dropped and answered (an agent accounting its share by interval).
    private let observer: ArrivalObserver?

    init(scenario: Scenario, target: TargetSpec, runID: String, values: [String: String], observer: ArrivalObserver? = nil) {
        self.scenario = scenario
        self.target = target
        self.runID = runID
        self.values = values
        self.observer = observer
        keepsJobTypes = scenario.jobs.contains { $0.expect != nil }
        templates = (scenario.jobs.map(Optional.some) + [nil]).map { job in
            SubmitTemplates(target.submit, fixed: values.merging(job?.fields ?? [:]) { $1 }.merging(["service": job?.service ?? ""]) { $1 },
                            runID: runID, keepsBody: { if case .responseBody = target.correlate?.traceID { true } else { false } }())
        }
        loop = OpenLoop(clock: ContinuousClock(), maxInFlight: scenario.load.maxInFlight)
    }

    /// What the submissions observed, with each accepted job's id, intended start and type spelled out.
    var snapshot: Tally {
        var copy = tally.withLock { $0 }
        // Other hosts' arrivals (``absorb(_:)``) are in the tally already; this host's loop adds its own.
        copy.droppedArrivals += loop.counts.dropped
        copy.lateStarts += loop.counts.lateStarts
        copy.scheduleLag.merge(loop.lag)
        copy.hostPauses = loop.hostPauses
        let (startMicros, offsets) = timing.withLock { $0 }
        let picker = JobPicker(scenario: scenario)
        for index in copy.accepted.indices {
            let id = jobID(index)
            copy.acceptedJobIDs.append(id)
            if copy.measured.contains(index), offsets.indices.contains(index) {
                copy.measuredIntendedMicros[id] = startMicros + Int64(offsets[index] / 1000)
            }
            if keepsJobTypes { copy.jobTypes[id] = picker.job(index: index, id: id, intendedStartMicros: 0).type }
        }
        return copy
    }

    /// The live view for the progress line and `abort_on_fail` thresholds (jobs finished are not known live).
    var live: LiveLoad {
        let counts = loop.counts
        let copy = tally.withLock { $0 }
        return LiveLoad(submitted: copy.accepted.count, droppedArrivals: copy.droppedArrivals + counts.dropped, submitErrors: copy.submitErrors,
                        lateStarts: copy.lateStarts + counts.lateStarts, inFlight: counts.inFlight, submitLatency: copy.submitLatency)
    }

    /// What another host offered of this run's schedule (one interval of an agent's share), added to the tally as if
    /// offered here: its accepted jobs by index, its latency and lag histograms bucket by bucket.
    func absorb(_ remote: RemoteOutcome) {
        let warmupNanos = UInt64(Int64(saturating: max(0, scenario.warmupSeconds) * 1e9))
        let offsets = timing.withLock { $0.offsets }
        tally.withLock { state in
            for index in remote.accepted {
                state.accepted.insert(index)
                if offsets.indices.contains(index), offsets[index] >= warmupNanos { state.measured.insert(index) }
            }
            state.submitLatency.merge(remote.submitLatency)
            state.submitErrors += remote.errors
            if !remote.lastError.isEmpty { state.lastError = remote.lastError }
            state.droppedArrivals += remote.dropped
            state.lateStarts += remote.lateStarts
            state.scheduleLag.merge(remote.lag)
        }
    }

    /// The schedule another host offers from `startMicros` (this host's wall clock): what ``snapshot`` needs to spell
    /// out intended starts of absorbed jobs.
    func expect(schedule: ArrivalSchedule, startMicros: Int64) {
        timing.withLock { $0 = (startMicros, schedule.offsetsNanos) }
    }

    /// `target.submit`'s URL, headers (sorted by name) and body for one job type.
    struct SubmitTemplates: Sendable {
        /// The placeholders filled per job, in this order.
        static let perJob = ["job_id", "priority", "index"]
        var url: PlaceholderTemplate
        var headers: [(name: String, value: PlaceholderTemplate)]
        var body: PlaceholderTemplate
        /// The body as bytes, written per job without building strings (with ``prepared``).
        var bodyBytes: JobBodyTemplate
        /// Whether the response body is read (the trace id is in it).
        var keepsBody: Bool
        /// The request's head rendered once, when the URL and headers name no per-job placeholder.
        var prepared: PreparedRequest?

        init(_ submit: TargetSpec.Submit, fixed: [String: String], runID: String, keepsBody: Bool) {
            url = PlaceholderTemplate(submit.url, fixed: fixed, perJob: Self.perJob)
            headers = submit.headers.sorted { $0.key < $1.key }.map { ($0.key, PlaceholderTemplate($0.value, fixed: fixed, perJob: Self.perJob)) }
            body = PlaceholderTemplate(submit.body, fixed: fixed, perJob: Self.perJob)
            bodyBytes = JobBodyTemplate(body, runID: runID)
            self.keepsBody = keepsBody
            if let url = url.constant, let split = LoadEndpoint.split(url) {
                let headers = headers.compactMap { header in header.value.constant.map { (header.name, $0) } }
                if headers.count == self.headers.count {
                    prepared = try? PreparedRequest(method: submit.method, endpoint: split.endpoint, target: split.target, headers: headers,
                                                    keepsBody: keepsBody)
                }
            }
        }
    }

    /// Offers the whole schedule — or only the arrivals `share` lists (an agent's share; indices into the schedule,
    /// ascending) — until `stop` is raised, on `lanes` ``SendLoop`` threads; returns when every started submission
    /// finished. `startMicros` is the wall-clock time of offset 0.
    func run(schedule: ArrivalSchedule, startMicros: Int64, stop: StopSignal, share: [Int]? = nil,
             lanes: Int = System.coreCount) async {
        let client = LoadHTTPClient(lanes: lanes, maxConnections: min(scenario.load.maxInFlight, 512))
        let origin = SendLoop.now() + (startMicros - WallClock.nowMicros()) * 1000
        let warmupNanos = UInt64(Int64(saturating: max(0, scenario.warmupSeconds) * 1e9))
        let picker = JobPicker(scenario: scenario)
        let offsets = schedule.offsetsNanos
        timing.withLock { $0 = (startMicros, offsets) }
        let arrivals = share ?? Array(offsets.indices)
        let observer = observer
        await ArrivalLanes.run(count: arrivals.count, offsetNanos: { Int64(offsets[arrivals[$0]]) }, origin: origin,
                               window: Int64(scenario.load.batchWindowMicros) * 1000, loops: client.loops, admission: loop,
                               stop: stop, dropped: { observer?.dropped(arrivals[$0]) }) { position, lane, done in
            let index = arrivals[position]
            let intended = startMicros + Int64(offsets[index] / 1000)
            observer?.dispatched(index, WallClock.nowMicros() - intended)
            let draw = picker.draw(index: index)
            self.submit(index: index, type: draw.type, priority: draw.priority, intendedMicros: intended,
                        measured: offsets[index] >= warmupNanos, client: client, lane: lane, done: done)
        }
        await client.shutdown()
    }

    private func submit(index: Int, type: Int, priority: Int, intendedMicros: Int64, measured: Bool,
                        client: LoadHTTPClient, lane: Int, done: @escaping @Sendable () -> Void) {
        var injected: InjectedTrace?
        if target.submit.traceparent == .inject {
            injected = InjectedTrace.make(seed: scenario.seed, index: index, ratio: target.submit.injectRatio)
            injected?.startNanos = UInt64(max(0, intendedMicros)) * 1000
        }
        let templates = templates[scenario.jobs.indices.contains(type) ? type : templates.count - 1]
        let request: LoadRequest
        do throws(LoadRequestError) {
            if let prepared = templates.prepared, injected == nil {
                request = prepared.request(body: templates.bodyBytes, values: .init(index: index, priority: priority), allocator: client.allocator)
            } else {
                let values = [jobID(index), String(priority), String(index)]
                var headers = templates.headers.map { ($0.name, $0.value.render(values)) }
                if let injected {
                    headers.removeAll { $0.0.lowercased() == "traceparent" }
                    headers.append(("traceparent", injected.traceparent))
                }
                let url = templates.url.render(values)
                guard let split = LoadEndpoint.split(url) else { throw LoadRequestError(message: "not an http:// URL: \(url)") }
                request = try LoadRequest.render(method: target.submit.method, endpoint: split.endpoint, target: split.target, headers: headers,
                                                 body: templates.body.render(values).utf8, keepsBody: templates.keepsBody)
            }
        } catch {
            record(index: index, failure: error.message, header: nil, injected: nil, intendedMicros: intendedMicros, measured: measured,
                   finished: WallClock.nowMicros())
            return done()
        }
        client.execute(request, lane: lane) { result in
            var failure: String?
            var header: String?
            var finished: Int64?
            switch result {
            case let .success(response):
                finished = response.endedMicros
                if !self.target.submit.accept.contains(response.status) { failure = "HTTP \(response.status)" }
                switch self.target.correlate?.traceID {
                case let .responseHeader(name): header = response.header(name)
                case let .responseBody(pointer): header = response.body.flatMap { JSONPointer.string(at: pointer, in: Data($0.readableBytesView)) }
                case .ledger, .injected, nil: break
                }
            case let .failure(error):
                failure = error.message
            }
            self.record(index: index, failure: failure, header: header, injected: injected, intendedMicros: intendedMicros,
                        measured: measured, finished: finished ?? WallClock.nowMicros())
            done()
        }
    }

    /// Job `index`'s id: built only where it is kept (a correlation header, an injected trace, the snapshot).
    private func jobID(_ index: Int) -> String { "\(runID)-\(index)" }

    /// Counts one submission that ended at `finished` (µs since the epoch).
    private func record(index: Int, failure: String?, header: String?, injected: InjectedTrace?, intendedMicros: Int64, measured: Bool,
                        finished: Int64) {
        observer?.resolved(index, failure, finished - intendedMicros)
        tally.withLock { state in
            if let failure {
                state.submitErrors += 1
                state.lastError = failure
                return
            }
            _ = state.accepted.insert(index)
            if let header { state.traceHeaders[jobID(index)] = header }
            if var injected {
                injected.endNanos = UInt64(max(0, finished)) * 1000
                state.injected[jobID(index)] = injected
            }
            if measured {
                _ = state.measured.insert(index)
                state.submitLatency.record(microseconds: finished - intendedMicros)
            }
        }
    }
}
