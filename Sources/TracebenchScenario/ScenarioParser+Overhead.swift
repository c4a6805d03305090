import Yams

/// The `overhead` and `calibration` sections.
extension ScenarioParser {
    static let overheadKeys = ScenarioSchemaKeys.overhead.names
    static let calibrationKeys = ScenarioSchemaKeys.calibration.names

    /// Fewest and most arms an overhead measurement compares (the baseline included): each tracing mode once.
    static let overheadArmCounts = 2...TracingSpec.Mode.allCases.count

    /// `overhead:` absent is nil (no A/B measurement); present but empty is every default.
    func overheadSection(_ map: YAMLMapping) -> OverheadSpec? {
        guard map.contains("overhead") else { return nil }
        return section(map, "overhead", default: OverheadSpec()) { overhead($0) }
    }

    func overhead(_ field: YAMLField) -> OverheadSpec? {
        guard let map = reader.mapping(field, known: Self.overheadKeys) else { return nil }
        let d = OverheadSpec()
        return OverheadSpec(
            arms: reader.value(map, "arms", default: d.arms) { arms($0) } ?? d.arms,
            blocks: reader.integer(map, "blocks", default: d.blocks, .between(0, 50)) ?? d.blocks,
            blockSeconds: reader.number(map, "block_seconds", default: d.blockSeconds, .positive(atMost: 3600))
                ?? d.blockSeconds,
            bootstrapIterations: reader.integer(map, "bootstrap", default: d.bootstrapIterations, .between(100, 100_000))
                ?? d.bootstrapIterations
        )
    }

    /// A list of 2…3 distinct tracing modes, read as written (`off` stays `off`, not YAML 1.1's `false`).
    private func arms(_ field: YAMLField) -> [TracingSpec.Mode]? {
        guard let elements = reader.sequence(field) else { return nil }
        let counts = Self.overheadArmCounts
        guard counts.contains(elements.count) else {
            reader.report(
                "must list \(counts.lowerBound) to \(counts.upperBound) tracing modes (the first is the baseline), "
                    + "got \(elements.count)",
                atHeadOf: field
            )
            return nil
        }
        var arms: [TracingSpec.Mode] = []
        var firstIndex: [TracingSpec.Mode: Int] = [:]
        var allValid = true
        for (index, element) in elements.enumerated() {
            guard let mode: TracingSpec.Mode = reader.choice(element, what: "tracing mode") else {
                allValid = false
                continue
            }
            if let first = firstIndex[mode] {
                reader.report("duplicate arm '\(mode.rawValue)' (already \(field.element(first))); each mode may appear once", at: element)
                allValid = false
                continue
            }
            firstIndex[mode] = index
            arms.append(mode)
        }
        return allValid ? arms : nil
    }

    // MARK: calibration

    func calibration(_ field: YAMLField) -> CalibrationSpec? {
        guard let map = reader.mapping(field, known: Self.calibrationKeys) else { return nil }
        let d = CalibrationSpec()
        return CalibrationSpec(
            injectMicrosPerSpan: reader.number(map, "inject_us_per_span", default: d.injectMicrosPerSpan, .between(0, 1_000_000))
                ?? d.injectMicrosPerSpan
        )
    }
}
