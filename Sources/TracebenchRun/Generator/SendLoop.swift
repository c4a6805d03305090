import CSystemShims
import Foundation
import Glibc
import NIOCore
import Synchronization
import TracebenchMeasure

/// Told of its socket's readiness by its ``SendLoop``, on the loop's thread.
protocol SocketHandler: AnyObject {
    /// The socket has bytes to read, was closed by the peer, or failed.
    func readable()
    /// The socket can take more bytes (asked for with ``SendLoop/watch(_:writable:)``).
    func writable()
}

/// Told by its ``SendLoop`` that the instant it asked for has come, on the loop's thread.
protocol TimerHandler: AnyObject {
    func timerFired()
}

/// One OS thread with its own epoll instance: the load generators' sockets and timers, nothing else. The open loop's
/// hot path — wake at an arrival's instant, write its request, read its response — costs the system calls it must
/// (`epoll_pwait2` with a nanosecond timeout, `send`, `recvmsg`) and no more: no futures, no pipeline, no allocation
/// per wake-up. The thread's timer slack is 1 µs (the kernel's default 50 µs would be lag of the loop's own making).
///
/// One wake-up per request, not two: on a virtual machine a sleep and wake-up costs more than everything else a
/// request does (measured: ~20 µs of CPU each). So when the next timer is at most ``coalescing`` away the loop sleeps
/// until it without watching its sockets (`clock_nanosleep`), then takes every socket's readiness at once
/// (`epoll_pwait2` with no timeout): a response that came meanwhile is read at the next arrival's wake-up instead of
/// one of its own. Its latency is unchanged — it ends at the kernel's receive timestamp
/// (``LoadResponse/receivedMicros``), not when the thread read it. Sockets that are connecting or waiting to write
/// are never made to wait.
///
/// Handlers and timers are registered on the loop's thread; another thread hands work over with ``execute(_:)``.
///
/// `@unchecked Sendable`: only `inbox`, `wakeFD`, `stopping`, `exit` and `threadID` are touched by other threads
/// (mutexes, an eventfd write, atomics); every other property is read and written on the loop's thread alone (after `start`, before
/// the thread exits).
final class SendLoop: @unchecked Sendable {
    /// The longest the loop sleeps without looking at its inbox and stop flag.
    static let longestSleep: Int64 = 100_000_000
    /// The longest sleep during which readable sockets wait for the timer's wake-up (ns).
    static let coalescing: Int64 = 2_000_000

    /// Nanoseconds on the monotonic clock: the loops' and the lanes' one time base.
    static func now() -> Int64 { Int64(ProcessUsage.monotonicNanos()) }

    /// A read buffer the loop's sockets share (one read at a time on one thread).
    var readBuffer = ByteBuffer()
    private let epoll: Int32
    private let wakeFD: Int32
    private let inbox = Mutex<[@Sendable () -> Void]>([])
    private let stopping = Atomic(false)
    /// Whether the thread has stopped, and who waits for it.
    private let exit = Mutex<(done: Bool, waiting: CheckedContinuation<Void, Never>?)>((false, nil))
    private var handlers: [(handler: (any SocketHandler)?, generation: UInt32, writable: Bool)] = []
    /// Sockets watched for writing (connecting, or a request waiting for room): while any is, sleeps watch them.
    private var writeWatchers = 0
    private var freeSlots: [Int] = []
    private var timers: [(handler: any TimerHandler, deadline: Int64)] = []
    /// ``pollReady()``'s own event buffer (it may run while the loop's is being walked), and whether it is running.
    private var pollEvents = [epoll_event](repeating: epoll_event(), count: 256)
    private var polling = false
    /// Whether the kernel has epoll_pwait2 (a nanosecond timeout); tests turn it off to run the fallback.
    private var nanosecondWait: Bool
    /// The loop thread's pthread id (0 until it runs).
    private let threadID = Atomic<UInt>(0)

    private init(nanosecondWait: Bool) {
        self.nanosecondWait = nanosecondWait
        epoll = epoll_create1(Int32(EPOLL_CLOEXEC))
        wakeFD = eventfd(0, Int32(EFD_NONBLOCK | EFD_CLOEXEC))
        var event = epoll_event()
        event.events = EPOLLIN.rawValue
        event.data.u64 = UInt64.max
        epoll_ctl(epoll, EPOLL_CTL_ADD, wakeFD, &event)
    }

    /// `count` loops, each on its own new thread. `nanosecondWait: false` runs the fallback for kernels without
    /// epoll_pwait2 (tests).
    static func start(count: Int, nanosecondWait: Bool = true) -> [SendLoop] {
        (0..<max(1, count)).map { index in
            let loop = SendLoop(nanosecondWait: nanosecondWait)
            let thread = Thread { loop.run(name: "tb-send-\(index)") }
            thread.start()
            return loop
        }
    }

    /// Whether the caller is on the loop's thread.
    var inLoop: Bool {
        let id = threadID.load(ordering: .relaxed)
        return id != 0 && pthread_equal(id, pthread_self()) != 0
    }

    /// Runs `work` on the loop's thread, soon (any thread may call it).
    func execute(_ work: @escaping @Sendable () -> Void) {
        let first = inbox.withLock { inbox -> Bool in
            inbox.append(work)
            return inbox.count == 1
        }
        if first { wake() }
    }

    /// Ends the loop after the work handed over before it, and returns once its thread has stopped (any thread but the
    /// loop's own may call it). Sockets still registered are the caller's to have closed.
    func stop() async {
        stopping.store(true, ordering: .sequentiallyConsistent)
        wake()
        await withCheckedContinuation { continuation in
            let done = exit.withLock { exit -> Bool in
                if !exit.done { exit.waiting = continuation }
                return exit.done
            }
            if done { continuation.resume() }
        }
    }

    // MARK: On the loop's thread

    /// Watches `fd` for reading (always) and writing (when `writable`); returns the registration's token.
    func register(_ fd: Int32, handler: any SocketHandler, writable: Bool) -> UInt64 {
        let slot: Int
        if let free = freeSlots.popLast() {
            slot = free
            handlers[slot].handler = handler
            handlers[slot].writable = writable
        } else {
            slot = handlers.count
            handlers.append((handler, 0, writable))
        }
        if writable { writeWatchers += 1 }
        let token = UInt64(handlers[slot].generation) << 32 | UInt64(slot)
        var event = epoll_event()
        event.events = Self.mask(writable: writable)
        event.data.u64 = token
        epoll_ctl(epoll, EPOLL_CTL_ADD, fd, &event)
        return token
    }

    /// Changes whether `fd` (registered as `token`) is watched for writing.
    func watch(_ fd: Int32, token: UInt64, writable: Bool) {
        let slot = Int(token & 0xFFFF_FFFF)
        if handlers.indices.contains(slot), UInt64(handlers[slot].generation) == token >> 32, handlers[slot].writable != writable {
            handlers[slot].writable = writable
            writeWatchers += writable ? 1 : -1
        }
        var event = epoll_event()
        event.events = Self.mask(writable: writable)
        event.data.u64 = token
        epoll_ctl(epoll, EPOLL_CTL_MOD, fd, &event)
    }

    /// Stops watching `fd` (before it is closed): events already taken for it are not delivered.
    func deregister(_ fd: Int32, token: UInt64) {
        epoll_ctl(epoll, EPOLL_CTL_DEL, fd, nil)
        let slot = Int(token & 0xFFFF_FFFF)
        guard handlers.indices.contains(slot), UInt64(handlers[slot].generation) == token >> 32 else { return }
        if handlers[slot].writable { writeWatchers -= 1 }
        handlers[slot].handler = nil
        handlers[slot].writable = false
        handlers[slot].generation &+= 1
        freeSlots.append(slot)
    }

    /// Calls `handler.timerFired()` at `deadline` (monotonic ns), replacing the handler's earlier one if any.
    func arm(_ handler: any TimerHandler, at deadline: Int64) {
        if let index = timers.firstIndex(where: { $0.handler === handler }) {
            timers[index].deadline = deadline
        } else {
            timers.append((handler, deadline))
        }
    }

    /// Cancels `handler`'s timer.
    func disarm(_ handler: any TimerHandler) {
        timers.removeAll { $0.handler === handler }
    }

    private static func mask(writable: Bool) -> UInt32 {
        EPOLLIN.rawValue | EPOLLRDHUP.rawValue | (writable ? EPOLLOUT.rawValue : 0)
    }

    private func wake() {
        var one: UInt64 = 1
        _ = write(wakeFD, &one, 8)
    }

    private func run(name: String) {
        threadID.store(pthread_self(), ordering: .relaxed)
        _ = tracebench_name_thread(name)  // Foundation's name does not reach the kernel's (top, perf)
        _ = tracebench_set_timer_slack(1_000)
        readBuffer = ByteBufferAllocator().buffer(capacity: 64 * 1024)
        var events = [epoll_event](repeating: epoll_event(), count: 256)
        while true {
            fireDueTimers()
            if stopping.load(ordering: .sequentiallyConsistent) {
                runInbox()
                break
            }
            let now = Self.now()
            let wake = timers.reduce(now + Self.longestSleep) { min($0, $1.deadline) }
            var wait = max(0, wake - now)
            // Sockets wait for the timer's wake-up (see the type's comment): one wake-up, not one per response. Without
            // epoll_pwait2 the last millisecond is slept this way too (epoll_wait's timeout is whole milliseconds).
            if wait > 0, (wait <= Self.coalescing && writeWatchers == 0) || (!nanosecondWait && wait < 1_000_000) {
                var until = timespec(tv_sec: Int(wake / 1_000_000_000), tv_nsec: Int(wake % 1_000_000_000))
                while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nil) == EINTR {}
                wait = 0
            }
            let ready: Int32
            if nanosecondWait {
                var timeout = timespec(tv_sec: Int(wait / 1_000_000_000), tv_nsec: Int(wait % 1_000_000_000))
                ready = epoll_pwait2(epoll, &events, Int32(events.count), &timeout, nil)
                if ready < 0, errno == ENOSYS {
                    nanosecondWait = false  // Linux before 5.11, or valgrind: whole milliseconds, the rest slept precisely
                    continue
                }
            } else {
                ready = epoll_wait(epoll, &events, Int32(events.count), Int32(wait / 1_000_000))  // rounded down: never late
            }
            guard ready > 0 else { continue }
            for event in events[..<Int(ready)] {
                if event.data.u64 == UInt64.max {
                    var count: UInt64 = 0
                    _ = read(wakeFD, &count, 8)
                    runInbox()
                } else {
                    deliver(event)
                }
            }
        }
        close(epoll)
        close(wakeFD)
        let waiting = exit.withLock { exit -> CheckedContinuation<Void, Never>? in
            exit.done = true
            defer { exit.waiting = nil }
            return exit.waiting
        }
        waiting?.resume()
    }

    /// Tells each socket that is ready now, without waiting (on the loop's thread, from a timer's handler): a lane that
    /// found `max_in_flight` sends outstanding reads the responses that have come before it drops an arrival. Events
    /// the loop took before and still walks may then be stale; handlers take those as the nothing they are (a read
    /// that finds no bytes, a write with nothing left). The inbox waits for the loop's own turn.
    func pollReady() {
        guard !polling else { return }
        polling = true
        defer { polling = false }
        var none = timespec(tv_sec: 0, tv_nsec: 0)
        let ready = nanosecondWait ? epoll_pwait2(epoll, &pollEvents, Int32(pollEvents.count), &none, nil)
            : epoll_wait(epoll, &pollEvents, Int32(pollEvents.count), 0)
        guard ready > 0 else { return }
        for event in pollEvents[..<Int(ready)] where event.data.u64 != UInt64.max { deliver(event) }
    }

    private func deliver(_ event: epoll_event) {
        let token = event.data.u64
        let slot = Int(token & 0xFFFF_FFFF)
        guard handlers.indices.contains(slot), UInt64(handlers[slot].generation) == token >> 32, let handler = handlers[slot].handler else { return }
        if event.events & EPOLLOUT.rawValue != 0 { handler.writable() }
        if event.events & ~EPOLLOUT.rawValue != 0, UInt64(handlers[slot].generation) == token >> 32 { handler.readable() }
    }

    private func runInbox() {
        let work = inbox.withLock { inbox -> [@Sendable () -> Void] in
            defer { inbox = [] }
            return inbox
        }
        for item in work { item() }
    }

    private func fireDueTimers() {
        guard !timers.isEmpty else { return }
        let now = Self.now()
        while let index = timers.firstIndex(where: { $0.deadline <= now }) {
            let handler = timers.remove(at: index).handler
            handler.timerFired()
        }
    }
}
