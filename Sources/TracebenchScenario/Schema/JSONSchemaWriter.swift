import Foundation

/// Turns the scenario registry (``ScenarioSchema``) into a JSON Schema (draft 2020-12) for editors and validators.
///
/// What the schema says follows how the loader reads a value, not how YAML would type it:
/// - a string key takes any scalar (the loader reads a scalar's text as written, so `name: 2026` is the name "2026");
/// - an optional section may be empty (`pipeline:` with nothing under it is every default);
/// - every number is bounded by the loader's own rule for that key.
/// Rules that tie one key to another (`rate_per_s` only for constant and poisson arrivals, `warmup_s` below
/// `duration_s`, a ramp's `to_per_s`) are not schema rules: they are in the keys' descriptions, and the loader
/// reports them with the file, line and key path.
public enum JSONSchemaWriter {
    /// The `$id` the schema names itself by.
    public static let schemaID = "https://github.com/tracebench/tracebench/scenario.schema.json"

    /// The schema of a scenario file (`thresholdsFile` false) or of a thresholds file for `tracebench gate --thresholds`.
    public static func document(thresholdsFile: Bool = false) -> String {
        var definitions: [(String, SchemaValue)] = []
        var defined: Set<String> = []
        let root = thresholdsFile ? ScenarioSchemaKeys.thresholdsFile : ScenarioSchema.root
        let body = section(root, defining: &definitions, defined: &defined)
        var fields: [(String, SchemaValue)] = [
            ("$schema", .string("https://json-schema.org/draft/2020-12/schema")),
            ("$id", .string(thresholdsFile ? schemaID.replacingOccurrences(of: "scenario", with: "thresholds") : schemaID)),
            ("title", .string(thresholdsFile ? "tracebench thresholds file" : "tracebench scenario")),
            ("description", .string(thresholdsFile
                ? "Thresholds for tracebench gate --thresholds: metric path → condition(s), judged at gate.alpha."
                : "A tracebench scenario: the offered load, the pipeline, the job mix, tracing, and what the run is judged on.")),
        ]
        if case let .object(pairs) = body { fields += pairs }
        if !definitions.isEmpty { fields.append(("$defs", .object(definitions.sorted { $0.0 < $1.0 }))) }
        return SchemaValue.object(fields).json() + "\n"
    }

    /// An object with the section's keys, nothing else allowed.
    private static func section(_ section: ScenarioSection, defining definitions: inout [(String, SchemaValue)],
                                defined: inout Set<String>) -> SchemaValue {
        var properties: [(String, SchemaValue)] = []
        for key in section.keys {
            var schema = value(key.type, defining: &definitions, defined: &defined)
            if key.mayBeEmpty { schema = .object([("anyOf", .list([schema, .object([("type", .string("null"))])]))]) }
            properties.append((key.name, annotated(schema, key)))
        }
        var fields: [(String, SchemaValue)] = [("type", .string("object")), ("properties", .object(properties))]
        let required = section.keys.filter(\.required).map { SchemaValue.string($0.name) }
        if !required.isEmpty { fields.append(("required", .list(required))) }
        fields.append(("additionalProperties", .boolean(false)))
        return .object(fields)
    }

    /// `schema` with the key's description and default.
    private static func annotated(_ schema: SchemaValue, _ key: ScenarioKey) -> SchemaValue {
        guard case var .object(fields) = schema else { return schema }
        fields.insert(("description", .string(key.description)), at: 0)
        if let defaultValue = key.defaultValue { fields.insert(("default", defaultValue), at: 1) }
        return .object(fields)
    }

    private static func value(_ type: ScenarioValueType, defining definitions: inout [(String, SchemaValue)],
                              defined: inout Set<String>) -> SchemaValue {
        switch type {
        case let .number(range):
            return .object([("type", .string("number"))] + bounds(range))
        case let .integer(range):
            return .object([("type", .string("integer"))] + bounds(range))
        case .unsignedInteger:
            return .object([("type", .string("integer")), ("minimum", .number(0)), ("maximum", .number(Double(UInt64.max)))])
        case .boolean:
            return .object([("type", .string("boolean"))])
        case let .string(nonEmpty):
            // Any scalar: the loader reads its text as written.
            let scalar: [SchemaValue] = [.string("string"), .string("number"), .string("boolean")]
            guard nonEmpty else { return .object([("type", .list(scalar + [.string("null")]))]) }
            return .object([("type", .list(scalar)), ("pattern", .string("\\S"))])
        case let .text(pattern):
            return .object([("type", .string("string")), ("pattern", .string(pattern))])
        case let .choice(values):
            return .object([("enum", .list(values.map(SchemaValue.string)))])
        case let .mapping(child):
            guard let id = child.id else { return section(child, defining: &definitions, defined: &defined) }
            if !defined.contains(id) {
                defined.insert(id)
                definitions.append((id, section(child, defining: &definitions, defined: &defined)))
            }
            return .object([("$ref", .string("#/$defs/\(id)"))])
        case let .dictionary(element, keyPattern):
            var fields: [(String, SchemaValue)] = [("type", .string("object"))]
            if let keyPattern { fields.append(("propertyNames", .object([("pattern", .string(keyPattern))]))) }
            fields.append(("additionalProperties", value(element, defining: &definitions, defined: &defined)))
            return .object(fields)
        case let .list(element, minItems):
            var fields: [(String, SchemaValue)] = [("type", .string("array")), ("items", value(element, defining: &definitions, defined: &defined))]
            if minItems > 0 { fields.append(("minItems", .number(Double(minItems)))) }
            return .object(fields)
        case let .anyOf(types):
            return .object([("anyOf", .list(types.map { value($0, defining: &definitions, defined: &defined) }))])
        }
    }

    private static func bounds(_ range: SchemaRange) -> [(String, SchemaValue)] {
        var fields: [(String, SchemaValue)] = []
        if let minimum = range.minimum { fields.append((range.exclusiveMinimum ? "exclusiveMinimum" : "minimum", .number(minimum))) }
        if let maximum = range.maximum { fields.append((range.exclusiveMaximum ? "exclusiveMaximum" : "maximum", .number(maximum))) }
        return fields
    }
}

extension ScenarioKey {
    /// An optional mapping none of whose keys is required may be written empty (`pipeline:` with nothing under
    /// it): it is then every default, as the loader reads it.
    var mayBeEmpty: Bool {
        guard !required, type.isMapping else { return false }
        return !(type.section?.keys.contains(where: \.required) ?? false)
    }
}

extension ScenarioValueType {
    /// Whether the value is a mapping (a fixed-key section or a free-form dictionary).
    var isMapping: Bool {
        switch self {
        case .mapping, .dictionary: return true
        default: return false
        }
    }
}

extension SchemaValue {
    /// The value as pretty-printed JSON, keys in the order given, two-space indents.
    func json(indent: Int = 0) -> String {
        let pad = String(repeating: "  ", count: indent + 1), close = String(repeating: "  ", count: indent)
        switch self {
        case let .string(text): return JSONText.quoted(text)
        case let .number(number): return displayNumber(number)
        case let .boolean(flag): return flag ? "true" : "false"
        case let .list(values):
            if values.isEmpty { return "[]" }
            if values.allSatisfy({ if case .object = $0 { return false }; if case .list = $0 { return false }; return true }) {
                return "[" + values.map { $0.json() }.joined(separator: ", ") + "]"
            }
            return "[\n" + values.map { pad + $0.json(indent: indent + 1) }.joined(separator: ",\n") + "\n\(close)]"
        case let .object(pairs):
            if pairs.isEmpty { return "{}" }
            return "{\n" + pairs.map { pad + JSONText.quoted($0.0) + ": " + $0.1.json(indent: indent + 1) }.joined(separator: ",\n") + "\n\(close)}"
        }
    }

}
