/// The scenario format as data: every section, key, type, range, allowed value, default and description.
///
/// This registry is what the loader checks against — each section's parser takes its known keys from here, and the
/// reader compares every typed read (and every number rule's bounds) with the registry entry for that key, so a test
/// over every shipped scenario fails when the two disagree — and what `tracebench schema` turns into a JSON Schema
/// for editors. A new key is added here first; the parser reading it is the second step.
public enum ScenarioSchema {
    /// The scenario document's root mapping.
    public static var root: ScenarioSection { ScenarioSchemaKeys.root }

    /// The section at a key path of mapping names (`["tracing", "batch"]`), or nil when there is none.
    public static func section(at names: [String]) -> ScenarioSection? {
        var current = root
        for name in names {
            guard let key = current[name], let next = key.type.section else { return nil }
            current = next
        }
        return current
    }
}

/// One mapping of the scenario format with a fixed set of keys.
public struct ScenarioSection: Sendable {
    /// The keys this mapping may hold, in documentation order.
    public let keys: [ScenarioKey]
    /// A name under which the JSON Schema defines the section once (`$defs`) and refers to it, for a section used in
    /// several places or nested in itself (steps); nil: written in place.
    public let id: String?

    public init(id: String? = nil, _ keys: [ScenarioKey]) {
        self.id = id
        self.keys = keys
    }

    /// The names of ``keys``: what the loader accepts here.
    public var names: [String] { keys.map(\.name) }

    /// The key named `name`, if this section has it.
    public subscript(name: String) -> ScenarioKey? { keys.first { $0.name == name } }
}

/// One key of a section: its name, what its value must be, whether it is required, its default and what it means.
public struct ScenarioKey: Sendable {
    public let name: String
    public let type: ScenarioValueType
    /// Required keys have no default: the loader reports them missing.
    public let required: Bool
    /// The value used when the key is absent (nil: none that can be written, e.g. "the file name").
    public let defaultValue: SchemaValue?
    /// One or two sentences for editors and `tracebench schema`.
    public let description: String

    public init(_ name: String, _ type: ScenarioValueType, required: Bool = false, default defaultValue: SchemaValue? = nil,
                _ description: String) {
        self.name = name
        self.type = type
        self.required = required
        self.defaultValue = defaultValue
        self.description = description
    }
}

/// What a value must be. Numbers carry the same bounds as the loader's rule for that key.
public indirect enum ScenarioValueType: Sendable {
    /// A finite number within `range`.
    case number(SchemaRange)
    /// A whole number within `range`.
    case integer(SchemaRange)
    /// A whole number from 0 to 2⁶⁴ − 1.
    case unsignedInteger
    /// `true` or `false` (YAML 1.2 core spelling only).
    case boolean
    /// Any string; `nonEmpty` refuses blank ones.
    case string(nonEmpty: Bool)
    /// A string (not a number or boolean) matching a regular expression (a threshold condition).
    case text(matching: String)
    /// One of these strings.
    case choice([String])
    /// A mapping with the fixed keys of a section.
    case mapping(ScenarioSection)
    /// A mapping whose keys the user chooses, every value of one type (`env`, `headers`, `ceilings`, `thresholds`);
    /// `keyPattern` (a regular expression) limits the names when they come from a vocabulary (`ceilings`).
    case dictionary(of: ScenarioValueType, keyPattern: String? = nil)
    /// A list of values of one type with at least `minItems` elements.
    case list(of: ScenarioValueType, minItems: Int)
    /// Any one of these (a number or a distribution, a string or a list).
    case anyOf([ScenarioValueType])

    /// The section of a fixed-key mapping, also when it is one of the alternatives.
    public var section: ScenarioSection? {
        switch self {
        case let .mapping(section): return section
        case let .anyOf(types): return types.lazy.compactMap(\.section).first
        default: return nil
        }
    }

    /// The element type of a list, also when it is one of the alternatives.
    public var element: ScenarioValueType? {
        switch self {
        case let .list(element, _): return element
        case let .anyOf(types): return types.lazy.compactMap(\.element).first
        default: return nil
        }
    }
}

/// Bounds of a number: `minimum`/`maximum` inclusive unless `exclusiveMinimum`/`exclusiveMaximum`.
public struct SchemaRange: Sendable, Equatable {
    public var minimum: Double?
    public var maximum: Double?
    public var exclusiveMinimum = false
    public var exclusiveMaximum = false

    public init(minimum: Double? = nil, maximum: Double? = nil, exclusiveMinimum: Bool = false, exclusiveMaximum: Bool = false) {
        self.minimum = minimum
        self.maximum = maximum
        self.exclusiveMinimum = exclusiveMinimum
        self.exclusiveMaximum = exclusiveMaximum
    }

    /// Every scenario number: within ± ``NumberRule/largestMagnitude``.
    public static let any = SchemaRange(minimum: -NumberRule.largestMagnitude, maximum: NumberRule.largestMagnitude)
    /// Greater than 0, at most the largest magnitude.
    public static let positive = SchemaRange(minimum: 0, maximum: NumberRule.largestMagnitude, exclusiveMinimum: true)
    /// From 0 to the largest magnitude.
    public static let nonNegative = SchemaRange(minimum: 0, maximum: NumberRule.largestMagnitude)
    /// From 0 to 1.
    public static let ratio = between(0, 1)

    public static func between(_ low: Double, _ high: Double) -> SchemaRange { SchemaRange(minimum: low, maximum: high) }
    public static func positive(atMost high: Double) -> SchemaRange { SchemaRange(minimum: 0, maximum: high, exclusiveMinimum: true) }
}

/// A default value as JSON writes it.
public indirect enum SchemaValue: Sendable, Equatable {
    case string(String)
    case number(Double)
    case boolean(Bool)
    case list([SchemaValue])
    case object([(String, SchemaValue)])

    public static func == (a: SchemaValue, b: SchemaValue) -> Bool {
        switch (a, b) {
        case let (.string(x), .string(y)): return x == y
        case let (.number(x), .number(y)): return x == y
        case let (.boolean(x), .boolean(y)): return x == y
        case let (.list(x), .list(y)): return x == y
        case let (.object(x), .object(y)): return x.count == y.count && zip(x, y).allSatisfy { $0.0 == $1.0 && $0.1 == $1.1 }
        default: return false
        }
    }
}
