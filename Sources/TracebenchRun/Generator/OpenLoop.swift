import Synchronization
import TracebenchMeasure

/// The open model's admission and bookkeeping, shared by its two drivers — ``ArrivalLanes`` (the load generators:
/// arrivals timed on NIO event loops, sends written from the same thread) and ``run(count:offset:from:stop:dropped:send:)``
/// (the firehose: a task per send). Arrival `index` is offered at its intended instant whatever earlier arrivals are
/// doing (no coordinated omission: a slow response never delays the next send), admitted while fewer than
/// `maxInFlight` are outstanding, else dropped and counted (k6's dropped_iterations) — never queued and sent late.
///
/// The clock is injected: runs use `ContinuousClock`, tests a virtual clock, so admission and lateness are checked
/// without wall-clock races.
final class OpenLoop<C: Clock>: Sendable where C.Duration == Duration {
    /// What the loop did so far.
    struct Counts: Sendable, Equatable {
        /// Arrivals admitted (their send started).
        var started = 0
        /// Arrivals that found `maxInFlight` sends outstanding.
        var dropped = 0
        /// Admitted arrivals whose send started more than ``lateAfter`` after the intended instant (the sender itself
        /// fell behind: a starved host, not the system under test).
        var lateStarts = 0
        /// Sends outstanding now.
        var inFlight = 0
    }

    /// How late each admitted send was dispatched: from its intended instant to the loop starting its send (µs). The
    /// generator's own precision — `load.lag` in the results.
    var lag: LatencyHistogram { state.withLock { $0.lag } }

    /// How far past its intended instant a send may start before it counts as late.
    static var lateAfter: Duration { .milliseconds(1) }

    /// The machine's own pauses while the lanes ran (``HostPauseMeter``); nil until they have run.
    var hostPauses: HostPauseMeter.Pauses? {
        get { pauses.withLock { $0 } }
        set { pauses.withLock { $0 = newValue } }
    }

    let clock: C
    let maxInFlight: Int
    private let state = Mutex((counts: Counts(), lag: LatencyHistogram()))
    private let pauses = Mutex<HostPauseMeter.Pauses?>(nil)

    init(clock: C, maxInFlight: Int) {
        self.clock = clock
        self.maxInFlight = maxInFlight
    }

    /// A copy of the counts so far.
    var counts: Counts { state.withLock { $0.counts } }

    /// Admits an arrival dispatched `lag` after its intended instant (true: its send starts now, and ``finished()``
    /// must follow it), or drops and counts it (false).
    func admit(lag: Duration) -> Bool { admit(lag: lag, countingDrop: true) }

    /// Admits an arrival as ``admit(lag:)`` does while there is room; when `maxInFlight` sends are outstanding it
    /// neither admits nor counts anything, so the caller can first take in the responses that have come (freeing their
    /// slots) and then decide with ``admit(lag:)``.
    func admitIfRoom(lag: Duration) -> Bool { admit(lag: lag, countingDrop: false) }

    private func admit(lag: Duration, countingDrop: Bool) -> Bool {
        let micros = Int64(max(0, lag / .microseconds(1)))
        return state.withLock { state -> Bool in
            guard state.counts.inFlight < maxInFlight else {
                if countingDrop { state.counts.dropped += 1 }
                return false
            }
            state.counts.inFlight += 1
            state.counts.started += 1
            if lag > Self.lateAfter { state.counts.lateStarts += 1 }
            state.lag.record(microseconds: micros)
            return true
        }
    }

    /// One admitted send ended.
    func finished() {
        state.withLock { $0.counts.inFlight -= 1 }
    }

    /// Offers arrivals `0..<count` and returns when every admitted send has finished (or after `stop` is raised and
    /// the sends already started have finished). `dropped(index)` runs for an arrival not admitted; `send(index)`
    /// runs in its own task for one admitted.
    func run(count: Int, offset: (Int) -> Duration, from origin: C.Instant, stop: StopSignal,
             dropped: (Int) -> Void = { _ in }, send: @escaping @Sendable (Int) async -> Void) async {
        await withDiscardingTaskGroup { group in
            for index in 0..<count {
                if stop.isRaised { break }
                let intended = origin.advanced(by: offset(index))
                if intended > clock.now {
                    try? await clock.sleep(until: intended, tolerance: nil)
                    if stop.isRaised { break }
                }
                guard admit(lag: intended.duration(to: clock.now)) else {
                    dropped(index)
                    continue
                }
                group.addTask {
                    await send(index)
                    self.finished()
                }
            }
        }
    }
}
