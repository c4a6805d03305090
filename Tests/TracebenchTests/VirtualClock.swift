import Synchronization

/// A clock whose time moves only when something sleeps on it: `sleep(until:)` jumps to the deadline (plus `lag`, a
/// sender that wakes late). Waits and schedules driven by it are checked exactly, with no wall-clock race
/// (swift-otel's test clock is the model).
final class VirtualClock: Clock, Sendable {
    struct Instant: InstantProtocol {
        var offset: Duration
        func advanced(by duration: Duration) -> Instant { Instant(offset: offset + duration) }
        func duration(to other: Instant) -> Duration { other.offset - offset }
        static func < (a: Instant, b: Instant) -> Bool { a.offset < b.offset }
    }

    private let current = Mutex(Instant(offset: .zero))
    /// How late every sleeper wakes.
    let lag: Duration

    init(lag: Duration = .zero) {
        self.lag = lag
    }

    var now: Instant { current.withLock { $0 } }
    var minimumResolution: Duration { .nanoseconds(1) }
    /// Time since the clock was made.
    var elapsed: Duration { now.offset }

    func sleep(until deadline: Instant, tolerance: Duration?) async throws {
        try Task.checkCancellation()
        current.withLock { $0 = max($0, deadline.advanced(by: lag)) }
        await Task.yield()
    }
}
