import NIOCore
import Synchronization

/// The load generators' open loop on NIO event loops: one timer mechanism for the whole schedule. The arrivals are
/// striped over the loops (lane `l` offers indices `l, l + L, l + 2L, …`); each lane wakes at its next arrival's
/// intended instant, dispatches every arrival due by then in one pass (its send written from the same thread: no task,
/// no sleep and no thread hop per arrival) and arms one timer for the next. Admission, drops, late starts and the lag
/// histogram are ``OpenLoop``'s, so both drivers count alike.
enum ArrivalLanes {
    /// The longest a lane sleeps before looking at the stop signal again.
    static let stopCheck: TimeAmount = .milliseconds(100)

    /// Offers arrivals `0..<count` (arrival `i` intended at `origin + offsetNanos(i)`) over `loops` and returns when
    /// every lane has offered its share (or seen `stop`) and every admitted send has called its `done`.
    /// `send(index, lane, done)` runs on lane `lane`'s event loop and must call `done` (on any thread) once; `dropped`
    /// runs for an arrival not admitted. `now` reads a lane's clock (tests make it lag to inject a slow generator).
    static func run<C>(count: Int, offsetNanos: @escaping @Sendable (Int) -> Int64, origin: NIODeadline, loops: [any EventLoop],
                       admission: OpenLoop<C>, stop: StopSignal, now: @escaping @Sendable (any EventLoop) -> NIODeadline = { $0.now },
                       dropped: @escaping @Sendable (Int) -> Void = { _ in },
                       send: @escaping @Sendable (_ index: Int, _ lane: Int, _ done: @escaping @Sendable () -> Void) -> Void) async {
        let lanes = loops.indices.map { lane in
            Lane(lane: lane, stride: loops.count, count: count, loop: loops[lane], origin: origin, offsetNanos: offsetNanos, now: now,
                 admission: admission, stop: stop, dropped: dropped, send: send)
        }
        for lane in lanes { lane.loop.execute { lane.tick() } }
        for lane in lanes { try? await lane.finished.futureResult.get() }
    }

    /// One event loop's share of the schedule.
    ///
    /// `@unchecked Sendable`: its mutable state (`next`, `outstanding`, `offered`) is read and written only on `loop`
    /// (ticks are scheduled on it; `done` hops to it when called elsewhere), so no two threads ever touch it.
    final class Lane<C: Clock>: NIOScheduledCallbackHandler, @unchecked Sendable where C.Duration == Duration {
        let lane: Int
        let stride: Int
        let count: Int
        let loop: any EventLoop
        let origin: NIODeadline
        let offsetNanos: @Sendable (Int) -> Int64
        let now: @Sendable (any EventLoop) -> NIODeadline
        let admission: OpenLoop<C>
        let stop: StopSignal
        let dropped: @Sendable (Int) -> Void
        let send: @Sendable (Int, Int, @escaping @Sendable () -> Void) -> Void
        let finished: EventLoopPromise<Void>
        private var next: Int
        private var outstanding = 0
        private var offered = false

        init(lane: Int, stride: Int, count: Int, loop: any EventLoop, origin: NIODeadline, offsetNanos: @escaping @Sendable (Int) -> Int64,
             now: @escaping @Sendable (any EventLoop) -> NIODeadline, admission: OpenLoop<C>, stop: StopSignal,
             dropped: @escaping @Sendable (Int) -> Void, send: @escaping @Sendable (Int, Int, @escaping @Sendable () -> Void) -> Void) {
            self.lane = lane
            self.stride = stride
            self.count = count
            self.loop = loop
            self.origin = origin
            self.offsetNanos = offsetNanos
            self.now = now
            self.admission = admission
            self.stop = stop
            self.dropped = dropped
            self.send = send
            finished = loop.makePromise()
            next = lane
        }

        /// Dispatches every arrival due by now, then sleeps until the next one (at most ``stopCheck``).
        func tick() {
            loop.assertInEventLoop()
            while next < count {
                if stop.isRaised {
                    next = count
                    break
                }
                let intended = origin + .nanoseconds(offsetNanos(next))
                let dispatched = now(loop)
                if intended > dispatched {
                    // A callback, not a task: no promise or future per wake-up. A loop shutting down refuses it: the
                    // lane offers nothing more (as if stopped) rather than waiting for a tick that never comes.
                    if (try? loop.scheduleCallback(at: min(intended, dispatched + ArrivalLanes.stopCheck), handler: self)) != nil { return }
                    next = count
                    break
                }
                let index = next
                next += stride
                if admission.admit(lag: .nanoseconds((dispatched - intended).nanoseconds)) {
                    outstanding += 1
                    send(index, lane) { self.sendEnded() }
                } else {
                    dropped(index)
                }
            }
            offered = true
            finishIfDone()
        }

        func handleScheduledCallback(eventLoop: some EventLoop) {
            tick()
        }

        private func sendEnded() {
            guard loop.inEventLoop else {
                loop.execute { self.sendEnded() }
                return
            }
            admission.finished()
            outstanding -= 1
            finishIfDone()
        }

        private func finishIfDone() {
            if offered, outstanding == 0 { finished.succeed() }
        }
    }
}
