/// The load generators' open loop on ``SendLoop`` threads: one timer mechanism for the whole schedule. The arrivals are
/// striped over the loops (lane `l` offers indices `l, l + L, l + 2L, …`); each lane wakes at its next arrival's
/// intended instant, dispatches every arrival due by then in one pass (its send written from the same thread: no task,
/// no sleep and no thread hop per arrival) and arms one timer for the next. A lane that wakes while another is more
/// than ``stealAfter`` (plus the batch window) past one of its arrivals takes that arrival over (``LaneCursors``): a
/// thread held off its CPU — on a virtual machine, for a millisecond or more — does not make its share late. Admission,
/// drops, late starts and the lag histogram are ``OpenLoop``'s, so both drivers count alike; so are the machine's own
/// pauses meanwhile (``HostPauseMeter``), measured while the lanes run.
enum ArrivalLanes {
    /// The longest a lane sleeps before looking at the stop signal again (ns).
    static let stopCheck: Int64 = 100_000_000
    /// How far past its intended instant (beyond the batch window) an arrival must be before another lane takes it
    /// over (ns): above a lane's usual wake-up latency, below ``OpenLoop/lateAfter``.
    static let stealAfter: Int64 = 250_000

    /// What a lane does with an admitted arrival: `send(index, lane, done)` runs on lane `lane`'s thread and must call
    /// `done` once, on that thread, when the send has ended.
    typealias Send = @Sendable (_ index: Int, _ lane: Int, _ done: @escaping @Sendable () -> Void) -> Void

    /// Offers arrivals `0..<count` (arrival `i` intended at `origin + offsetNanos(i)`, monotonic ns as
    /// ``SendLoop/now()``) over `loops` and returns when every lane has offered its share (or seen `stop`) and every
    /// admitted send has called its `done`. A lane wakes at most once per `window` ns (`load.batch_window_us`).
    /// `dropped` runs for an arrival not admitted.
    static func run<C>(count: Int, offsetNanos: @escaping @Sendable (Int) -> Int64, origin: Int64, window: Int64 = 0, loops: [SendLoop],
                       admission: OpenLoop<C>, stop: StopSignal, dropped: @escaping @Sendable (Int) -> Void = { _ in }, send: @escaping Send) async {
        let cursors = LaneCursors(lanes: loops.count)
        admission.hostPauses = await HostPauseMeter.measure { await withDiscardingTaskGroup { group in
            for (index, loop) in loops.enumerated() {
                group.addTask {
                    await withCheckedContinuation { (finished: CheckedContinuation<Void, Never>) in
                        loop.execute {
                            let lane = Lane(lane: index, cursors: cursors, count: count, origin: origin, offsetNanos: offsetNanos, window: window,
                                            clock: SendLoop.now, admission: admission, stop: stop, dropped: dropped, send: send,
                                            makeRoom: { [weak loop] in loop?.pollReady() }) { finished.resume() }
                            lane.loop = loop
                            lane.timerFired()
                        }
                    }
                }
            }
        } }
    }

    /// One loop's share of the schedule. ``tick()`` is the whole logic (the tests drive it on virtual time); on a
    /// ``SendLoop`` the lane's own timer calls it.
    ///
    /// `@unchecked Sendable`: its mutable state (`outstanding`, `offered`) is read and written only on its loop's thread
    /// (ticks run there, and sends call `done` there — also those of arrivals it took over from another lane), so no two
    /// threads ever touch it; where the lanes have got to is shared only through ``LaneCursors``' atomics.
    final class Lane<C: Clock>: TimerHandler, @unchecked Sendable where C.Duration == Duration {
        let lane: Int
        /// Every lane's next arrival, shared by the lanes of one run.
        let cursors: LaneCursors
        let count: Int
        let origin: Int64
        let offsetNanos: @Sendable (Int) -> Int64
        /// The lane's clock (monotonic ns): ``SendLoop/now()``, or a test's virtual time.
        let clock: () -> Int64
        let admission: OpenLoop<C>
        let stop: StopSignal
        let dropped: @Sendable (Int) -> Void
        let send: Send
        /// Takes in the responses that have come (the loop's ready sockets, without waiting), before an arrival that
        /// finds `max_in_flight` sends outstanding is dropped: a slot is free from the moment its response came, not
        /// from when the loop would have read it.
        let makeRoom: () -> Void
        let finished: () -> Void
        /// The least time between two of the lane's wake-ups (ns): arrivals due within it are dispatched together.
        let window: Int64
        /// The loop whose timer wakes the lane (none when a test drives it).
        weak var loop: SendLoop?
        private var outstanding = 0
        private var offered = false
        private var reportedFinished = false

        init(lane: Int, cursors: LaneCursors, count: Int, origin: Int64, offsetNanos: @escaping @Sendable (Int) -> Int64, window: Int64 = 0,
             clock: @escaping () -> Int64,
             admission: OpenLoop<C>, stop: StopSignal, dropped: @escaping @Sendable (Int) -> Void, send: @escaping Send,
             makeRoom: @escaping () -> Void = {}, finished: @escaping () -> Void) {
            self.lane = lane
            self.cursors = cursors
            self.count = count
            self.origin = origin
            self.offsetNanos = offsetNanos
            self.window = max(0, window)
            self.clock = clock
            self.admission = admission
            self.stop = stop
            self.dropped = dropped
            self.send = send
            self.makeRoom = makeRoom
            self.finished = finished
        }

        /// Dispatches every arrival of its own due by now, and any of another lane's that lane is well past; returns
        /// when to wake next — its next arrival's intended instant, or a `window` after this wake-up if that is later —
        /// or nil once the lane has offered its share (or seen the stop signal).
        func tick() -> Int64? {
            let woke = clock()
            var mayMakeRoom = true
            var wake: Int64?
            while true {
                let index = cursors.next(lane)
                guard index < count else { break }
                if stop.isRaised {
                    cursors.end(lane, at: count)
                    break
                }
                let intended = origin + offsetNanos(index)
                let dispatched = clock()
                if intended > dispatched {
                    wake = max(intended, woke + window)
                    break
                }
                if cursors.take(index, of: lane) { offer(index, intended: intended, dispatched: dispatched, mayMakeRoom: &mayMakeRoom) }
            }
            takeOverdue(mayMakeRoom: &mayMakeRoom)
            if let wake { return wake }
            offered = true
            finishIfDone()
            return nil
        }

        /// Offers the other lanes' arrivals that are more than ``ArrivalLanes/stealAfter`` past their instant beyond
        /// the batch window (their lane's thread is held up), oldest first.
        private func takeOverdue(mayMakeRoom: inout Bool) {
            let lanes = cursors.lanes
            guard lanes > 1, !stop.isRaised else { return }
            for other in 0..<lanes where other != lane {
                while true {
                    let index = cursors.next(other)
                    guard index < count else { break }
                    let intended = origin + offsetNanos(index)
                    let now = clock()
                    guard now - intended > window + ArrivalLanes.stealAfter else { break }
                    if cursors.take(index, of: other) { offer(index, intended: intended, dispatched: now, mayMakeRoom: &mayMakeRoom) }
                }
            }
        }

        /// Admits arrival `index` and starts its send from this lane, or drops it.
        private func offer(_ index: Int, intended: Int64, dispatched: Int64, mayMakeRoom: inout Bool) {
            var admitted = admission.admitIfRoom(lag: .nanoseconds(dispatched - intended))
            if !admitted, mayMakeRoom {
                makeRoom()
                admitted = admission.admitIfRoom(lag: .nanoseconds(clock() - intended))
                mayMakeRoom = admitted  // one that freed nothing is not tried again this wake-up: its cost stays bounded by the admissions
            }
            if !admitted { admitted = admission.admit(lag: .nanoseconds(clock() - intended)) }  // counts the drop
            if admitted {
                outstanding += 1
                send(index, lane) { self.sendEnded() }
            } else {
                dropped(index)
            }
        }

        func timerFired() {
            guard let next = tick() else { return }
            loop?.arm(self, at: min(next, clock() + ArrivalLanes.stopCheck))
        }

        private func sendEnded() {
            admission.finished()
            outstanding -= 1
            finishIfDone()
        }

        private func finishIfDone() {
            guard offered, outstanding == 0, !reportedFinished else { return }
            reportedFinished = true
            finished()
        }
    }
}
