/// Waits for a reading to settle: polls it every `period` until it has not changed for a quiet window, or until
/// `atMost` has passed, on an injected clock (a test drives it with virtual time, so the window's logic is checked
/// without wall-clock races; past CI flakes were wall-clock windows).
///
/// Used after the drain, where a collector still flushing its batches or spans still in flight to the sink would
/// otherwise be read too early: the sink's span count (``TracebenchSink``) and a collector's counters.
public struct QuietWindow<C: Clock>: Sendable where C.Duration == Duration {
    public let clock: C
    /// The longest the wait lasts, whatever the readings do.
    public var atMost: Duration
    /// How often the reading is taken.
    public var period: Duration

    public init(clock: C, atMost: Duration, period: Duration) {
        self.clock = clock
        self.atMost = atMost
        self.period = period
    }

    /// The settled reading (or the last one at `atMost`). `quietFor` gives the quiet window for the reading last
    /// seen, so a reading short of what is due can be given longer to move. Cancellation ends the wait at once.
    public func wait<Reading: Equatable>(read: () async throws -> Reading,
                                         quietFor: (Reading) -> Duration) async rethrows -> Reading {
        let deadline = clock.now.advanced(by: atMost)
        var last = try await read()
        var lastChange = clock.now
        while lastChange.duration(to: clock.now) < quietFor(last), clock.now < deadline {
            do { try await clock.sleep(until: clock.now.advanced(by: period), tolerance: nil) } catch { break }
            let reading = try await read()
            if reading != last {
                last = reading
                lastChange = clock.now
            }
        }
        return last
    }
}
