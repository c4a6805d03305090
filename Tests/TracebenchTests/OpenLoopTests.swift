import Synchronization
import Testing
import TracebenchMeasure
@testable import TracebenchRun

/// The open-loop sender and the quiet window on a virtual clock: admission, drops, lateness and settling are
/// checked exactly, without wall-clock windows.
@Suite("open loop and quiet window on a virtual clock")
struct OpenLoopTests {
    /// Sends that wait until the test opens it.
    final class Gate: Sendable {
        private let waiting = Mutex<(open: Bool, continuations: [CheckedContinuation<Void, Never>])>((false, []))
        func wait() async {
            await withCheckedContinuation { continuation in
                let resumeNow = waiting.withLock { state -> Bool in
                    if state.open { return true }
                    state.continuations.append(continuation)
                    return false
                }
                if resumeNow { continuation.resume() }
            }
        }
        func open() {
            let waiting = waiting.withLock { state -> [CheckedContinuation<Void, Never>] in
                state.open = true
                defer { state.continuations = [] }
                return state.continuations
            }
            waiting.forEach { $0.resume() }
        }
    }

    @Test("arrivals past max_in_flight are dropped and counted, never sent late; the first three are sent, on time")
    func admissionAndDrops() async {
        let clock = VirtualClock()
        let loop = OpenLoop(clock: clock, maxInFlight: 3)
        let gate = Gate()
        let sent = Mutex<Set<Int>>([]), dropped = Mutex<[Int]>([])
        let origin = clock.now
        async let done: Void = loop.run(count: 10, offset: { .milliseconds(10 * $0) }, from: origin, stop: StopSignal(),
                                        dropped: { index in dropped.withLock { $0.append(index) } }) { index in
            sent.withLock { _ = $0.insert(index) }
            await gate.wait()
        }
        while loop.counts.started + loop.counts.dropped < 10 { await Task.yield() }
        #expect(loop.counts == OpenLoop<VirtualClock>.Counts(started: 3, dropped: 7, lateStarts: 0, inFlight: 3))
        #expect(dropped.withLock { $0 } == Array(3..<10))
        gate.open()
        await done
        #expect(loop.counts.inFlight == 0)
        #expect(sent.withLock { $0 } == [0, 1, 2])
        #expect(clock.elapsed == .milliseconds(90), "the last arrival was offered at its own instant")
    }

    @Test("a generator made 5 ms slow shows 5 ms of lag on every dispatch (load.lag); an exact one, 0")
    func lagHistogram() async {
        for (lag, micros) in [(Duration.milliseconds(5), UInt64(5000)), (.microseconds(300), 300), (.zero, 0)] {
            let clock = VirtualClock(lag: lag)
            let loop = OpenLoop(clock: clock, maxInFlight: 100)
            await loop.run(count: 50, offset: { .milliseconds(10 * $0) }, from: clock.now.advanced(by: .milliseconds(1)), stop: StopSignal()) { _ in }
            let summary = loop.lag.summary()
            #expect(summary.count == 50 && summary.p50 == micros && summary.p99 == micros && summary.max == micros, "\(lag): \(summary)")
            // Late starts are the dispatches more than 1 ms behind: the same measurement.
            #expect(loop.counts.lateStarts == (micros > 1000 ? 50 : 0))
        }
    }

    @Test("a sender that wakes 5 ms late counts every start as late; on time, none")
    func lateStarts() async {
        for (lag, late) in [(Duration.milliseconds(5), 20), (.zero, 0)] {
            let clock = VirtualClock(lag: lag)
            let loop = OpenLoop(clock: clock, maxInFlight: 100)
            await loop.run(count: 20, offset: { .milliseconds(10 * $0) }, from: clock.now.advanced(by: .milliseconds(1)), stop: StopSignal()) { _ in }
            #expect(loop.counts.started == 20 && loop.counts.lateStarts == late && loop.counts.dropped == 0, "lag \(lag)")
        }
    }

    @Test("a stop raised during the schedule offers nothing after it")
    func stopEndsTheSchedule() async {
        let clock = VirtualClock()
        let loop = OpenLoop(clock: clock, maxInFlight: 100)
        let stop = StopSignal()
        await loop.run(count: 50, offset: { index in
            if index == 5 { stop.raise() }
            return .milliseconds(10 * index)
        }, from: clock.now, stop: stop) { _ in }
        #expect(loop.counts.started == 5)
    }

    @Test("the quiet window returns once the reading stood still for the window, stretches while short of what is due, and ends at atMost")
    func quietWindow() async throws {
        // The reading climbs by one every 100 ms until 3 s, then stands still at 30.
        func climbing(_ clock: VirtualClock) -> () -> Int { { min(30, Int(clock.elapsed / .milliseconds(100))) } }

        let settles = VirtualClock()
        let value = await QuietWindow(clock: settles, atMost: .seconds(20), period: .milliseconds(100))
            .wait(read: climbing(settles), quietFor: { _ in .milliseconds(1500) })
        #expect(value == 30 && settles.elapsed == .milliseconds(4500), "\(settles.elapsed)")

        let stretched = VirtualClock()
        let due = await QuietWindow(clock: stretched, atMost: .seconds(20), period: .milliseconds(100))
            .wait(read: climbing(stretched), quietFor: { $0 < 40 ? .seconds(10) : .milliseconds(1500) })
        #expect(due == 30 && stretched.elapsed == .seconds(13), "\(stretched.elapsed)")

        let neverStill = VirtualClock()
        let last = await QuietWindow(clock: neverStill, atMost: .seconds(20), period: .milliseconds(100))
            .wait(read: { Int(neverStill.elapsed / .milliseconds(100)) }, quietFor: { _ in .milliseconds(1500) })
        #expect(last == 200 && neverStill.elapsed == .seconds(20), "\(neverStill.elapsed)")

        struct Unreadable: Error {}
        await #expect(throws: Unreadable.self) {
            _ = try await QuietWindow(clock: VirtualClock(), atMost: .seconds(1), period: .milliseconds(100))
                .wait(read: { () throws -> Int in throw Unreadable() }, quietFor: { _ in .seconds(1) })
        }
    }
}
