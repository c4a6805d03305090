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
        guard !blackBox else {
            // Required here (reported as a missing key): the arms are the user's environments, there is no default.
            guard let environments = reader.value(map, "arms", default: nil, { environmentArms($0) }) else { return nil }
            return OverheadSpec(
                arms: [], blocks: reader.integer(map, "blocks", default: 4, .between(2, 50)) ?? 4,
                blockSeconds: reader.number(map, "block_seconds", default: d.blockSeconds, .positive(atMost: 3600)) ?? d.blockSeconds,
                bootstrapIterations: reader.integer(map, "bootstrap", default: d.bootstrapIterations, .between(100, 100_000)) ?? d.bootstrapIterations,
                environments: environments)
        }
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

    /// A black-box run's arms: 2…4 launch environments `{name, env}` with distinct names, the first the baseline.
    private func environmentArms(_ field: YAMLField) -> [EnvironmentArm]? {
        guard let elements = reader.sequence(field) else { return nil }
        guard (2 ... 4).contains(elements.count) else {
            reader.report("must list 2 to 4 arms {name, env} (the first is the baseline), got \(elements.count)", atHeadOf: field)
            return nil
        }
        var arms: [EnvironmentArm] = []
        var firstIndex: [String: Int] = [:]
        var allValid = true
        for (index, element) in elements.enumerated() {
            guard let map = reader.mapping(element, known: ScenarioSchemaKeys.overheadArm.names),
                  let name = reader.value(map, "name", default: nil, { armName($0) }) else {
                allValid = false
                continue
            }
            if let first = firstIndex[name], let nameField = map["name"] {
                reader.report("duplicate arm '\(name)' (already \(field.element(first))); each name may appear once", at: nameField)
                allValid = false
                continue
            }
            firstIndex[name] = index
            arms.append(EnvironmentArm(name: name, env: section(map, "env", default: [:]) { stringMap($0, keysAreHeaderNames: false) }))
        }
        return allValid ? arms : nil
    }

    /// An arm's name: it becomes a metric path segment (`overhead.<name>.per_request_us`).
    private func armName(_ field: YAMLField) -> String? {
        guard let name = reader.string(field, allowEmpty: false) else { return nil }
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            reader.report("an arm's name may hold only letters, digits, _ and - (it becomes a metric path segment), got '\(name)'", at: field)
            return nil
        }
        return name
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
