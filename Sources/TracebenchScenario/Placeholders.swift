/// The `{name}` placeholders of a target's templates, defined once: which names each template may use, how they are
/// found (a lower-case identifier between braces, so JSON's `{"id": …}` is text) and how they are filled (in one pass,
/// so a value that itself holds `{job_id}` is never filled again).
public enum Placeholders {
    /// Filled once per run: the free ports tracebench picked, its sink's addresses, the scenario's folder.
    public static let system = ["api_port", "redis_port", "sink_url", "sink_traces_url", "sink_grpc_url", "sink_zipkin_url",
                                "scenario_dir", "sink_token"]
    /// Filled per job (submit.url, submit.headers, submit.body), besides the job type's own `jobs[].fields`.
    public static let job = ["job_id", "service", "priority", "index"]

    /// The placeholder names in `text`, in order of appearance (repeats kept).
    public static func names(in text: String) -> [String] {
        var names: [String] = []
        var current: String?
        for character in text {
            switch character {
            case "{": current = ""
            case "}":
                if let name = current, isName(name) { names.append(name) }
                current = nil
            default:
                if current != nil { current!.append(character) }
                if let name = current, name.count > 64 { current = nil }
            }
        }
        return names
    }

    /// Whether `name` can be a placeholder (and so a `jobs[].fields` key): a lower-case letter or `_`, then lower-case
    /// letters, digits or `_`.
    public static func isName(_ name: String) -> Bool {
        guard let first = name.unicodeScalars.first, first == "_" || ("a"..."z").contains(first) else { return false }
        return name.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("0"..."9").contains($0) }
    }

    /// `text` with every known placeholder replaced by its value; unknown ones are left as written.
    public static func fill(_ text: String, _ values: [String: String]) -> String {
        guard text.contains("{") else { return text }
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}"), let value = values[String(after[..<close])] {
                result += value
                rest = after[after.index(after: close)...]
            } else {
                result.append("{")
                rest = after
            }
        }
        return result + rest
    }
}

/// A text with placeholders, parsed once: the values known for the whole run filled in, the per-job ones left as
/// slots, so a job's text is a few appends (the load generator's hot path). Renders exactly what
/// ``Placeholders/fill(_:_:)`` gives for the same values (a per-job value wins over a fixed one of the same name).
public struct PlaceholderTemplate: Sendable {
    /// A run of text, or the per-job value number `slot` (in the order of `perJob`).
    public enum Piece: Sendable {
        case text(String)
        case slot(Int)
    }

    /// The text and slots, in order.
    public let pieces: [Piece]

    /// Parses `text`, filling `fixed` now and leaving `perJob` (in this order) for ``render(_:)``.
    public init(_ text: String, fixed: [String: String], perJob: [String]) {
        var pieces: [Piece] = []
        var literal = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            literal += rest[..<open]
            let after = rest[rest.index(after: open)...]
            if let close = after.firstIndex(of: "}") {
                let name = String(after[..<close])
                if let slot = perJob.firstIndex(of: name) {
                    if !literal.isEmpty { pieces.append(.text(literal)) }
                    literal = ""
                    pieces.append(.slot(slot))
                    rest = after[after.index(after: close)...]
                    continue
                }
                if let value = fixed[name] {
                    literal += value
                    rest = after[after.index(after: close)...]
                    continue
                }
            }
            literal.append("{")
            rest = after
        }
        literal += rest
        if !literal.isEmpty { pieces.append(.text(literal)) }
        self.pieces = pieces
    }

    /// The text, when it has no per-job slot (the same for every job).
    public var constant: String? {
        switch pieces.count {
        case 0: return ""
        case 1: if case let .text(text) = pieces[0] { return text } else { return nil }
        default: return nil
        }
    }

    /// The text with the per-job `values` (in the order of `perJob`) in its slots.
    public func render(_ values: [String]) -> String {
        if pieces.count == 1, case let .text(text) = pieces[0] { return text }
        var out = ""
        for piece in pieces {
            switch piece {
            case let .text(text): out += text
            case let .slot(slot): out += values[slot]
            }
        }
        return out
    }
}
