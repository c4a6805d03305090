import Foundation
import TracebenchInput
import TracebenchMetrics
import Yams

/// Reads a scenario YAML file into a validated ``Scenario``, strictly.
///
/// The document is composed into a `Yams.Node` tree and walked by hand: every scalar is read as the text that
/// was written (so `mode: off` stays the string `off` instead of YAML 1.1's `false`), every key is checked
/// against the schema, and every problem is collected — unknown keys (with a suggestion when one is near),
/// wrong types, missing required keys and impossible values — each with its file, key path, line and column.
public enum ScenarioLoader {
    /// Loads the scenario at `path`. A file that cannot be read is one problem on line 0.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        try parse(yaml: readText(path: path), file: path)
    }

    /// Parses a scenario from YAML text; `file` names it in problems and gives the default `name`
    /// (its base name without extension).
    public static func parse(yaml: String, file: String) throws(ScenarioError) -> Scenario {
        let root = try compose(yaml: yaml, file: file)
        guard let root, !YAMLField(node: root, path: "").isNull else {
            throw ScenarioError(problems: [ScenarioProblem(
                file: file, keyPath: "(root)", line: 1, column: 1,
                message: "the document is empty; expected a mapping with at least duration_s, load and jobs"
            )])
        }
        let reader = YAMLReader(file: file)
        let parser = ScenarioParser(reader: reader, defaultName: defaultName(forFile: file))
        let parsed = parser.scenario(YAMLField(node: root, path: ""))
        guard var scenario = parsed, reader.problems.isEmpty else {
            throw ScenarioError(problems: reader.sortedProblems)
        }
        scenario.source = ScenarioSource(path: file, text: yaml)
        return scenario
    }

    /// Loads a thresholds file for `tracebench gate --thresholds`: a YAML mapping with `thresholds:` (and optionally
    /// `gate:`), checked exactly as a scenario's.
    public static func loadThresholds(path: String) throws(ScenarioError) -> ThresholdSet {
        try loadSideFile(path: path, key: "thresholds", article: "a", known: ScenarioSchemaKeys.thresholdsFile.names) { parser, map in
            if !map.contains("thresholds") { parser.reader.reportMissing("thresholds", in: map) }
            return parser.thresholdSet(map)
        }
    }

    /// Loads an expectations file for `tracebench listen --expect`: a YAML mapping with `expect:`, a list checked exactly
    /// as a scenario's `target.expect`.
    public static func loadExpectations(path: String) throws(ScenarioError) -> [TargetSpec.Expectation] {
        try loadSideFile(path: path, key: "expect", article: "an", known: ScenarioSchemaKeys.expectFile.names) { parser, map in
            parser.reader.value(map, "expect", default: nil) { parser.expectations($0) }
        }
    }

    /// A file beside a scenario (thresholds, expectations): a mapping of `known` keys whose `key` section `read` turns
    /// into a value, every problem collected with its file, line and key path.
    private static func loadSideFile<T>(path: String, key: String, article: String, known: [String],
                                        _ read: (ScenarioParser, YAMLMapping) -> T?) throws(ScenarioError) -> T {
        let yaml = try readText(path: path)
        let root = try compose(yaml: yaml, file: path)
        let reader = YAMLReader(file: path)
        guard let root, case .mapping = root else {
            throw ScenarioError(problems: [ScenarioProblem(file: path, keyPath: "(root)", line: 1, column: 1,
                                                           message: "expected a mapping with \(article) '\(key)' key")])
        }
        let parser = ScenarioParser(reader: reader, defaultName: key)
        guard let map = reader.mapping(YAMLField(node: root, path: ""), known: known) else { throw ScenarioError(problems: reader.sortedProblems) }
        let value = read(parser, map)
        guard let value, reader.problems.isEmpty else { throw ScenarioError(problems: reader.sortedProblems) }
        return value
    }

    /// Most nodes a document may expand to, aliases followed: a few KB of nested aliases can stand for billions of
    /// nodes (a "billion laughs"), which would take minutes and gigabytes to walk.
    public static let maximumNodes = 100_000
    /// Largest scenario file read.
    public static let maximumFileBytes = 4 << 20

    /// Composes `yaml`, refusing syntax errors and documents that expand past ``maximumNodes``.
    static func compose(yaml: String, file: String) throws(ScenarioError) -> Node? {
        // Yams checks every mapping for duplicate keys by hashing each key's whole expanded tree while composing, so
        // an alias of a nested-alias bomb used as a *key* takes minutes before any bound below can act. Scenario keys
        // are plain names: an alias in key position is refused from the text, before composing.
        if let line = aliasKeyLine(yaml) {
            throw ScenarioError(problems: [ScenarioProblem(file: file, keyPath: "(root)", line: line, column: 1,
                                                           message: "an alias (*name) is used as a mapping key; keys must be plain names")])
        }
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ScenarioError(problems: syntaxProblems(error, yaml: yaml, file: file))
        }
        if let root, let crossing = NodeBudget.crossing(root, limit: maximumNodes) {
            let origin = crossing.aliasLine.map { ", expanded from the alias used at line \($0)" } ?? ""
            throw ScenarioError(problems: [ScenarioProblem(
                file: file, keyPath: crossing.path.isEmpty ? "(root)" : crossing.path, line: crossing.line, column: crossing.column,
                message: "the document expands to more than \(maximumNodes) nodes (nested aliases?); the limit is crossed here\(origin); refused"
            )])
        }
        return root
    }

    /// The first line (1-based) holding an alias in key position — `*a: …`, `? *a`, `{*a: …}` — outside quotes.
    static func aliasKeyLine(_ yaml: String) -> Int? {
        guard yaml.contains("*") else { return nil }
        for (index, raw) in yaml.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where raw.contains("*") {
            // Drop quoted text and comments, then look for `*name` followed by `:`, or after `?`.
            var text = ""
            var quote: Character?
            for character in raw {
                if let open = quote {
                    if character == open { quote = nil }
                    continue
                }
                if character == "\"" || character == "'" { quote = character; continue }
                if character == "#" { break }
                text.append(character)
            }
            var rest = Substring(text)
            while let star = rest.firstIndex(of: "*") {
                let before = rest[..<star].last { !$0.isWhitespace }
                let name = rest[rest.index(after: star)...].prefix { !$0.isWhitespace && !",:{}[]".contains($0) }
                let after = rest[rest.index(after: star)...].dropFirst(name.count).drop { $0 == " " }
                if !name.isEmpty, before == "?" || after.first == ":" { return index + 1 }
                rest = rest[rest.index(after: star)...]
            }
        }
        return nil
    }

    /// The file's base name without its extension (`scenarios/smoke.yaml` → `smoke`), or `scenario`.
    static func defaultName(forFile file: String) -> String {
        let base = file.split(separator: "/").last.map(String.init) ?? ""
        let stem = base.lastIndex(of: ".").map { base[..<$0] }.map(String.init) ?? base
        return stem.isEmpty ? "scenario" : stem
    }

    private static func readText(path: String) throws(ScenarioError) -> String {
        func unreadable(_ reason: String, line: Int = 0, column: Int = 0) -> ScenarioError {
            ScenarioError(problems: [ScenarioProblem(file: path, keyPath: "(root)", line: line, column: column, message: reason)])
        }
        // One bounded reader for every path a user names: a FIFO, socket, device or directory is refused by name
        // without blocking, and at most ``maximumFileBytes`` are read.
        let prefix: (data: Data, complete: Bool)
        do {
            prefix = try InputFile.readPrefix(path, limit: maximumFileBytes)
        } catch {
            throw unreadable("cannot read the scenario file: \(error.reason)")
        }
        guard prefix.complete else {
            let at = position(ofByteOffset: maximumFileBytes, in: prefix.data)
            throw unreadable("the scenario file is larger than \(maximumFileBytes >> 20) MiB: the limit is crossed at byte "
                             + "\(maximumFileBytes) (line \(at.line), column \(at.column)); refused", line: at.line, column: at.column)
        }
        guard let text = String(data: prefix.data, encoding: .utf8) else {
            throw unreadable("cannot read the scenario file: it is not UTF-8 text")
        }
        return text
    }

    /// Line and column (1-based, in bytes) of the byte at `offset` of `data` (one past the end when it is the end).
    static func position(ofByteOffset offset: Int, in data: Data) -> (line: Int, column: Int) {
        let before = data.prefix(offset)
        let line = 1 + before.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
        let lineStart = before.lastIndex(of: 0x0A).map { $0 + 1 } ?? before.startIndex
        return (line, before.endIndex - lineStart + 1)
    }

    /// A Yams parse error as one problem at the position Yams reports.
    static func syntaxProblems(_ error: any Error, yaml: String, file: String) -> [ScenarioProblem] {
        func problem(_ message: String, _ position: (line: Int, column: Int)?) -> ScenarioProblem {
            ScenarioProblem(
                file: file, keyPath: "(root)", line: position?.line ?? 1, column: position?.column ?? 1, message: message
            )
        }
        func explain(_ problem: String, _ context: YamlError.Context?) -> String {
            guard let context else { return "YAML syntax error: \(problem)" }
            return "YAML syntax error: \(problem) (\(context.text) at line \(context.mark.line), column \(context.mark.column))"
        }
        guard let yamlError = error as? YamlError else {
            return [problem("YAML syntax error: \(error)", nil)]
        }
        switch yamlError {
        case let .scanner(context, message, mark, _), let .parser(context, message, mark, _),
             let .composer(context, message, mark, _):
            return [problem(explain(message, context), (mark.line, mark.column))]
        case let .reader(message, offset, _, _):
            return [problem("YAML syntax error: \(message)", offset.flatMap { position(ofCharacterOffset: $0, in: yaml) })]
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams points at the first occurrence; show the repeat, which is the line to fix, with its path from
            // the node tree (DuplicateKeys), or Yams's position when it cannot be located.
            let keys = duplicates.sorted()
            let located = keys.first.map { DuplicateKeys.locate(key: $0, mark: context.mark, in: yaml) } ?? []
            guard located.isEmpty else {
                return located.map { found in
                    var duplicate = problem("duplicate key '\(found.key)' (first at line \(found.firstLine)): each key may appear only once in a mapping",
                                            (found.line, found.column))
                    duplicate.keyPath = found.path
                    return duplicate
                }
            }
            let list = keys.map { "'\($0)'" }.joined(separator: ", ")
            return [problem("duplicate key \(list): each key may appear only once in a mapping", (context.mark.line, context.mark.column))]
        default:
            return [problem("YAML syntax error: \(yamlError)", nil)]
        }
    }

    private static func position(ofCharacterOffset offset: Int, in text: String) -> (line: Int, column: Int)? {
        guard let end = text.index(text.startIndex, offsetBy: offset, limitedBy: text.endIndex) else { return nil }
        let before = text[..<end]
        let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0)
        return (line, column + 1)
    }
}
