import Foundation
import TracebenchMeasure
import Yams

/// The scenario block of a results file: the YAML document as the user wrote it (their key names, their values),
/// converted to JSON, with secrets redacted (``Redaction``: `tracing.headers` values, secret-named keys, URL
/// credentials), plus the file's path and SHA-256.
public enum ScenarioRecord {
    /// The document of `yaml`; a document that cannot be composed (it was validated before, so only in odd cases)
    /// is stored as its redacted text.
    public static func document(yaml: String) -> JSONValue {
        guard let node = try? Yams.compose(yaml: yaml) else { return .string(Redaction.maskingURLCredentials(yaml)) }
        // A secret's value is masked wherever else it is written too (a sink token repeated in a collector's command
        // line, a header value in an environment variable); values under 4 characters would mask ordinary text.
        var secrets: Set<String> = []
        collectSecrets(node, path: [], into: &secrets)
        return convert(node, path: [], secrets: secrets.filter { $0.count >= 4 }.sorted { $0.count > $1.count })
    }

    /// Whether the scalar at `path` is a secret by where it is: a `headers` value, or a key named like a secret.
    private static func isSecret(_ path: [String]) -> Bool {
        path.count >= 2 && path[path.count - 2] == "headers" || Redaction.isSecretKey(path.last ?? "")
    }

    private static func collectSecrets(_ node: Node, path: [String], into secrets: inout Set<String>) {
        switch node {
        case let .scalar(scalar):
            if isSecret(path) { secrets.insert(scalar.string) }
        case let .mapping(mapping):
            for (key, value) in mapping { collectSecrets(value, path: path + [key.scalar?.string ?? "\(key)"], into: &secrets) }
        case let .sequence(sequence):
            for element in sequence { collectSecrets(element, path: path + ["[]"], into: &secrets) }
        case .alias:
            break
        }
    }

    /// `document` with `overrides` (dotted key path → number) set, creating mappings on the way.
    public static func applying(_ overrides: [String: Double], to document: JSONValue) -> JSONValue {
        func set(_ value: JSONValue, _ path: ArraySlice<Substring>, in node: JSONValue) -> JSONValue {
            guard let first = path.first else { return value }
            var object: [String: JSONValue] = [:]
            if case .object(let existing) = node { object = existing }
            object[String(first)] = set(value, path.dropFirst(), in: object[String(first)] ?? .object([:]))
            return .object(object)
        }
        return overrides.sorted { $0.key < $1.key }.reduce(document) { set(.number($1.value), $1.key.split(separator: ".")[...], in: $0) }
    }

    /// The record of a scenario file's text.
    public static func file(path: String, yaml: String) -> ScenarioFile {
        ScenarioFile(path: path, sha256: SHA256.hex(yaml))
    }

    static func convert(_ node: Node, path: [String], secrets: [String] = []) -> JSONValue {
        switch node {
        case let .scalar(scalar):
            if isSecret(path) { return .string(Redaction.marker) }
            var text = Redaction.maskingURLCredentials(scalar.string)
            for secret in secrets where text.contains(secret) { text = text.replacingOccurrences(of: secret, with: Redaction.marker) }
            guard scalar.style == .plain || scalar.style == .any else { return .string(text) }
            if ["", "~", "null", "Null", "NULL"].contains(text) { return .null }
            if ["true", "True", "TRUE"].contains(text) { return .bool(true) }
            if ["false", "False", "FALSE"].contains(text) { return .bool(false) }
            if let number = Double(text.filter { $0 != "_" }), number.isFinite, text.first.map({ $0.isNumber || $0 == "-" || $0 == "." }) ?? false {
                return .number(number)
            }
            return .string(text)
        case let .mapping(mapping):
            var object: [String: JSONValue] = [:]
            for (key, value) in mapping {
                let name = key.scalar?.string ?? "\(key)"
                object[name] = convert(value, path: path + [name], secrets: secrets)
            }
            return .object(object)
        case let .sequence(sequence):
            return .array(sequence.map { convert($0, path: path + ["[]"], secrets: secrets) })
        case .alias:
            return .null
        }
    }
}
