import Foundation
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
        let yaml = try readText(path: path)
        let root = try compose(yaml: yaml, file: path)
        let reader = YAMLReader(file: path)
        guard let root, case .mapping = root else {
            throw ScenarioError(problems: [ScenarioProblem(file: path, keyPath: "(root)", line: 1, column: 1,
                                                           message: "expected a mapping with a 'thresholds' key")])
        }
        let parser = ScenarioParser(reader: reader, defaultName: "thresholds")
        let field = YAMLField(node: root, path: "")
        guard let map = reader.mapping(field, known: ["thresholds", "gate"]) else { throw ScenarioError(problems: reader.sortedProblems) }
        if !map.contains("thresholds") { reader.reportMissing("thresholds", in: map) }
        let set = parser.thresholdSet(map)
        guard reader.problems.isEmpty else { throw ScenarioError(problems: reader.sortedProblems) }
        return set
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
            throw ScenarioError(problems: [syntaxProblem(error, yaml: yaml, file: file)])
        }
        if let root {
            var budget = maximumNodes
            // Aliases share storage after composing, so this walk is the first place the expansion would cost:
            // it stops as soon as the budget is spent, so refusing a huge expansion takes microseconds.
            func spend(_ node: Node) -> Bool {
                budget -= 1
                guard budget >= 0 else { return false }
                switch node {
                case .scalar, .alias: return true
                case let .mapping(mapping): return mapping.allSatisfy { spend($0.key) && spend($0.value) }
                case let .sequence(sequence): return sequence.allSatisfy(spend)
                }
            }
            if !spend(root) {
                throw ScenarioError(problems: [ScenarioProblem(
                    file: file, keyPath: "(root)", line: 1, column: 1,
                    message: "the document expands to more than \(maximumNodes) nodes (nested aliases?); refused"
                )])
            }
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
        func unreadable(_ reason: String) -> ScenarioError {
            ScenarioError(problems: [ScenarioProblem(file: path, keyPath: "(root)", line: 0, column: 0, message: reason)])
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw unreadable("cannot read the scenario file: no such file")
        }
        guard !isDirectory.boolValue else {
            throw unreadable("cannot read the scenario file: it is a directory")
        }
        // Read through a handle, not by the file's size: a pipe (`<(…)`) or a FIFO has none; and at most
        // ``maximumFileBytes``.
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw unreadable("cannot read the scenario file: permission denied or I/O error")
        }
        defer { try? handle.close() }
        guard let data = try? handle.read(upToCount: maximumFileBytes + 1) ?? Data() else {
            throw unreadable("cannot read the scenario file: I/O error")
        }
        guard data.count <= maximumFileBytes else {
            throw unreadable("the scenario file is larger than \(maximumFileBytes >> 20) MiB")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw unreadable("cannot read the scenario file: it is not UTF-8 text")
        }
        return text
    }

    /// A Yams parse error as one problem at the position Yams reports.
    static func syntaxProblem(_ error: any Error, yaml: String, file: String) -> ScenarioProblem {
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
            return problem("YAML syntax error: \(error)", nil)
        }
        switch yamlError {
        case let .scanner(context, message, mark, _), let .parser(context, message, mark, _),
             let .composer(context, message, mark, _):
            return problem(explain(message, context), (mark.line, mark.column))
        case let .reader(message, offset, _, _):
            return problem("YAML syntax error: \(message)", offset.flatMap { position(ofCharacterOffset: $0, in: yaml) })
        case let .duplicatedKeysInMapping(duplicates, context):
            // Yams points at the first occurrence; show the repeat, which is the line to fix, when it can be found.
            let keys = duplicates.sorted()
            let first = (line: context.mark.line, column: context.mark.column)
            let repeated = keys.first.flatMap { repeatedKey($0, after: first, in: yaml) }
            let list = keys.map { "'\($0)'" }.joined(separator: ", ")
            let origin = repeated == nil ? "" : " (first at line \(first.line))"
            let at = repeated ?? first
            var found = problem("duplicate key \(list)\(origin): each key may appear only once in a mapping", at)
            let parent = blockKeyPath(line: at.line, column: at.column, in: yaml)
            found.keyPath = (parent.isEmpty ? "" : parent + ".") + (keys.first ?? "")
            return found
        default:
            return problem("YAML syntax error: \(yamlError)", nil)
        }
    }

    /// The key path of the block-style mapping entry at `line`/`column` (1-based), from the indentation of the lines
    /// above it: `jobs[0].steps[1]` for a key under the second step of the first job. Flow-style parents are not
    /// followed (their keys stay out of the path).
    static func blockKeyPath(line: Int, column: Int, in yaml: String) -> String {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        guard line >= 1, line <= lines.count else { return "" }
        var parts: [String] = []
        var threshold = column - 1  // entries of parents start left of this
        var index = line - 2
        var listItems = 0           // "- " items seen at the current list's dash column
        var listColumn: Int?
        while index >= 0, threshold > 0 {
            let text = lines[index]
            index -= 1
            let indent = text.prefix { $0 == " " }.count
            let rest = text.dropFirst(indent)
            if rest.isEmpty || rest.hasPrefix("#") { continue }
            if rest.hasPrefix("- ") || rest == "-" {
                if indent < threshold {
                    if listColumn == nil { listColumn = indent }
                    if indent == listColumn { listItems += 1 }
                    // The item's own key (`- name: x`) sits at indent + 2: it is a sibling, not a parent.
                    if indent + 2 <= threshold, listColumn == indent {
                        threshold = indent + 1
                    }
                }
                continue
            }
            guard indent < threshold, let colon = rest.firstIndex(of: ":") else { continue }
            let key = String(rest[..<colon]).trimmingCharacters(in: .whitespaces)
            if listColumn != nil {
                parts.insert("[\(listItems - 1)]", at: 0)
                listColumn = nil
                listItems = 0
            }
            parts.insert(key, at: 0)
            threshold = indent
        }
        if listColumn != nil { parts.insert("[\(listItems - 1)]", at: 0) }
        return parts.joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
    }

    /// The next line after `first` that has `key:` at the same column, as block mappings write it.
    private static func repeatedKey(
        _ key: String, after first: (line: Int, column: Int), in yaml: String
    ) -> (line: Int, column: Int)? {
        let lines = yaml.split(separator: "\n", omittingEmptySubsequences: false)
        guard first.line >= 1, first.line < lines.count else { return nil }
        for index in first.line..<lines.count {
            let text = lines[index]
            guard text.count >= first.column - 1 else { continue }
            let rest = text.dropFirst(first.column - 1)
            let indent = text.prefix(first.column - 1)
            guard indent.allSatisfy({ $0 == " " || $0 == "-" }), rest.hasPrefix(key) else { continue }
            if rest.dropFirst(key.count).drop(while: { $0 == " " }).first == ":" {
                return (index + 1, first.column)
            }
        }
        return nil
    }

    private static func position(ofCharacterOffset offset: Int, in text: String) -> (line: Int, column: Int)? {
        guard let end = text.index(text.startIndex, offsetBy: offset, limitedBy: text.endIndex) else { return nil }
        let before = text[..<end]
        let line = before.reduce(1) { $1 == "\n" ? $0 + 1 : $0 }
        let column = before.count - (before.lastIndex(of: "\n").map { before.distance(from: before.startIndex, to: $0) + 1 } ?? 0)
        return (line, column + 1)
    }
}
