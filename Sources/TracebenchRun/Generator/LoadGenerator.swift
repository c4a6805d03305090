import NIOCore
import NIOPosix
import Synchronization
import TracebenchMeasure
import TracebenchPipeline
import TracebenchResults
import TracebenchScenario
import TracebenchVocabulary

/// The open-model load generator: submits jobs to the API at their intended times from an ``ArrivalSchedule``,
/// never waiting for responses to decide when to send (no coordinated omission). Submit latency is measured
/// from the intended start, as wrk2 does; arrivals that find `max_in_flight` submissions outstanding are dropped
/// and counted (k6's dropped_iterations); jobs intended during warm-up are excluded from latency.
final class LoadGenerator: Sendable {
    /// What the load generator observed.
    struct Tally: Sendable {
        /// The indices of the jobs the API accepted (their ids are `<run id>-<index>`).
        var accepted = JobIndexSet()
        var submitLatency = LatencyHistogram()
        var droppedArrivals = 0
        /// Submit latency (by when the response came) and dropped arrivals (at their intended start) per interval.
        var series = IntervalSeriesBuilder(originMicros: 0, intervalSeconds: 1)
        /// When `series` was last sealed (µs since the epoch).
        var sealedAtMicros: Int64 = 0
        var lateStarts = 0
        /// The open loop's dispatch lag per admitted arrival (µs).
        var scheduleLag = LatencyHistogram()
        /// The machine's own pauses while this host's lanes ran (nil: they have not run).
        var hostPauses: HostPauseMeter.Pauses?
        var submitErrors = 0
        var lastError = ""
        var inFlight = 0
        var started = 0
        /// Overhead runs, per arm (measured jobs only): client submit latency and the API's server time, in ns.
        var armSubmitNanos: [SampleHistogram] = []
        var armServerNanos: [SampleHistogram] = []

        /// The live view (finished jobs are the pipeline's Redis counter, added by the caller).
        var live: LiveLoad {
            LiveLoad(submitted: accepted.count, droppedArrivals: droppedArrivals, submitErrors: submitErrors, lateStarts: lateStarts,
                     inFlight: inFlight, submitLatency: submitLatency)
        }
    }

    let scenario: Scenario
    let runID: String
    let apiURL: String
    private let tally: Mutex<Tally>
    private let loop: OpenLoop<ContinuousClock>

    init(scenario: Scenario, runID: String, apiURL: String) {
        self.scenario = scenario
        self.runID = runID
        self.apiURL = apiURL
        let arms = scenario.overhead?.arms.count ?? 1
        tally = Mutex(Tally(armSubmitNanos: Array(repeating: SampleHistogram(), count: arms),
                            armServerNanos: Array(repeating: SampleHistogram(), count: arms)))
        loop = OpenLoop(clock: ContinuousClock(), maxInFlight: scenario.load.maxInFlight)
    }

    /// A copy of the counts so far (admission counts from the open loop).
    var snapshot: Tally {
        let counts = loop.counts
        var copy = tally.withLock { $0 }
        copy.droppedArrivals = counts.dropped
        copy.started = counts.started
        copy.lateStarts = counts.lateStarts
        copy.scheduleLag = loop.lag
        copy.hostPauses = loop.hostPauses
        copy.inFlight = counts.inFlight
        return copy
    }

    /// Offers the whole schedule (or until `stop` is raised) on `lanes` ``SendLoop`` threads; returns when every started
    /// submission finished. `startMicros` is the wall-clock time of offset 0.
    func run(schedule: ArrivalSchedule, startMicros: Int64, stop: StopSignal,
             lanes: Int = System.coreCount) async {
        tally.withLock { $0.series = IntervalSeriesBuilder(originMicros: startMicros, intervalSeconds: scenario.reportIntervalSeconds) }
        // One prepared head per overhead arm (the arm travels in a header).
        let prepared: [PreparedRequest]
        do throws(LoadRequestError) {
            guard let target = LoadEndpoint.split(apiURL + "/jobs") else { throw LoadRequestError(message: "not an http:// URL: \(apiURL)") }
            prepared = try (0..<max(1, scenario.overhead?.arms.count ?? 1)).map { arm throws(LoadRequestError) in
                try PreparedRequest(method: "POST", endpoint: target.endpoint, target: target.target,
                                    headers: [("Content-Type", "application/json"), (ArmHeaders.arm, String(arm))], keepsBody: false)
            }
        } catch {
            tally.withLock { $0.submitErrors += 1; $0.lastError = error.message }
            return
        }
        let client = LoadHTTPClient(lanes: lanes, maxConnections: min(scenario.load.maxInFlight, 512))
        let origin = SendLoop.now() + (startMicros - WallClock.nowMicros()) * 1000
        let warmupNanos = UInt64(Int64(saturating: max(0, scenario.warmupSeconds) * 1e9))
        let picker = JobPicker(scenario: scenario)
        let offsets = schedule.offsetsNanos
        let runID = runID
        @Sendable func intendedMicros(_ index: Int) -> Int64 { startMicros + Int64(offsets[index] / 1000) }
        await ArrivalLanes.run(count: offsets.count, offsetNanos: { Int64(offsets[$0]) }, origin: origin,
                               window: Int64(scenario.load.batchWindowMicros) * 1000, loops: client.loops, admission: loop, stop: stop,
                               dropped: { index in self.tally.withLock { $0.series.count(IntervalSeries.Counter.droppedArrivals, atMicros: intendedMicros(index)) } }) { index, lane, done in
            let job = picker.job(index: index, id: "\(runID)-\(index)", intendedStartMicros: intendedMicros(index))
            let measured = offsets[index] >= warmupNanos
            let request = prepared[prepared.indices.contains(job.arm) ? job.arm : 0].request(body: job.json.utf8, allocator: client.allocator)
            client.execute(request, lane: lane) { result in
                switch result {
                case let .success(response):
                    self.record(job, index: index, measured: measured, failure: response.status == 201 ? nil : "HTTP \(response.status)",
                                serverNanos: response.header(ArmHeaders.serverNanos).flatMap { UInt64($0) }, finished: response.endedMicros)
                case let .failure(error):
                    self.record(job, index: index, measured: measured, failure: error.message, serverNanos: nil, finished: WallClock.nowMicros())
                }
                done()
            }
        }
        await client.shutdown()
    }

    /// Counts one submission that ended at `finished` (µs since the epoch).
    private func record(_ job: JobRequest, index: Int, measured: Bool, failure: String?, serverNanos: UInt64?, finished: Int64) {
        tally.withLock { state in
            if let failure {
                state.submitErrors += 1
                state.lastError = failure
            } else {
                state.accepted.insert(index)
                if measured {
                    state.submitLatency.record(microseconds: finished - job.intendedStartMicros)
                    state.series.record("submit", microseconds: finished - job.intendedStartMicros, endedAtMicros: finished)
                    if finished - state.sealedAtMicros > 5_000_000 {  // interval histograms idle for 15 s: kept encoded
                        state.series.seal(idleSince: finished - 15_000_000)
                        state.sealedAtMicros = finished
                    }
                    if state.armSubmitNanos.indices.contains(job.arm) {
                        state.armSubmitNanos[job.arm].record(nanoseconds: UInt64(max(0, finished - job.intendedStartMicros)) * 1000)
                        if let serverNanos { state.armServerNanos[job.arm].record(nanoseconds: serverNanos) }
                    }
                }
            }
        }
    }
}

/// Chooses each job's type (by weight), priority and seed from the scenario's seeded stream.
struct JobPicker: Sendable {
    let scenario: Scenario
    private let cumulativeWeights: [Double]
    private let random: SeededGenerator

    init(scenario: Scenario) {
        self.scenario = scenario
        var sum = 0.0
        cumulativeWeights = scenario.jobs.map { sum += $0.weight; return sum }
        random = SeededGenerator(seed: scenario.seed).derived(0x10B5)
    }

    func job(index: Int, id: String, intendedStartMicros: Int64) -> JobRequest {
        let draw = draw(index: index)
        return JobRequest(id: id, type: draw.type, priority: draw.priority, seed: draw.seed, intendedStartMicros: intendedStartMicros, arm: draw.arm)
    }

    /// Job `index`'s type, priority, seed and arm, without its id (the hot path builds none it does not need).
    func draw(index: Int) -> (type: Int, priority: Int, seed: UInt64, arm: Int) {
        var random = random.derived(UInt64(index))
        let total = cumulativeWeights.last ?? 1
        let point = random.nextUnit() * total
        let type = cumulativeWeights.firstIndex { point < $0 } ?? (scenario.jobs.count - 1)
        let spec = scenario.jobs[type]
        let priority = spec.priorityMin + Int(random.next() % UInt64(spec.priorityMax - spec.priorityMin + 1))
        let seed = random.next()
        let armCount = UInt64(scenario.overhead?.arms.count ?? 1)
        let arm = armCount > 1 ? Int(random.next() % armCount) : 0
        return (type, priority, seed, arm)
    }
}
