import TracebenchMeasure

/// What one agent's share did in one interval of a multi-host run (issue 15), keyed by the interval's index from the
/// run's start (never a wall clock): arrivals planned, sent, accepted, failed and dropped, and the submit latency as a
/// standard V2 HdrHistogram — the same layout on every host, so the coordinator adds buckets, never percentiles.
struct IntervalReport: Sendable, Equatable {
    var agent: String
    var share: Int
    var interval: Int
    var planned = 0
    var sent = 0
    var accepted = 0
    var errors = 0
    var dropped = 0
    /// Submit latency (µs) of the interval's accepted arrivals, V2 base64.
    var latency: String
    /// Which of the interval's arrivals of this share were accepted: bit `r` for its `r`-th (base64, little-endian words).
    var acceptedBits = ""
    /// Dispatch lag (µs) of the interval's sent arrivals, V2 base64 (empty: none sent), and how many were late (> 1 ms).
    var lag = ""
    var late = 0
    var lastError = ""
    /// How late the share's first arrival was dispatched (µs), once known (-1: not yet).
    var firstLateMicros: Int64 = -1

    /// The report as stream fields (XADD).
    var fields: [String] {
        ["kind", "interval", "agent", agent, "share", String(share), "interval", String(interval), "planned", String(planned), "sent", String(sent),
         "accepted", String(accepted), "errors", String(errors), "dropped", String(dropped), "latency", latency, "accepted_bits", acceptedBits,
         "lag", lag, "late", String(late), "last_error", lastError, "first_late_us", String(firstLateMicros)]
    }

    init(agent: String, share: Int, interval: Int, planned: Int = 0, sent: Int = 0, accepted: Int = 0, errors: Int = 0, dropped: Int = 0,
         latency: LatencyHistogram) {
        self.agent = agent
        self.share = share
        self.interval = interval
        self.planned = planned
        self.sent = sent
        self.accepted = accepted
        self.errors = errors
        self.dropped = dropped
        self.latency = latency.encoded()
    }

    /// A report read back from the stream; nil when a field is missing or not a count.
    init?(fields: [String: String]) {
        func count(_ key: String) -> Int? { fields[key].flatMap(Int.init).flatMap { $0 >= 0 ? $0 : nil } }
        guard let agent = fields["agent"], let share = count("share"), let interval = count("interval"), let planned = count("planned"),
              let sent = count("sent"), let accepted = count("accepted"), let errors = count("errors"), let dropped = count("dropped"),
              let latency = fields["latency"] else { return nil }
        (self.agent, self.share, self.interval, self.planned, self.sent) = (agent, share, interval, planned, sent)
        (self.accepted, self.errors, self.dropped, self.latency) = (accepted, errors, dropped, latency)
        (acceptedBits, lag, late, lastError) = (fields["accepted_bits"] ?? "", fields["lag"] ?? "", count("late") ?? 0, fields["last_error"] ?? "")
        firstLateMicros = fields["first_late_us"].flatMap { Int64($0) } ?? -1
    }
}

/// The coordinator's merge of every agent's interval reports: counts summed, histograms added bucket by bucket after
/// their layouts are checked equal (adding a mismatched layout would trap inside the histogram library), each
/// (share, interval) taken once (a redelivered report is not counted twice).
struct IntervalMerge: Sendable {
    /// One interval, every share added.
    struct Interval: Sendable, Equatable {
        var planned = 0
        var sent = 0
        var accepted = 0
        var errors = 0
        var dropped = 0
        var counts: [UInt64] = []
    }

    /// Why a report was not added.
    enum Refusal: Error, Equatable {
        case duplicate(share: Int, interval: Int)
        case unreadableHistogram(share: Int, interval: Int, String)
        case layoutMismatch(share: Int, interval: Int)
    }

    private(set) var intervals: [Int: Interval] = [:]
    private(set) var layout: HdrLayout?
    private var seen: Set<[Int]> = []

    /// Adds one report, or says why not (and adds nothing).
    mutating func add(_ report: IntervalReport) throws(Refusal) {
        guard !seen.contains([report.share, report.interval]) else { throw .duplicate(share: report.share, interval: report.interval) }
        let decoded: (layout: HdrLayout, counts: [UInt64])
        do {
            decoded = try HdrV2Codec.decode(base64: report.latency)
        } catch {
            throw .unreadableHistogram(share: report.share, interval: report.interval, "\(error)")
        }
        if let layout, layout != decoded.layout { throw .layoutMismatch(share: report.share, interval: report.interval) }
        layout = decoded.layout
        seen.insert([report.share, report.interval])
        var merged = intervals[report.interval] ?? Interval()
        merged.planned += report.planned
        merged.sent += report.sent
        merged.accepted += report.accepted
        merged.errors += report.errors
        merged.dropped += report.dropped
        if merged.counts.count < decoded.counts.count { merged.counts += Array(repeating: 0, count: decoded.counts.count - merged.counts.count) }
        for (index, count) in decoded.counts.enumerated() { merged.counts[index] += count }
        intervals[report.interval] = merged
    }

    /// The (share, interval) pairs reported so far.
    var reported: Set<[Int]> { seen }
}
