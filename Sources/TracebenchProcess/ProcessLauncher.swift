import Foundation
import Synchronization

/// Starts child processes from one thread that lives as long as this process.
///
/// Linux sends the parent-death signal (`PR_SET_PDEATHSIG`, which `tracebench spawn` sets before it execs
/// redis-server or a collector) when the parent *thread* exits, not the parent process. Foundation's `Process.run()`
/// spawns from the calling thread, and a Swift concurrency or Dispatch pool thread may exit as soon as the pool
/// shrinks, killing a healthy child mid-run ("Connection refused" from a Redis that was answering a moment before).
/// Every child that relies on that signal is therefore started here, from a thread that never exits.
public enum ProcessLauncher {
    private static let thread = LaunchingThread()

    /// Runs `process` from the long-lived launching thread; throws what `Process.run()` throws.
    public static func run(_ process: Process) throws {
        try thread.perform { try process.run() }
    }
}

/// One thread that runs submitted jobs in order, forever.
private final class LaunchingThread: Sendable {
    private let pending = Mutex<[@Sendable () -> Void]>([])
    private let wakeUp = DispatchSemaphore(value: 0)

    init() {
        let thread = Thread { [self] in serve() }
        thread.name = "tracebench.process-launcher"
        thread.start()
    }

    /// The thread's body: one job per wake-up, in submission order.
    private func serve() -> Never {
        while true {
            wakeUp.wait()
            let job = pending.withLock { $0.removeFirst() }
            job()
        }
    }

    /// Runs `body` on the launching thread and waits for it.
    func perform(_ body: @escaping @Sendable () throws -> Void) throws {
        let outcome = Outcome()
        pending.withLock { $0.append { outcome.finish(Result { try body() }) } }
        wakeUp.signal()
        try outcome.wait().get()
    }
}

/// The result of one job, handed from the launching thread to the waiting caller.
private final class Outcome: Sendable {
    private let result = Mutex<Result<Void, any Error>?>(nil)
    private let done = DispatchSemaphore(value: 0)

    func finish(_ value: Result<Void, any Error>) {
        result.withLock { $0 = value }
        done.signal()
    }

    func wait() -> Result<Void, any Error> {
        done.wait()
        return result.withLock { $0 } ?? .success(())
    }
}
