import Yams

/// Duplicate mapping keys, reported at the repeat with the key path taken from the document's node tree.
///
/// Yams refuses a mapping with a repeated key while composing, so no tree exists to name the key's path, and it
/// points at the first occurrence. Here the first occurrence is renamed in the text to a placeholder of the same
/// length (every other position stays where it was), the document is composed again, and the tree is walked: the
/// placeholder's mapping gives the exact path — block or flow style, inside lists, under aliases — and the other key
/// of the same name in that mapping is the repeat. Each further duplicate found on the way is reported too, up to
/// ``maximumReported``.
enum DuplicateKeys {
    /// Most duplicates reported for one file (each costs one more compose of the document).
    static let maximumReported = 4

    /// A duplicate found: the key, where it is repeated, the path of the repeat, and where it first was.
    struct Found: Equatable {
        let key: String
        let path: String
        let line: Int
        let column: Int
        let firstLine: Int
    }

    /// The duplicates of `yaml`, starting with the one Yams reported (`key` first at `mark`); empty when they cannot
    /// be located in the text (the caller falls back to Yams's own position).
    static func locate(key: String, mark: Mark, in yaml: String) -> [Found] {
        var lines = yaml.split(separator: "\n", omittingEmptySubsequences: false).map { Array($0.unicodeScalars) }
        var renamed: [(placeholder: String, key: String, mark: Mark)] = []
        var next: (key: String, mark: Mark)? = (key, mark)
        while let current = next, renamed.count < maximumReported {
            guard let placeholder = rename(current.key, at: current.mark, in: &lines, serial: renamed.count) else { break }
            renamed.append((placeholder, current.key, current.mark))
            next = nil
            do {
                let text = lines.map { String(String.UnicodeScalarView($0)) }.joined(separator: "\n")
                guard let root = try Yams.compose(yaml: text) else { break }
                return renamed.compactMap { entry in
                    var budget = ScenarioLoader.maximumNodes
                    return find(entry.placeholder, original: entry.key, in: root, path: "", budget: &budget)
                }
            } catch let YamlError.duplicatedKeysInMapping(duplicates, context) {
                guard let key = duplicates.sorted().first else { break }
                next = (key, context.mark)
            } catch {
                break
            }
        }
        return []
    }

    /// Replaces the key written at `mark` (plain or quoted) with a placeholder of the same length; nil when the text
    /// there is not that key.
    private static func rename(_ key: String, at mark: Mark, in lines: inout [[Unicode.Scalar]], serial: Int) -> String? {
        let keyScalars = Array(key.unicodeScalars)
        guard !keyScalars.isEmpty, mark.line >= 1, mark.line <= lines.count else { return nil }
        let line = lines[mark.line - 1]
        var start = mark.column - 1
        guard start >= 0, start < line.count else { return nil }
        if line[start] == "\"" || line[start] == "'" { start += 1 }
        guard start + keyScalars.count <= line.count, Array(line[start..<start + keyScalars.count]) == keyScalars else { return nil }
        // `_` then the serial number, padded with `_`: unique among the renamed keys of any length above 1.
        let serialText = Array(String(serial).unicodeScalars)
        var placeholder = [Unicode.Scalar("_")] + serialText
        placeholder = Array((placeholder + Array(repeating: Unicode.Scalar("_"), count: keyScalars.count)).prefix(keyScalars.count))
        lines[mark.line - 1].replaceSubrange(start..<start + keyScalars.count, with: placeholder)
        return String(String.UnicodeScalarView(placeholder))
    }

    /// The mapping holding `placeholder`, as a duplicate of `original` at the other key of that name.
    /// At most `budget` nodes are visited: aliases share subtrees, and a nested-alias document would take forever.
    private static func find(_ placeholder: String, original: String, in node: Node, path: String, budget: inout Int) -> Found? {
        budget -= 1
        guard budget >= 0 else { return nil }
        switch node {
        case let .mapping(mapping):
            let pairs = Array(mapping)
            if let first = pairs.first(where: { $0.key.scalar?.string == placeholder }),
               let repeat_ = pairs.first(where: { $0.key.scalar?.string == original }) {
                let mark = repeat_.key.mark
                return Found(key: original, path: path.isEmpty ? original : "\(path).\(original)",
                             line: mark?.line ?? 0, column: mark?.column ?? 0, firstLine: first.key.mark?.line ?? 0)
            }
            for pair in pairs {
                let name = pair.key.scalar?.string ?? "?"
                if let found = find(placeholder, original: original, in: pair.value, path: path.isEmpty ? name : "\(path).\(name)",
                                    budget: &budget) {
                    return found
                }
            }
            return nil
        case let .sequence(sequence):
            for (index, element) in sequence.enumerated() {
                if let found = find(placeholder, original: original, in: element, path: "\(path)[\(index)]", budget: &budget) {
                    return found
                }
            }
            return nil
        case .scalar, .alias:
            return nil
        }
    }
}
