import Foundation

/// Time fields of a job's ledger hash in the user's Redis (`target.ledger.redis.fields`): when the system says the
/// job was submitted, claimed by a worker and finished, in a declared unit. They time the phases tracebench cannot
/// see from outside: `queue_wait` (claimed − submitted), `processing` (finished − claimed) and `end_to_end`
/// (finished − tracebench's intended start of the job's request, which needs the system's clock to agree with
/// tracebench's: same host, or NTP).
public struct LedgerTimes: Codable, Sendable, Equatable {
    /// How the fields' values are written.
    public enum Unit: String, Codable, Sendable, CaseIterable {
        /// Seconds since the Unix epoch, fractions allowed (Python's `time.time()`).
        case s
        /// Milliseconds since the epoch (JavaScript's `Date.now()`).
        case ms
        /// Microseconds since the epoch.
        case us
        /// Nanoseconds since the epoch (Go's `UnixNano()`).
        case ns
        /// An RFC 3339 / ISO 8601 date-time with a zone (`2026-12-06T15:20:15.123Z`, JavaScript's `toISOString()`).
        case iso8601

        var microsecondsPerUnit: Double? {
            switch self {
            case .s: 1e6
            case .ms: 1e3
            case .us: 1
            case .ns: 1e-3
            case .iso8601: nil
            }
        }
    }

    /// The field holding when the API accepted the job.
    public var submitted: String?
    /// The field holding when a worker took it.
    public var claimed: String?
    /// The field holding when it finished (completed or failed).
    public var finished: String?
    public var unit: Unit

    public init(submitted: String? = nil, claimed: String? = nil, finished: String? = nil, unit: Unit) {
        self.submitted = submitted
        self.claimed = claimed
        self.finished = finished
        self.unit = unit
    }

    /// A field's value in µs since the epoch; nil when it is absent, empty or not a time in ``unit``.
    public func micros(_ value: String?) -> Int64? {
        guard let text = value?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if let scale = unit.microsecondsPerUnit {
            guard let number = Double(text), number.isFinite, number >= 0 else { return nil }
            let micros = (number * scale).rounded()
            return micros < 9.2e18 ? Int64(micros) : nil
        }
        let withFraction = Date.ISO8601FormatStyle(includingFractionalSeconds: true)
        guard let date = (try? withFraction.parse(text)) ?? (try? Date.ISO8601FormatStyle().parse(text)) else { return nil }
        return Int64((date.timeIntervalSince1970 * 1e6).rounded())
    }

    /// The job's times from its ledger hash (µs since the epoch; nil where a field is not configured or unreadable).
    public func times(in fields: [String: String]) -> (submitted: Int64?, claimed: Int64?, finished: Int64?) {
        (micros(submitted.flatMap { fields[$0] }), micros(claimed.flatMap { fields[$0] }), micros(finished.flatMap { fields[$0] }))
    }
}
