import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// SIGINT and SIGTERM, taken over once for the rest of the process's life: from the first ``listen(_:)`` on, a
/// signal raises every ``StopSignal`` listening at that moment and is remembered (``received``), so one that comes
/// between two runs (a capacity sweep's steps, the results being printed after a run) still stops the next run and
/// never kills the process — defaults are not restored when a run ends: the results written, the exit code a command
/// chose (130 for an interrupted run) must be what the caller sees, however many signals follow the first.
enum ProcessSignals {
    private struct State {
        var sources: [any DispatchSourceSignal] = []
        var listeners: [ObjectIdentifier: StopSignal] = [:]
        var received = false
    }

    private static let state = Mutex(State())

    /// Whether SIGINT or SIGTERM came since the process took the signals over.
    static var received: Bool { state.withLock { $0.received } }

    /// Raises `stop` on SIGINT/SIGTERM until ``unlisten(_:)`` — at once when one already came.
    static func listen(_ stop: StopSignal) {
        let alreadyReceived = state.withLock { state in
            if state.sources.isEmpty { state.sources = [SIGINT, SIGTERM].map(source) }
            state.listeners[ObjectIdentifier(stop)] = stop
            return state.received
        }
        if alreadyReceived { stop.raise() }
    }

    /// Stops raising `stop`; signals stay taken over (see the type's comment).
    static func unlisten(_ stop: StopSignal) {
        _ = state.withLock { $0.listeners.removeValue(forKey: ObjectIdentifier(stop)) }
    }

    private static func source(_ signalNumber: Int32) -> any DispatchSourceSignal {
        #if canImport(Darwin)
        // On Linux libdispatch installs its own handler; SIG_IGN there would discard the signal.
        signal(signalNumber, SIG_IGN)
        #endif
        let source = DispatchSource.makeSignalSource(signal: signalNumber, queue: .global())
        source.setEventHandler { deliver() }
        source.resume()
        return source
    }

    private static func deliver() {
        let listeners = state.withLock { state in
            state.received = true
            return Array(state.listeners.values)
        }
        listeners.forEach { $0.raise() }
    }
}
