import TracebenchMetrics
import Yams

/// One node of a composed YAML document together with the key path that leads to it (`""` for the root).
struct YAMLField {
    let node: Node
    let path: String
    /// Where the key that holds this value is (nil for list elements and the root).
    var keyMark: Mark?

    init(node: Node, path: String, keyMark: Mark? = nil) {
        self.node = node
        self.path = path
        self.keyMark = keyMark
    }

    /// Where the value starts (a block mapping or list starts at its first entry).
    var mark: Mark? { node.mark }
    /// Where a problem with the value as a whole is shown: its key's line if it has one (`jobs:` rather than
    /// the first `- service:` under it), else the value itself.
    var headMark: Mark? { keyMark ?? node.mark }

    /// The path of the value under `key` in this mapping.
    func child(_ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }
    /// The path of the element at `index` in this list.
    func element(_ index: Int) -> String { "\(path)[\(index)]" }

    /// The scalar's text exactly as written (YAML 1.1 would turn `off` into `false`; we never let it).
    var text: String? { node.scalar?.string }

    /// True for an explicit or implied null: `key:` with nothing after it, `~` or `null` (unquoted).
    var isNull: Bool {
        guard case let .scalar(scalar) = node, scalar.style == .plain || scalar.style == .any else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// How the value is named after "got": `'fast'`, `nothing`, `a mapping`, `a list`.
    var shape: String {
        if isNull { return "nothing" }
        switch node {
        case let .scalar(scalar): return "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }
}

/// A mapping whose keys have been checked against the keys its section allows (unknown keys already reported).
struct YAMLMapping {
    let field: YAMLField
    fileprivate var values: [String: YAMLField] = [:]

    /// The value under a known `key`, if the file has it.
    subscript(key: String) -> YAMLField? { values[key] }
    func contains(_ key: String) -> Bool { values[key] != nil }
}

/// A constraint on a number and the phrase that explains it when broken ("must be greater than 0").
struct NumberRule: Sendable {
    let requirement: String?
    let isSatisfied: @Sendable (Double) -> Bool

    init(_ requirement: String?, _ isSatisfied: @escaping @Sendable (Double) -> Bool) {
        self.requirement = requirement
        self.isSatisfied = isSatisfied
    }

    /// The largest magnitude any scenario number may have, whatever its own rule: every duration, rate and count
    /// the code turns into nanoseconds, microseconds or an `Int` stays far from overflow (1e9 s is 1e18 ns < 2⁶³).
    static let largestMagnitude = 1e9

    static let any = NumberRule("must be between -\(displayNumber(largestMagnitude)) and \(displayNumber(largestMagnitude))") {
        abs($0) <= largestMagnitude
    }
    static let positive = NumberRule("must be greater than 0 and at most \(displayNumber(largestMagnitude))") { $0 > 0 && $0 <= largestMagnitude }
    static let nonNegative = NumberRule("must be between 0 and \(displayNumber(largestMagnitude))") { $0 >= 0 && $0 <= largestMagnitude }
    static let ratio = between(0, 1)

    static func between(_ low: Double, _ high: Double) -> NumberRule {
        NumberRule("must be between \(displayNumber(low)) and \(displayNumber(high))") { $0 >= low && $0 <= high }
    }

    static func positive(atMost high: Double) -> NumberRule {
        NumberRule("must be greater than 0 and at most \(displayNumber(high))") { $0 > 0 && $0 <= high }
    }
}

/// `10` rather than `10.0` for whole numbers; used in messages.
func displayNumber(_ value: Double) -> String {
    if value == value.rounded(), abs(value) < 1e15 { return String(Int64(value)) }
    return String(value)
}

/// Walks a composed YAML document, reading typed values out of it and collecting every problem on the way.
///
/// Readers return `nil` when a value is missing (and required) or invalid, after recording why; callers then
/// carry on with a default so that problems further down are found too.
final class YAMLReader {
    let file: String
    private(set) var problems: [ScenarioProblem] = []
    /// Every numeric key read, in order (the registry the hostile-value property test walks).
    private(set) var numericPaths: [String] = []

    init(file: String) {
        self.file = file
    }

    /// The problems in document order (line, then column, then the order they were found).
    var sortedProblems: [ScenarioProblem] {
        problems.enumerated().sorted { a, b in
            (a.element.line, a.element.column, a.offset) < (b.element.line, b.element.column, b.offset)
        }.map(\.element)
    }

    // MARK: Reporting

    func report(_ message: String, path: String, mark: Mark?) {
        problems.append(ScenarioProblem(
            file: file, keyPath: path.isEmpty ? "(root)" : path, line: mark?.line ?? 0, column: mark?.column ?? 0,
            message: message
        ))
    }

    /// A problem with the value itself (an empty value is shown at its key).
    func report(_ message: String, at field: YAMLField) {
        report(message, path: field.path, mark: field.isNull ? field.headMark : field.mark)
    }

    /// A problem with a mapping or list as a whole, shown at the key that holds it.
    func report(_ message: String, atHeadOf field: YAMLField) {
        report(message, path: field.path, mark: field.headMark)
    }

    /// A required key is absent: reported at the key of the mapping that should hold it.
    func reportMissing(_ key: String, in mapping: YAMLMapping) {
        report("missing required key '\(key)'", path: mapping.field.child(key), mark: mapping.field.headMark)
    }

    // MARK: Shapes

    /// The mapping at `field`, reporting each key not in `known` (with the closest known key, if any is near).
    func mapping(_ field: YAMLField, known: [String]) -> YAMLMapping? {
        guard case let .mapping(map) = field.node else {
            report("expected a mapping, got \(field.shape)", at: field)
            return nil
        }
        var result = YAMLMapping(field: field)
        for (key, value) in map {
            guard let name = key.scalar?.string else {
                report("keys must be plain strings, got \(YAMLField(node: key, path: "").shape)", path: field.path, mark: key.mark)
                continue
            }
            if known.contains(name) {
                result.values[name] = YAMLField(node: value, path: field.child(name), keyMark: key.mark)
            } else if let suggestion = KeySuggestion.closest(to: name, among: known) {
                report("unknown key '\(name)'; did you mean '\(suggestion)'?", path: field.child(name), mark: key.mark)
            } else {
                report("unknown key '\(name)'; expected one of: \(known.joined(separator: ", "))", path: field.child(name), mark: key.mark)
            }
        }
        return result
    }

    /// Every entry of a free-form mapping (keys chosen by the user), in file order.
    func pairs(_ field: YAMLField) -> [(key: String, keyMark: Mark?, value: YAMLField)]? {
        guard case let .mapping(map) = field.node else {
            report("expected a mapping, got \(field.shape)", at: field)
            return nil
        }
        var result: [(key: String, keyMark: Mark?, value: YAMLField)] = []
        for (key, value) in map {
            guard let name = key.scalar?.string else {
                report("keys must be plain strings, got \(YAMLField(node: key, path: "").shape)", path: field.path, mark: key.mark)
                continue
            }
            result.append((name, key.mark, YAMLField(node: value, path: field.child(name), keyMark: key.mark)))
        }
        return result
    }

    /// The elements of the list at `field`, each with its indexed path.
    func sequence(_ field: YAMLField) -> [YAMLField]? {
        guard case let .sequence(list) = field.node else {
            report("expected a list, got \(field.shape)", at: field)
            return nil
        }
        return list.enumerated().map { YAMLField(node: $0.element, path: field.element($0.offset)) }
    }

    // MARK: Scalars

    /// The text of a non-null scalar; anything else is reported as "expected `expected`, got …".
    func scalarText(_ field: YAMLField, expected: String) -> String? {
        guard let text = field.text, !field.isNull else {
            report("expected \(expected), got \(field.shape)", at: field)
            return nil
        }
        return text
    }

    /// A finite number (`1_000` and `1e3` are accepted), checked against `rule`.
    func number(_ field: YAMLField, _ rule: NumberRule = .any) -> Double? {
        numericPaths.append(field.path)
        guard let text = scalarText(field, expected: "a number") else { return nil }
        guard let value = Double(text.filter { $0 != "_" }), value.isFinite else {
            report("expected a number, got '\(text)'", at: field)
            return nil
        }
        return check(value, text: text, rule, at: field)
    }

    /// A whole number (`2.0` is accepted, `2.5` is not), checked against `rule`.
    func integer(_ field: YAMLField, _ rule: NumberRule = .any) -> Int? {
        numericPaths.append(field.path)
        guard let text = scalarText(field, expected: "an integer") else { return nil }
        let cleaned = text.filter { $0 != "_" }
        var value = Int(cleaned)
        if value == nil, let double = Double(cleaned), double == double.rounded(), abs(double) < 1e15 {
            value = Int(double)
        }
        guard let value else {
            report("expected an integer, got '\(text)'", at: field)
            return nil
        }
        return check(value, text: text, rule, at: field)
    }

    /// A non-negative integer that fits in 64 bits.
    func unsignedInteger(_ field: YAMLField) -> UInt64? {
        numericPaths.append(field.path)
        guard let text = scalarText(field, expected: "a non-negative integer") else { return nil }
        let cleaned = text.filter { $0 != "_" }
        if let value = UInt64(cleaned) { return value }
        // Like `integer`: a whole number written as a float (`2.0`, `2e9`) is that number, exactly up to 2⁵³.
        if let double = Double(cleaned), double == double.rounded(), double >= 0, double <= 9_007_199_254_740_992 {
            return UInt64(double)
        }
        if Int64(cleaned) != nil || (Double(cleaned).map { $0 < 0 } ?? false) {
            report("must be at least 0, got \(text)", at: field)
        } else if cleaned.allSatisfy(\.isNumber), !cleaned.isEmpty {
            report("must be at most \(UInt64.max), got \(text)", at: field)
        } else {
            report("expected a non-negative integer, got '\(text)'", at: field)
        }
        return nil
    }

    /// A string; an unquoted empty value counts as `""` when `allowEmpty`.
    func string(_ field: YAMLField, allowEmpty: Bool) -> String? {
        if field.isNull, allowEmpty { return "" }
        guard let text = scalarText(field, expected: allowEmpty ? "a string" : "a non-empty string") else { return nil }
        if !allowEmpty, text.allSatisfy(\.isWhitespace) {
            report("must not be empty", at: field)
            return nil
        }
        return text
    }

    /// `true` or `false` (YAML 1.2 core spelling only: `yes`, `on` and `1` are refused, not guessed).
    func boolean(_ field: YAMLField) -> Bool? {
        switch field.text {
        case "true": return true
        case "false": return false
        default:
            report("expected true or false, got \(field.shape)", at: field)
            return nil
        }
    }

    /// One of an enum's raw values; a wrong value lists the allowed ones (and the closest, if one is near).
    func choice<E: RawRepresentable & CaseIterable>(_ field: YAMLField, what: String) -> E? where E.RawValue == String {
        let allowed = E.allCases.map(\.rawValue)
        let list = allowed.joined(separator: ", ")
        guard let text = scalarText(field, expected: "one of \(list)") else { return nil }
        if let value = E(rawValue: text) { return value }
        var message = "unknown \(what) '\(text)'; expected one of: \(list)"
        if let suggestion = KeySuggestion.closest(to: text, among: allowed) {
            message += " (did you mean '\(suggestion)'?)"
        }
        report(message, at: field)
        return nil
    }

    private func check<T: BinaryInteger>(_ value: T, text: String, _ rule: NumberRule, at field: YAMLField) -> T? {
        check(Double(value), text: text, rule, at: field).map { _ in value }
    }

    private func check(_ value: Double, text: String, _ rule: NumberRule, at field: YAMLField) -> Double? {
        // Every rule, also a custom one, is bounded by the one magnitude limit.
        guard abs(value) <= NumberRule.largestMagnitude else {
            report("must be at most \(displayNumber(NumberRule.largestMagnitude)) in magnitude (\(rule.requirement ?? "")), got \(text)", at: field)
            return nil
        }
        guard rule.isSatisfied(value) else {
            report("\(rule.requirement ?? "is out of range"), got \(text)", at: field)
            return nil
        }
        return value
    }

    // MARK: Keyed access

    /// Reads `key` from `mapping` with `read`; when the key is absent, returns `defaultValue`, or reports it
    /// missing if `defaultValue` is nil (required).
    func value<T>(_ mapping: YAMLMapping, _ key: String, default defaultValue: T?, _ read: (YAMLField) -> T?) -> T? {
        guard let field = mapping[key] else {
            if defaultValue == nil { reportMissing(key, in: mapping) }
            return defaultValue
        }
        return read(field)
    }

    func number(_ mapping: YAMLMapping, _ key: String, default defaultValue: Double?, _ rule: NumberRule) -> Double? {
        value(mapping, key, default: defaultValue) { number($0, rule) }
    }

    func integer(_ mapping: YAMLMapping, _ key: String, default defaultValue: Int?, _ rule: NumberRule) -> Int? {
        value(mapping, key, default: defaultValue) { integer($0, rule) }
    }

    func boolean(_ mapping: YAMLMapping, _ key: String, default defaultValue: Bool?) -> Bool? {
        value(mapping, key, default: defaultValue) { boolean($0) }
    }

    func string(_ mapping: YAMLMapping, _ key: String, default defaultValue: String?, allowEmpty: Bool) -> String? {
        value(mapping, key, default: defaultValue) { string($0, allowEmpty: allowEmpty) }
    }

    func choice<E: RawRepresentable & CaseIterable>(
        _ mapping: YAMLMapping, _ key: String, default defaultValue: E?, what: String
    ) -> E? where E.RawValue == String {
        value(mapping, key, default: defaultValue) { choice($0, what: what) }
    }
}
