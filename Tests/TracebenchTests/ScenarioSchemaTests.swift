import Foundation
import Testing
import TracebenchMetrics
@testable import TracebenchScenario
import Yams

/// `tracebench schema` against an independent validator (Python `jsonschema`, draft 2020-12): every shipped scenario
/// and the every-key fixtures validate; every file the loader refuses for a schema reason (a wrong type, an unknown
/// key, a number out of range) the schema refuses too.
@Suite("scenario JSON Schema", .serialized, .computeOnly)
struct ScenarioSchemaTests {
    /// A composed YAML node as JSON, typed the way the loader reads it (YAML 1.2 core: `off` stays a string;
    /// `1_000` is a number, as the loader takes it).
    static func json(_ node: Node) -> Any {
        switch node {
        case let .scalar(scalar):
            guard scalar.style == .plain || scalar.style == .any else { return scalar.string }
            let text = scalar.string
            if ["", "~", "null", "Null", "NULL"].contains(text) { return NSNull() }
            if text == "true" { return true }
            if text == "false" { return false }
            let digits = text.filter { $0 != "_" }
            if let integer = Int(digits) { return integer }
            if let number = Double(digits), number.isFinite, digits.contains(where: \.isNumber) { return number }
            return text
        case let .mapping(mapping):
            var object: [String: Any] = [:]
            for pair in mapping { object[pair.key.scalar?.string ?? "?"] = json(pair.value) }
            return object
        case let .sequence(sequence):
            return sequence.map(json)
        case .alias:
            return NSNull()
        }
    }

    /// Validates every (name, document) with Python `jsonschema` and returns the names it judged valid.
    static func validNames(_ documents: [(name: String, node: Node)], thresholdsFile: Bool = false) async throws -> Set<String> {
        let schemaPath = TestSupport.temporaryPath(".schema.json"), docsPath = TestSupport.temporaryPath(".docs.json")
        defer { try? FileManager.default.removeItem(atPath: schemaPath); try? FileManager.default.removeItem(atPath: docsPath) }
        try JSONSchemaWriter.document(thresholdsFile: thresholdsFile).write(toFile: schemaPath, atomically: true, encoding: .utf8)
        let payload = documents.map { ["name": $0.name, "doc": json($0.node)] as [String: Any] }
        try JSONSerialization.data(withJSONObject: payload).write(to: URL(fileURLWithPath: docsPath))
        let script = """
            import json, sys, jsonschema
            schema = json.load(open(sys.argv[1]))
            jsonschema.Draft202012Validator.check_schema(schema)
            validator = jsonschema.Draft202012Validator(schema)
            for entry in json.load(open(sys.argv[2])):
                if validator.is_valid(entry["doc"]):
                    print(entry["name"])
            """
        let result = try await TestSupport.python(["-c", script, schemaPath, docsPath])
        #expect(result.status == 0, "\(result.stderr)")
        return Set(result.stdout.split(separator: "\n").map(String.init))
    }

    static func composed(_ path: String) throws -> Node {
        try #require(try Yams.compose(yaml: String(contentsOfFile: path, encoding: .utf8)))
    }

    static var validFiles: [String] {
        get throws {
            let scenarios = TestSupport.packageRoot + "/scenarios", fixtures = TestSupport.packageRoot + "/Tests/TracebenchTests/Fixtures/schema"
            let shipped = try TestSupport.shippedScenarioFiles().map { "\(scenarios)/\($0)" }
            let everyKey = try FileManager.default.contentsOfDirectory(atPath: fixtures).filter { $0.hasSuffix(".yaml") }.map { "\(fixtures)/\($0)" }
            return (shipped + everyKey).sorted()
        }
    }

    @Test("the schema is valid draft 2020-12, and every shipped scenario and every-key fixture the loader accepts, it accepts")
    func validFilesValidate() async throws {
        let files = try Self.validFiles
        #expect(files.count >= 14)
        for file in files { _ = try ScenarioLoader.load(path: file) }
        let valid = try await Self.validNames(try files.map { ($0, try Self.composed($0)) })
        #expect(Set(files).subtracting(valid).isEmpty, "refused by the schema: \(Set(files).subtracting(valid).sorted())")
    }

    /// Every key path of the registry, `[]` marking list elements (`jobs[].steps[].name`), down to two step levels.
    static func registryPaths(_ section: ScenarioSection, _ prefix: String = "", depth: Int = 0) -> [String] {
        section.keys.flatMap { key -> [String] in
            let path = prefix.isEmpty ? key.name : "\(prefix).\(key.name)"
            guard depth < 4 else { return [path] }
            if let child = key.type.section { return [path] + registryPaths(child, path, depth: depth + 1) }
            if let element = key.type.element?.section { return [path] + registryPaths(element, path + "[]", depth: depth + 1) }
            return [path]
        }
    }

    @Test("the every-key fixtures use every key of the registry, and the loader's known keys are the registry's")
    func fixturesCoverTheRegistry() throws {
        // A key counts once per section: a step's keys at any nesting level, a service sampler's under any role.
        func normalised(_ path: String) -> String {
            path.replacingOccurrences(of: #"\[\d+\]"#, with: "[]", options: .regularExpression)
                .replacingOccurrences(of: #"(\.children\[\])+"#, with: "", options: .regularExpression)
                .replacingOccurrences(of: #"^tracing\.services\.[a-z_]+\."#, with: "tracing.services.ROLE.", options: .regularExpression)
        }
        let fixtures = try Self.validFiles.filter { $0.contains("/schema/every-key") }
        var used: Set<String> = []
        for file in fixtures { used.formUnion(InputBoundsTests.keyPaths(try Self.composed(file)).map(normalised)) }
        let expected = Set(Self.registryPaths(ScenarioSchema.root).map(normalised)).filter { !$0.hasPrefix("thresholds.") }
        let missing = expected.filter { !used.contains($0) }.sorted()
        #expect(missing.isEmpty, "keys no fixture uses: \(missing)")
        #expect(ScenarioParser.rootKeys == ScenarioSchema.root.names && ScenarioParser.loadKeys == ScenarioSchemaKeys.load.names)
    }

    @Test("every wrong type, unknown key and out-of-range number the loader refuses in a shipped scenario, the schema refuses")
    func schemaRefusesWhatTheLoaderRefuses() async throws {
        var refused: [(name: String, node: Node)] = []
        for (file, parent, path, root) in try KeyPathPropertyTests.shippedKeys() {
            let wrongType = KeyPathPropertyTests.rewriting(path, in: root) { key, value in
                if case .scalar = value { return [(key, .mapping(Node.Mapping([(Node("zz_wrong"), Node("1"))])))] }
                return [(key, Node("zz_wrong"))]
            }
            let sibling = KeyPathPropertyTests.rewriting(path, in: root) { key, value in [(key, value), (Node("zz_unknown"), Node("1"))] }
            // Numbers: far past any key's range (above the largest magnitude), and negative where the key has a minimum of 0.
            var numeric = false
            let tooLarge = KeyPathPropertyTests.rewriting(path, in: root) { key, value in
                guard case let .scalar(scalar) = value, Double(scalar.string.filter { $0 != "_" }) != nil else { return [(key, value)] }
                numeric = true
                return [(key, Node("2e9"))]
            }
            var cases = [("wrong type", wrongType)]
            if numeric { cases.append(("too large", tooLarge)) }
            if !KeyPathPropertyTests.isFreeForm(parent) { cases.append(("unknown sibling", sibling)) }
            for (what, node) in cases {
                let yaml = try Yams.serialize(node: node)
                guard (try? ScenarioLoader.parse(yaml: yaml, file: file)) == nil else { continue }
                refused.append(("\(file): \(what) at \(path)", node))
            }
        }
        #expect(refused.count > 1000, "\(refused.count) refused files")
        let accepted = try await Self.validNames(refused)
        #expect(accepted.isEmpty, "the loader refuses these but the schema accepts them: \(accepted.sorted().prefix(20))")
    }

    @Test("the metric path pattern matches every catalog example and refuses near misses")
    func metricPathPattern() throws {
        let pattern = try NSRegularExpression(pattern: MetricCatalog.pathPattern)
        func matches(_ path: String) -> Bool { pattern.firstMatch(in: path, range: NSRange(path.startIndex..., in: path)) != nil }
        for path in MetricCatalog.examplePaths { #expect(matches(path), "\(path)") }
        for path in ["latency.end_to_end.p99.9", "resources.worker-63.peak_rss_bytes", "latency.submit.p0.5"] { #expect(matches(path), "\(path)") }
        for path in ["latency.end_to_end.p101", "latency.end_to_end.p0", "resources.worker-64.peak_rss_bytes", "spans.droped", "latency.e2e.p99"] {
            #expect(!matches(path), "\(path)")
            #expect((try? MetricCatalog.resolve(path)) == nil, "\(path)")
        }
    }

    @Test("the committed schema/scenario.schema.json and schema/thresholds.schema.json are what tracebench schema prints")
    func committedSchemaIsCurrent() throws {
        let directory = TestSupport.packageRoot + "/schema"
        #expect(try String(contentsOfFile: directory + "/scenario.schema.json", encoding: .utf8) == JSONSchemaWriter.document(),
                "regenerate: tracebench schema > schema/scenario.schema.json")
        #expect(try String(contentsOfFile: directory + "/thresholds.schema.json", encoding: .utf8) == JSONSchemaWriter.document(thresholdsFile: true),
                "regenerate: tracebench schema --thresholds > schema/thresholds.schema.json")
    }

    @Test("a thresholds file has its own schema: a valid one passes, a misspelt option does not")
    func thresholdsFileSchema() async throws {
        let good = try #require(try Yams.compose(yaml: "thresholds: {latency.end_to_end.p99: ['< 2s', {threshold: '< 3s', over: 30s}]}\ngate: {alpha: 0.01}"))
        let bad = try #require(try Yams.compose(yaml: "thresholds: {latency.end_to_end.p99: {threshhold: '< 2s'}}"))
        let promises = try Self.composed(TestSupport.packageRoot + "/scenarios/promises.yaml")
        let valid = try await Self.validNames([("good", good), ("bad", bad), ("promises", promises)], thresholdsFile: true)
        #expect(valid == ["good", "promises"])
    }
}
