import Foundation

/// Blocking work — waiting for a child process to exit, reading a pipe to its end, polling a server that is starting —
/// run on a thread of its own and awaited, so Swift's cooperative pool never waits on it.
///
/// That pool has one thread per core (two on the reference machine): two blocking waits on it stop every other task of
/// the process — a readiness poll, a drain, a sink's answers — however idle the CPUs are. A full parallel test phase
/// once sat 48 s with both threads in `waitUntilExit` (a headless browser, a Python checker), and a black-box run's
/// 60 s readiness wait ran out meanwhile without having polled.
public enum OwnThread {
    /// Runs `body` on a new thread and returns what it returned.
    public static func run<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
        await withCheckedContinuation { continuation in
            Thread { continuation.resume(returning: body()) }.start()
        }
    }

    /// Runs throwing `body` on a new thread; returns its value or rethrows its error.
    public static func run<T: Sendable, E: Error>(throwing body: @escaping @Sendable () throws(E) -> T) async throws(E) -> T {
        try await run { () -> Result<T, E> in Result(catching: body) }.get()
    }
}
