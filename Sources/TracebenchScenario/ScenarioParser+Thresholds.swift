import TracebenchMetrics
import Yams

/// The `thresholds` and `gate` sections: metric path → condition(s), checked against ``MetricCatalog`` when the
/// file loads, so a misspelt metric is exit 2 with its line and a suggestion, never a threshold that silently never
/// fires (k6 issue #1526).
extension ScenarioParser {
    static let thresholdOptionKeys = ScenarioSchemaKeys.thresholdOptions.names
    static let gateKeys = ScenarioSchemaKeys.gate.names

    /// `thresholds:` (absent: none) with the family error rate of `gate.alpha`.
    func thresholdSet(_ map: YAMLMapping) -> ThresholdSet {
        var set = ThresholdSet()
        if let gate = map["gate"], !gate.isNull, let gateMap = reader.mapping(gate, known: Self.gateKeys) {
            set.alpha = reader.number(gateMap, "alpha", default: ThresholdSet.defaultAlpha,
                                      NumberRule("must be greater than 0 and below 0.5") { $0 > 0 && $0 < 0.5 }) ?? ThresholdSet.defaultAlpha
        }
        if let field = map["thresholds"], !field.isNull {
            set.thresholds = thresholds(field)
        }
        return set
    }

    func thresholds(_ field: YAMLField) -> [ThresholdSpec] {
        guard let entries = reader.pairs(field) else { return [] }
        var specs: [ThresholdSpec] = []
        for entry in entries {
            let resolved: ResolvedMetric
            do {
                resolved = try MetricCatalog.resolve(entry.key)
            } catch {
                reader.report(error.description, path: entry.value.path, mark: entry.keyMark)
                continue
            }
            let conditions: [YAMLField]
            if case .sequence = entry.value.node {
                conditions = reader.sequence(entry.value) ?? []
                if conditions.isEmpty { reader.report("must list at least one condition", atHeadOf: entry.value) }
            } else {
                conditions = [entry.value]
            }
            for condition in conditions {
                if let spec = threshold(condition, metric: entry.key, unit: resolved.unit) { specs.append(spec) }
            }
        }
        return specs
    }

    /// One condition: a string (`"< 750ms"`) or a mapping with `threshold` and k6's options. The `threshold` of
    /// a mapping is a string only (`optionsAllowed` false): options do not nest.
    private func threshold(_ field: YAMLField, metric: String, unit: MetricUnit, optionsAllowed: Bool = true) -> ThresholdSpec? {
        let source = "\(reader.file):\(field.headMark?.line ?? 0)"
        if case .mapping = field.node, optionsAllowed {
            guard let map = reader.mapping(field, known: Self.thresholdOptionKeys) else { return nil }
            guard let conditionField = map["threshold"] else {
                reader.reportMissing("threshold", in: map)
                return nil
            }
            guard var spec = threshold(conditionField, metric: metric, unit: unit, optionsAllowed: false) else { return nil }
            spec.source = source
            if let abort = map["abort_on_fail"], let value = reader.boolean(abort) { spec.abortOnFail = value }
            if let delay = map["delay_abort_eval"] { spec.delayAbortEvalSeconds = duration(delay) ?? 0 }
            if let over = map["over"] {
                spec.overSeconds = duration(over)
                if spec.overSeconds != nil, !metric.hasPrefix("latency."), !metric.hasPrefix("throughput.") {
                    reader.report("'over' windows apply to latency and throughput metrics (the per-interval series), not \(metric)", at: over)
                }
            }
            return spec
        }
        guard let text = reader.scalarText(field, expected: "a condition such as \"< 750ms\" (quote it: YAML reads a leading > as a block)") else {
            return nil
        }
        do {
            return ThresholdSpec(metric: metric, condition: try ThresholdCondition(parsing: text, unit: unit), source: source)
        } catch {
            reader.report("\(error.reason) (for \(metric), in \(unit.rawValue))", at: field)
            return nil
        }
    }

    /// A positive duration in seconds (`30s`, `1m`, `500ms`, or a bare number of seconds).
    private func duration(_ field: YAMLField) -> Double? {
        guard let text = reader.scalarText(field, expected: "a duration such as 30s") else { return nil }
        guard let seconds = try? MetricUnit.seconds.convert(text), seconds > 0, seconds <= 86_400 else {
            reader.report("expected a duration between 0 and 24 h such as 30s, got '\(text)'", at: field)
            return nil
        }
        return seconds
    }
}
