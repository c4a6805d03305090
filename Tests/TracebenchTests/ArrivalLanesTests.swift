import Synchronization
import Testing
@testable import TracebenchRun

/// The load generators' open loop: the lanes' logic on virtual time (admission, drops, lag, striping and stop, checked
/// exactly), then whole runs on real ``SendLoop`` threads.
@Suite("arrival lanes")
struct ArrivalLanesTests {
    /// Virtual time, read by the lanes' clock.
    final class VirtualClock {
        var now: Int64 = 0
    }

    /// Runs `count` arrivals 10 ms apart (the first 1 ms after time 0) over `lanes` lanes on virtual time, each lane's
    /// clock reading `lag` ahead of the instant it was woken for; returns once no lane has an arrival left to offer
    /// (sends that have not called `done` yet are still outstanding).
    static func run(lanes laneCount: Int = 1, count: Int, maxInFlight: Int = 100, lag: Int64 = 0, window: Int64 = 0, stop: StopSignal = StopSignal(),
                    offset: @escaping @Sendable (Int) -> Int64 = { Int64($0) * 10_000_000 }, wakeUps: ((Int64) -> Void)? = nil,
                    makeRoom: @escaping () -> Void = {}, held: (lane: Int, during: Range<Int64>)? = nil, send: @escaping ArrivalLanes.Send) -> (admission: OpenLoop<ContinuousClock>, finished: () -> Int) {
        let admission = OpenLoop(clock: ContinuousClock(), maxInFlight: maxInFlight)
        let clock = VirtualClock()
        let finished = Atomic(0)
        let cursors = ArrivalLanes.LaneCursors(lanes: laneCount)
        let lanes = (0..<laneCount).map { lane in
            ArrivalLanes.Lane(lane: lane, cursors: cursors, count: count, origin: 1_000_000, offsetNanos: offset, window: window, clock: { clock.now + lag },
                              admission: admission, stop: stop, dropped: { _ in }, send: send, makeRoom: makeRoom) { finished.add(1, ordering: .relaxed) }
        }
        var wakes: [Int64?] = lanes.map { _ in 0 }
        while true {
            for (index, lane) in lanes.enumerated() {
                if let wake = wakes[index], wake <= clock.now {
                    wakeUps?(clock.now)
                    wakes[index] = lane.tick()
                    // A lane held off its CPU: it wakes only when the hold ends.
                    if let held, held.lane == index, let wake = wakes[index], held.during.contains(wake) { wakes[index] = held.during.upperBound }
                }
            }
            guard let next = wakes.compactMap({ $0 }).min() else { break }
            clock.now = max(clock.now, next)
        }
        return (admission, { finished.load(ordering: .relaxed) })
    }

    @Test("a generator made 5 ms or 300 µs slow shows exactly that lag on every dispatch (load.lag); an exact one, 0")
    func lagKnownAnswer() {
        for (lag, micros) in [(Int64(5_000_000), UInt64(5000)), (300_000, 300), (0, 0)] {
            let (admission, finished) = Self.run(count: 50, lag: lag) { _, _, done in done() }
            let summary = admission.lag.summary()
            #expect(summary.count == 50 && summary.p50 == micros && summary.p99 == micros && summary.max == micros, "\(lag): \(summary)")
            #expect(admission.counts.lateStarts == (micros > 1000 ? 50 : 0) && admission.counts.started == 50 && admission.counts.dropped == 0)
            #expect(finished() == 1)
        }
    }

    @Test("a batch window of 1 ms over arrivals 100 µs apart: one wake-up per ms, ten arrivals each, every lag within the window; arrivals further apart than the window are woken for exactly")
    func batchWindow() {
        var wakeUps: [Int64] = []
        let (admission, _) = Self.run(count: 1000, window: 1_000_000, offset: { Int64($0) * 100_000 }, wakeUps: { wakeUps.append($0) }) { _, _, done in done() }
        let summary = admission.lag.summary()
        // Wake-ups at 0 (nothing due), 1 ms (the first arrival), then every ms to 101 ms: each sends the ten arrivals of
        // the ms before it, lags 900, 800, …, 0 µs.
        #expect(admission.counts.started == 1000 && wakeUps.count == 102, "\(wakeUps.count) wake-ups")
        #expect(zip(wakeUps, wakeUps.dropFirst()).allSatisfy { $1 - $0 >= 1_000_000 })
        #expect(summary.max == 900 && (400...500).contains(summary.p50) && admission.counts.lateStarts == 0, "\(summary)")
        let (sparse, _) = Self.run(count: 50, window: 1_000_000, offset: { Int64($0) * 2_000_000 }) { _, _, done in done() }
        #expect(sparse.lag.summary().max == 0 && sparse.counts.started == 50)
    }

    @Test("arrivals past max_in_flight are dropped and counted, never sent late; the lane ends when its last send does")
    func admissionAndDrops() {
        let pending = Mutex<[@Sendable () -> Void]>([])
        let sent = Mutex<[Int]>([])
        let (admission, finished) = Self.run(count: 10, maxInFlight: 3) { index, _, done in
            sent.withLock { $0.append(index) }
            pending.withLock { $0.append(done) }
        }
        // Sends 0–2 stayed outstanding for the whole schedule: the lane has offered everything but has not finished.
        #expect(admission.counts == OpenLoop<ContinuousClock>.Counts(started: 3, dropped: 7, lateStarts: 0, inFlight: 3))
        #expect(sent.withLock { $0 } == [0, 1, 2] && finished() == 0)
        pending.withLock { $0 }.forEach { $0() }
        #expect(admission.counts.inFlight == 0 && finished() == 1)
    }

    @Test("an arrival that finds max_in_flight outstanding is dropped only after the responses that have come are taken in: their slots are free from the moment they came")
    func responsesThatCameFreeTheirSlotsBeforeADrop() {
        let pending = Mutex<[@Sendable () -> Void]>([])
        let roomMade = Mutex(0)
        // Ten arrivals due at once (a lane catching up after a stall), three slots; each time the lane is full, one
        // response has come (the oldest send ends when the lane takes in what has come).
        let (admission, finished) = Self.run(count: 10, maxInFlight: 3, offset: { _ in 0 }, makeRoom: {
            roomMade.withLock { $0 += 1 }
            let oldest = pending.withLock { $0.isEmpty ? nil : $0.removeFirst() }
            oldest?()
        }) { _, _, done in
            pending.withLock { $0.append(done) }
        }
        #expect(admission.counts == OpenLoop<ContinuousClock>.Counts(started: 10, dropped: 0, lateStarts: 0, inFlight: 3))
        #expect(roomMade.withLock { $0 } == 7 && admission.lag.summary().count == 10)
        pending.withLock { $0 }.forEach { $0() }
        #expect(finished() == 1)

        // When nothing has come, the lane looks once per wake-up, not once per arrival it drops (an overloaded target
        // must not cost a system call per arrival).
        let looked = Mutex(0)
        let (full, _) = Self.run(count: 10, maxInFlight: 3, offset: { _ in 0 }, makeRoom: { looked.withLock { $0 += 1 } }) { _, _, _ in }
        #expect(full.counts.started == 3 && full.counts.dropped == 7 && looked.withLock { $0 } == 1)
    }

    @Test("two lanes share the schedule: every arrival is offered once, lane l takes l, l + 2, …, each at its own instant")
    func striping() {
        let seen = Mutex<[Int: Int]>([:])
        let (admission, finished) = Self.run(lanes: 2, count: 41) { index, lane, done in
            seen.withLock { $0[index] = lane }
            done()
        }
        #expect(seen.withLock { $0 } == Dictionary(uniqueKeysWithValues: (0..<41).map { ($0, $0 % 2) }))
        #expect(admission.counts.started == 41 && admission.lag.summary().max == 0 && finished() == 2)
    }

    @Test("a lane held off its CPU for 3 ms: the other lane takes over each of its arrivals once it is 250 µs overdue — none late, none twice; nobody takes over a lane that is on time")
    func heldLaneIsTakenOver() {
        let seen = Mutex<[Int: [Int]]>([:])
        // 2,000 arrivals/s over two lanes (lane 0 at 1, 2, 3 … ms, lane 1 half a millisecond later); lane 0 sleeps from
        // 11 to 14 ms, past its arrivals at 11, 12 and 13 ms (indices 20, 22, 24).
        let (admission, finished) = Self.run(lanes: 2, count: 100, offset: { Int64($0) * 500_000 }, held: (0, 11_000_000..<14_000_000)) { index, lane, done in
            seen.withLock { $0[index, default: []].append(lane) }
            done()
        }
        let sent = seen.withLock { $0 }
        #expect(sent.count == 100 && sent.values.allSatisfy { $0.count == 1 }, "every arrival offered once")
        #expect([20, 22, 24].allSatisfy { sent[$0] == [1] } && sent.filter { $0.key % 2 == 0 && ![20, 22, 24].contains($0.key) }.allSatisfy { $0.value == [0] })
        #expect(sent.filter { $0.key % 2 == 1 }.allSatisfy { $0.value == [1] })
        // Taken over at lane 1's next wake-up, 500 µs after its instant: the largest lag, and not late (> 1 ms).
        #expect(admission.lag.summary().max == 500 && admission.counts.lateStarts == 0 && admission.counts.started == 100 && finished() == 2,
                "\(admission.lag.summary())")
    }

    @Test("a stop raised during the schedule offers nothing after it, even while a lane waits for a far arrival")
    func stop() {
        let stop = StopSignal()
        // Arrival 5 is an hour away; the stop comes with arrival 4.
        let (admission, finished) = Self.run(count: 10, stop: stop, offset: { $0 < 5 ? Int64($0) * 10_000_000 : 3_600_000_000_000 }) { index, _, done in
            if index == 4 { stop.raise() }
            done()
        }
        #expect(admission.counts.started == 5 && finished() == 1)
    }

    @Test("on real send loops (with epoll_pwait2, and with the fallback for kernels without it): 300 arrivals 1 ms apart over two threads, each offered once on the thread of the lane that sends it, and the run returns when the last send ends",
          arguments: [true, false])
    func realLoops(nanosecondWait: Bool) async {
        let loops = SendLoop.start(count: 2, nanosecondWait: nanosecondWait)
        let admission = OpenLoop(clock: ContinuousClock(), maxInFlight: 1000)
        let seen = Mutex<[Int: Int]>([:])
        await ArrivalLanes.run(count: 300, offsetNanos: { Int64($0) * 1_000_000 }, origin: SendLoop.now() + 5_000_000, loops: loops,
                               admission: admission, stop: StopSignal()) { index, lane, done in
            #expect(loops[lane].inLoop)
            seen.withLock { $0[index] = lane }
            loops[lane].execute { done() }  // ends a little later, from the loop's inbox
        }
        // Each once, on the thread of the lane that sent it: its own, or the other one's when a starved suite held its
        // thread more than 250 µs past the arrival (which lane is a matter of timing here; the virtual-time test says
        // exactly when a lane takes over).
        #expect(Set(seen.withLock { $0.keys }) == Set(0..<300))
        #expect(admission.counts.started == 300 && admission.counts.inFlight == 0)
        for loop in loops { await loop.stop() }
    }

    // No clock on it: in a starved parallel suite this test waited 53 s for a cooperative thread; without the stop it would
    // last the hour, which the time limit catches.
    @Test("a stop raised while a lane sleeps an hour toward its next arrival ends the run, not after the hour", .timeLimit(.minutes(10)))
    func stopWhileSleeping() async {
        let loops = SendLoop.start(count: 1)
        let stop = StopSignal()
        let admission = OpenLoop(clock: ContinuousClock(), maxInFlight: 10)
        await ArrivalLanes.run(count: 2, offsetNanos: { $0 == 0 ? 0 : 3_600_000_000_000 }, origin: SendLoop.now(), loops: loops,
                               admission: admission, stop: stop) { _, _, done in
            stop.raise()
            done()
        }
        #expect(admission.counts.started == 1)
        for loop in loops { await loop.stop() }
    }
}
