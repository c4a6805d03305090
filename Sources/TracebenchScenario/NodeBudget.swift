import Yams

/// Counts a composed document's nodes, aliases followed, and says where a limit is crossed.
///
/// Aliases share storage after composing, so this walk is the first place a nested-alias expansion ("billion
/// laughs") would cost: it stops as soon as the budget is spent, so refusing a huge expansion takes microseconds.
/// An alias's target was written earlier in the file than the alias, so the first step of the walk into a node that
/// starts before the entry holding it is where an alias was used: that entry is named as the origin.
enum NodeBudget {
    /// Where the walk ran out: the key path and position reached, and the line of the alias that led there.
    struct Crossing: Equatable {
        let path: String
        let line: Int
        let column: Int
        let aliasLine: Int?
    }

    /// Nil when `root` has at most `limit` nodes.
    static func crossing(_ root: Node, limit: Int) -> Crossing? {
        var budget = limit
        // The entries on the way down: path component and where the entry is written (its key, or its list).
        var trail: [(component: String, mark: Mark?)] = []
        var crossed: Crossing?

        func before(_ a: Mark?, _ b: Mark?) -> Bool {
            guard let a, let b else { return false }
            return (a.line, a.column) < (b.line, b.column)
        }
        func stop(at node: Node) {
            let aliasIndex = trail.indices.first { index in
                let next = index + 1 < trail.count ? trail[index + 1].mark : node.mark
                return before(next, trail[index].mark)
            }
            let end = aliasIndex.map { $0 + 1 } ?? trail.count
            let path = trail[..<end].map(\.component).joined(separator: ".").replacingOccurrences(of: ".[", with: "[")
            let mark = aliasIndex.map { trail[$0].mark } ?? node.mark
            crossed = Crossing(path: path, line: mark?.line ?? 1, column: mark?.column ?? 1,
                               aliasLine: aliasIndex.flatMap { trail[$0].mark?.line })
        }
        func spend(_ node: Node) -> Bool {
            budget -= 1
            guard budget >= 0 else {
                stop(at: node)
                return false
            }
            switch node {
            case .scalar, .alias:
                return true
            case let .mapping(mapping):
                for (key, value) in mapping {
                    trail.append((key.scalar?.string ?? "?", key.mark))
                    defer { trail.removeLast() }
                    guard spend(key), spend(value) else { return false }
                }
                return true
            case let .sequence(sequence):
                for (index, element) in sequence.enumerated() {
                    trail.append(("[\(index)]", sequence.mark))
                    defer { trail.removeLast() }
                    guard spend(element) else { return false }
                }
                return true
            }
        }
        return spend(root) ? nil : crossed
    }
}
