import Synchronization
import TracebenchMeasure

/// Every span the sink accepted, plus counts of what it refused, shared between the HTTP and gRPC handlers and the
/// coordinator that reads it after the run — or, once ``finaliseByTrace()`` is called, only the traces not yet
/// finalised (``OpenTraces``): the coordinator takes each trace when its job is judged, and the store holds what is
/// in flight instead of everything the run ever received.
public final class TraceStore: Sendable {
    /// Why a request was refused (each gets a 4xx and a count; the sink never crashes on input).
    public enum Rejection: String, Sendable, CaseIterable, Codable {
        case malformed
        case tooLarge = "too_large"
        case unsupportedMediaType = "unsupported_media_type"
        case badEncoding = "bad_encoding"
        /// The body did not arrive within the sink's read timeout (answered 408).
        case timeout
        /// The sink has a token and the post did not carry it (answered 401, or gRPC UNAUTHENTICATED).
        case unauthorized
    }

    /// A consistent copy of the store's contents.
    public struct Snapshot: Sendable {
        public var spans: [ReceivedSpan]
        public var requests: Int
        /// Of `requests`, those that came over OTLP/gRPC.
        public var grpcRequests: Int
        public var bodyBytes: Int
        public var rejected: [Rejection: Int]
        /// Receive time of the first and last accepted request (ns since the epoch; 0 when none).
        public var firstReceivedNanos: UInt64
        public var lastReceivedNanos: UInt64
        /// Spans accepted past ``TraceStore/maxSpans``: counted, not stored (the figures are then partial).
        public var overflow = 0
        /// Spans accepted and stored since the start (whether still held or already taken by the finaliser).
        public var received = 0
        /// Once the store finalises by trace: the most spans it held at once.
        public var peakOpenSpans: Int?
    }

    private struct State {
        var snapshot = Snapshot(spans: [], requests: 0, grpcRequests: 0, bodyBytes: 0, rejected: [:], firstReceivedNanos: 0, lastReceivedNanos: 0)
        /// Set once the store finalises by trace: then `snapshot.spans` stays empty.
        var open: OpenTraces?
        var held: Int { open?.spans ?? snapshot.spans.count }
    }

    private let state = Mutex(State())
    /// The most spans the store keeps: past it, spans are counted in ``Snapshot/overflow`` instead of growing the
    /// coordinator without bound (a flood, a misdirected exporter, a run far longer than planned).
    public let maxSpans: Int

    public init(maxSpans: Int = .max) {
        self.maxSpans = max(0, maxSpans)
    }

    /// Records an accepted request and its spans (those past ``maxSpans`` only counted).
    public func accept(_ spans: [ReceivedSpan], bodyBytes: Int, receivedNanos: UInt64, overGRPC: Bool = false) {
        state.withLock { whole in
            let room = max(0, maxSpans - whole.held)
            let stored = spans.count <= room ? spans[...] : spans.prefix(room)
            whole.snapshot.overflow += spans.count - stored.count
            whole.snapshot.received += stored.count
            if whole.open != nil {
                whole.open!.accept(stored)
            } else {
                whole.snapshot.spans.append(contentsOf: stored)
            }
            whole.snapshot.requests += 1
            if overGRPC { whole.snapshot.grpcRequests += 1 }
            whole.snapshot.bodyBytes += bodyBytes
            if whole.snapshot.firstReceivedNanos == 0 { whole.snapshot.firstReceivedNanos = receivedNanos }
            whole.snapshot.lastReceivedNanos = max(whole.snapshot.lastReceivedNanos, receivedNanos)
        }
    }

    /// Counts a refused request.
    public func reject(_ reason: Rejection) {
        state.withLock { $0.snapshot.rejected[reason, default: 0] += 1 }
    }

    /// Number of spans accepted and stored so far (taken ones included).
    public var spanCount: Int { state.withLock { $0.snapshot.received } }

    /// From now on, spans are held by trace until the coordinator takes them (those already stored move over).
    public func finaliseByTrace() {
        state.withLock { whole in
            guard whole.open == nil else { return }
            var open = OpenTraces()
            open.accept(whole.snapshot.spans[...])
            whole.snapshot.spans = []
            whole.open = open
        }
    }

    /// Works on the open traces (nil before ``finaliseByTrace()``).
    public func withOpenTraces<R>(_ body: (inout OpenTraces) -> R) -> R? {
        state.withLock { whole in
            guard whole.open != nil else { return nil }
            return body(&whole.open!)
        }
    }

    /// Returns once no span has arrived for `quietFor` (or after `atMost`): a collector has passed everything on.
    /// While fewer than `atLeast` spans are stored, the quiet window is 10 s: a collector starved of CPU on a loaded
    /// machine can pause longer than 1.5 s with spans still due, while a run that really lost spans costs 10 s more.
    public func waitUntilQuiet(quietFor: Duration, atMost: Duration, atLeast expected: Int = 0) async {
        await waitUntilQuiet(quietFor: quietFor, atMost: atMost, atLeast: expected, clock: ContinuousClock())
    }

    /// ``waitUntilQuiet(quietFor:atMost:atLeast:)`` on `clock`.
    public func waitUntilQuiet<C: Clock>(quietFor: Duration, atMost: Duration, atLeast expected: Int = 0, clock: C) async
        where C.Duration == Duration {
        _ = await QuietWindow(clock: clock, atMost: atMost, period: .milliseconds(100)).wait(read: { spanCount }) { count in
            count < expected ? max(quietFor, .seconds(10)) : quietFor
        }
    }

    /// A copy of everything received so far.
    public func snapshot() -> Snapshot {
        state.withLock { whole in
            var copy = whole.snapshot
            copy.peakOpenSpans = whole.open?.peakSpans
            return copy
        }
    }
}
