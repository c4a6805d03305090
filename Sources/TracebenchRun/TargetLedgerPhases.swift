import TracebenchMeasure
import TracebenchResults
import TracebenchScenario

/// The latency phases inside a black-box system, from the time fields its ledger declares (`ledger.redis.fields`):
/// `queue_wait` (claimed − submitted), `processing` (finished − claimed), `end_to_end` (finished − tracebench's
/// intended start). Jobs of the warm-up are left out, as in the built-in pipeline. A phase no job could time, or one
/// with a negative duration (clocks that disagree, fields swapped), is left out with a note: not measured, never 0.
enum TargetLedgerPhases {
    /// A moment the ledger may record.
    private enum Mark: String {
        case submitted, claimed, finished
    }

    /// A phase: from one moment (nil: tracebench's intended start of the request) to another.
    private struct Phase {
        var name: String
        var from: Mark?
        var to: Mark
    }

    private static let phases = [
        Phase(name: "queue_wait", from: .submitted, to: .claimed),
        Phase(name: "processing", from: .claimed, to: .finished),
        Phase(name: "end_to_end", from: nil, to: .finished),
    ]

    /// Adds the phases the ledger times to `latency`. `intendedMicros`: each measured (post-warm-up) job's intended
    /// start, µs since the epoch.
    static func fill(_ latency: inout [String: LatencySummary], problems: inout [Problem], times: LedgerTimes,
                     entries: [String: ReadOnlyLedger.Entry], intendedMicros: [String: Int64]) {
        let fieldOf: [Mark: String] = [.submitted: times.submitted, .claimed: times.claimed, .finished: times.finished].compactMapValues(\.self)
        var histograms = Array(repeating: LatencyHistogram(), count: phases.count)
        var negative = Array(repeating: 0, count: phases.count)
        var unreadable: [String: Int] = [:]
        for (job, intended) in intendedMicros {
            guard let fields = entries[job]?.fields else { continue }
            var at: [Mark: Int64] = [:]
            for (mark, name) in fieldOf {
                guard let text = fields[name], !text.isEmpty else { continue }
                if let micros = times.micros(text) { at[mark] = micros } else { unreadable[name, default: 0] += 1 }
            }
            for (index, phase) in phases.enumerated() {
                guard let end = at[phase.to], let start = phase.from.map({ at[$0] }) ?? intended else { continue }
                if end < start { negative[index] += 1 } else { histograms[index].record(microseconds: end - start) }
            }
        }
        for (name, count) in unreadable.sorted(by: { $0.key < $1.key }) {
            problems.append(Problem(.notMeasured, "ledger field '\(name)' of \(count) jobs is not a time in \(times.unit.rawValue) (ledger.redis.fields.unit)"))
        }
        for (index, phase) in phases.enumerated() where ([phase.to] + [phase.from].compactMap(\.self)).allSatisfy({ fieldOf[$0] != nil }) {
            if negative[index] > 0 {
                let why = phase.from == nil ? "the system's clock and tracebench's disagree" : "its time fields are out of order"
                problems.append(Problem(.notMeasured, "latency.\(phase.name) not measured: \(negative[index]) jobs have a negative \(phase.name) (\(why))"))
            } else if histograms[index].count > 0 {
                latency[phase.name] = histograms[index].summary()
            } else {
                let needs = [phase.from, phase.to].compactMap { $0?.rawValue }.joined(separator: " and ")
                problems.append(Problem(.notMeasured, "latency.\(phase.name) not measured: no measured job's ledger holds its \(needs) time"))
            }
        }
    }
}
