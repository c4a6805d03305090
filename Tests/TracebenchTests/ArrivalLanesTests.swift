import NIOCore
import NIOEmbedded
import Synchronization
import Testing
@testable import TracebenchRun

/// The load generators' event-loop open loop on virtual time (NIO's testing event loop): admission, drops, lag,
/// striping and stop, checked exactly.
@Suite("arrival lanes on virtual time")
struct ArrivalLanesTests {
    /// Runs `count` arrivals 10 ms apart (the first 1 ms after now) over `loops`, advancing virtual time until the lanes
    /// return; `send` decides when each send ends.
    static func run(loops: [NIOAsyncTestingEventLoop], count: Int, maxInFlight: Int = 100, lag: TimeAmount = .zero, stop: StopSignal = StopSignal(),
                    offset: @escaping @Sendable (Int) -> Int64 = { Int64($0) * 10_000_000 },
                    send: @escaping @Sendable (Int, Int, @escaping @Sendable () -> Void) -> Void) async -> OpenLoop<ContinuousClock> {
        let admission = OpenLoop(clock: ContinuousClock(), maxInFlight: maxInFlight)
        let origin = loops[0].now + .milliseconds(1)
        let finished = Atomic(false), ticked = Atomic(false)
        let running = Task {
            await ArrivalLanes.run(count: count, offsetNanos: offset, origin: origin, loops: loops, admission: admission, stop: stop,
                                   now: { ticked.store(true, ordering: .sequentiallyConsistent); return $0.now + lag }, send: send)
            finished.store(true, ordering: .sequentiallyConsistent)
        }
        // Virtual time stands still until the lanes' first ticks ran (they are queued together, before any runs): a task
        // started late on a starved machine must not find its first arrivals already past.
        while !ticked.load(ordering: .sequentiallyConsistent) && !finished.load(ordering: .sequentiallyConsistent) {
            for loop in loops { await loop.run() }
            await Task.yield()
        }
        while !finished.load(ordering: .sequentiallyConsistent) {
            for loop in loops { await loop.advanceTime(by: .milliseconds(1)) }
            await Task.yield()
        }
        await running.value
        return admission
    }

    @Test("a generator made 5 ms or 300 µs slow shows exactly that lag on every dispatch (load.lag); an exact one, 0")
    func lagKnownAnswer() async {
        for (lag, micros) in [(TimeAmount.milliseconds(5), UInt64(5000)), (.microseconds(300), 300), (.zero, 0)] {
            let loop = NIOAsyncTestingEventLoop()
            let admission = await Self.run(loops: [loop], count: 50, lag: lag) { _, _, done in done() }
            let summary = admission.lag.summary()
            #expect(summary.count == 50 && summary.p50 == micros && summary.p99 == micros && summary.max == micros, "\(lag): \(summary)")
            #expect(admission.counts.lateStarts == (micros > 1000 ? 50 : 0) && admission.counts.started == 50 && admission.counts.dropped == 0)
            await loop.shutdownGracefully()
        }
    }

    @Test("arrivals past max_in_flight are dropped and counted, never sent late; the ones admitted end when their sends do")
    func admissionAndDrops() async {
        let loop = NIOAsyncTestingEventLoop()
        let pending = Mutex<[@Sendable () -> Void]>([])
        let sent = Mutex<[Int]>([])
        let admission = await Self.run(loops: [loop], count: 10, maxInFlight: 3) { index, _, done in
            sent.withLock { $0.append(index) }
            pending.withLock { $0.append(done) }
            if index == 2 {
                // Sends 0–2 stay outstanding for the rest of the schedule; they end once the last arrival was offered.
                loop.scheduleTask(in: .milliseconds(100)) { pending.withLock { $0 }.forEach { $0() } }
            }
        }
        #expect(admission.counts == OpenLoop<ContinuousClock>.Counts(started: 3, dropped: 7, lateStarts: 0, inFlight: 0))
        #expect(sent.withLock { $0 } == [0, 1, 2])
        await loop.shutdownGracefully()
    }

    @Test("two lanes share the schedule: every arrival is offered once, lane l takes l, l + 2, …, each at its own instant")
    func striping() async {
        let loops = [NIOAsyncTestingEventLoop(), NIOAsyncTestingEventLoop()]
        let seen = Mutex<[Int: Int]>([:])
        let admission = await Self.run(loops: loops, count: 41) { index, lane, done in
            seen.withLock { $0[index] = lane }
            done()
        }
        #expect(seen.withLock { $0 } == Dictionary(uniqueKeysWithValues: (0..<41).map { ($0, $0 % 2) }))
        #expect(admission.counts.started == 41 && admission.lag.summary().max == 0)
        for loop in loops { await loop.shutdownGracefully() }
    }

    @Test("a stop raised during the schedule offers nothing after it, even while a lane sleeps toward a far arrival")
    func stop() async {
        let loop = NIOAsyncTestingEventLoop()
        let stop = StopSignal()
        // Arrival 5 is an hour away: the lane looks at the stop signal every 100 ms while it waits.
        let admission = await Self.run(loops: [loop], count: 10, stop: stop, offset: { $0 < 5 ? Int64($0) * 10_000_000 : 3_600_000_000_000 }) { index, _, done in
            if index == 4 { stop.raise() }
            done()
        }
        #expect(admission.counts.started == 5)
        await loop.shutdownGracefully()
    }
}
