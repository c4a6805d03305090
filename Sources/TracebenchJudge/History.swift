import Foundation
import TracebenchInput
import TracebenchMeasure
import TracebenchMetrics
import TracebenchResults

/// Runs across nights: an append-only store of results files, keyed by scenario hash × host fingerprint.
///
/// A directory, not a database: the stored files are the results files themselves (the product's interface, readable
/// by every verb and by `jq`), copied under `<store>/<scenario sha256 prefix>-<host prefix>/`, with one `index.json`
/// per key listing them in order with their annotations. Nothing is ever deleted: accepting a known shift is an
/// annotation (`history accept`), after which the baseline starts at the accepted run.
public struct HistoryStore: Sendable {
    /// One stored run.
    public struct Entry: Codable, Sendable, Equatable {
        public var file: String
        public var runID: String
        public var startedAt: String
        public var gitRevision: String
        /// "accepted: <reason>" marks a known shift: the baseline starts here.
        public var annotations: [String] = []

        enum CodingKeys: String, CodingKey { case file, runID = "run_id", startedAt = "started_at", gitRevision = "git_revision", annotations }
    }

    public let directory: String

    public init(directory: String) {
        self.directory = directory
    }

    public static func key(_ r: RunResults) -> String {
        "\(r.scenarioFile.sha256.prefix(12).isEmpty ? "noscenariohash" : String(r.scenarioFile.sha256.prefix(12)))-\(r.environment.hostFingerprint.prefix(12).isEmpty ? "nohost" : String(r.environment.hostFingerprint.prefix(12)))"
    }

    func indexPath(_ key: String) -> String { "\(directory)/\(key)/index.json" }

    public func entries(key: String) throws -> [Entry] {
        guard FileManager.default.fileExists(atPath: indexPath(key)) else { return [] }
        return try JSONDecoder().decode([Entry].self, from: InputFile.read(indexPath(key)))
    }

    func save(_ entries: [Entry], key: String) throws {
        try ResultsFile.write(entries, to: indexPath(key))
    }

    /// Copies a results file into the store (a run already stored is not added twice) and returns its entry.
    @discardableResult
    public func add(_ results: RunResults, from path: String) throws -> Entry {
        let key = Self.key(results)
        var entries = try entries(key: key)
        if let existing = entries.first(where: { $0.runID == results.runID }) { return existing }
        let name = "\(results.startedAt.replacingOccurrences(of: ":", with: ""))-\(results.runID).json"
        let target = "\(directory)/\(key)/\(name)"
        try FileManager.default.createDirectory(atPath: "\(directory)/\(key)", withIntermediateDirectories: true)
        if FileManager.default.fileExists(atPath: target) { try FileManager.default.removeItem(atPath: target) }
        try FileManager.default.copyItem(atPath: path, toPath: target)
        let entry = Entry(file: name, runID: results.runID, startedAt: results.startedAt, gitRevision: results.environment.gitRevision)
        entries.append(entry)
        try save(entries, key: key)
        return entry
    }

    /// Marks a stored run as an accepted shift.
    public func accept(runID: String, reason: String, key: String) throws -> Bool {
        var entries = try entries(key: key)
        guard let index = entries.firstIndex(where: { $0.runID == runID }) else { return false }
        entries[index].annotations.append("accepted: \(reason)")
        try save(entries, key: key)
        return true
    }

    /// The stored runs of a key, oldest first, from the last accepted shift on.
    public func baseline(key: String) throws -> [(entry: Entry, results: RunResults)] {
        let all = try entries(key: key)
        let start = all.lastIndex { $0.annotations.contains { $0.hasPrefix("accepted") } } ?? 0
        return all[start...].compactMap { entry in
            guard case .run(let results) = try? ResultsFile.read(from: "\(directory)/\(key)/\(entry.file)") else { return nil }
            return (entry, results)
        }
    }
}

/// `history check`: tonight against the stored nights — per metric the baseline's median and IQR, whether tonight is
/// outside it, and the change points of the series with tonight appended.
public struct HistoryCheck: Codable, Sendable {
    public struct MetricCheck: Codable, Sendable {
        public var metric: String
        public var values: [Double]
        public var median: Double
        public var iqr: Double
        public var tonight: Double
        /// Tonight outside median ± `fences` × IQR, in the bad direction (regression) or the good one.
        public var outside: String
        /// Confirmed by the re-run (outside in the same direction), when one was given.
        public var confirmed: Bool?
        public var changePoints: [ChangePoints.Change]

        enum CodingKeys: String, CodingKey { case metric, values, median, iqr, tonight, outside, confirmed, changePoints = "change_points" }
    }

    public var schemaVersion = ResultsSchema.version
    public var kind = ResultsKind(rawValue: "history_check")
    public var nights = 0
    public var fences = 3.0
    public var metrics: [MetricCheck] = []

    enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version", kind, nights, fences, metrics }

    /// Regressions outside the baseline that a re-run confirmed.
    public var confirmedRegressions: [MetricCheck] { metrics.filter { $0.outside == "regression" && $0.confirmed == true } }
    /// Regressions outside the baseline with no re-run yet: a shift is confirmed by a re-run before it fails.
    public var unconfirmedRegressions: [MetricCheck] { metrics.filter { $0.outside == "regression" && $0.confirmed == nil } }

    public static func check(tonight: RunResults, rerun: RunResults?, baseline: [RunResults], last: Int, fences: Double = 3) -> HistoryCheck {
        var check = HistoryCheck()
        let nights = Array(baseline.suffix(last))
        check.nights = nights.count
        check.fences = fences
        let side = nights.enumerated().map { ("night-\($0.offset)", $0.element) } + [("tonight", tonight)]
        for path in Comparator.metricPaths(base: side, candidate: []) {
            guard let metric = try? MetricCatalog.resolve(path) else { continue }
            let values = nights.compactMap { MetricReader.observe(metric, in: $0)?.estimate }
            guard values.count == nights.count, values.count >= 3, let now = MetricReader.observe(metric, in: tonight)?.estimate else { continue }
            let sorted = values.sorted()
            func quantile(_ q: Double) -> Double {
                let position = q * Double(sorted.count - 1)
                let low = Int(position.rounded(.down)), high = Int(position.rounded(.up))
                return sorted[low] + (sorted[high] - sorted[low]) * (position - Double(low))
            }
            let median = quantile(0.5), iqr = quantile(0.75) - quantile(0.25)
            // An IQR of 0 (a perfectly stable figure) still allows 1 % of the median.
            let fence = fences * max(iqr, abs(median) * 0.01)
            let lowerIsBetter = MetricCatalog.definitions.first { $0.template == metric.template }?.lowerIsBetter ?? true
            func direction(_ value: Double) -> String {
                guard abs(value - median) > fence else { return "~" }
                return (value > median) == lowerIsBetter ? "regression" : "improvement"
            }
            var item = MetricCheck(metric: path, values: values, median: median, iqr: iqr, tonight: now, outside: direction(now),
                                   changePoints: ChangePoints.detect(values + [now]))
            if let rerun, item.outside != "~", let again = MetricReader.observe(metric, in: rerun)?.estimate {
                item.confirmed = direction(again) == item.outside
            }
            check.metrics.append(item)
        }
        return check
    }
}
