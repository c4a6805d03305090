import Foundation
import Testing
@testable import TracebenchScenario
import Yams

/// The loader names the exact key of every problem, whatever is wrong with it: for every key of every shipped
/// scenario a wrong type and an unknown sibling are injected (block and flow style) and the reported path must be
/// that key's. And the loader refuses, by key, settings that would otherwise be silently ignored or misread.
@Suite("exact key paths and settings never silently ignored", .computeOnly)
struct KeyPathPropertyTests {
    /// Mappings whose keys the user chooses (any name is valid, so an unknown sibling is no problem there).
    static let freeFormMappings: Set = ["tracing.headers", "tracing.resource_attributes", "collector.launch.env", "target.launch.env", "overhead.arms[].env",
                                        "target.submit.headers", "target.expect[].at_least"]

    /// Whether the mapping at `path` takes user-chosen keys (list indexes do not matter).
    static func isFreeForm(_ path: String) -> Bool {
        freeFormMappings.contains(path.replacingOccurrences(of: #"\[\d+\]"#, with: "[]", options: .regularExpression))
    }

    /// `node` with the key at `target` changed by `change` (which returns the pairs to put in its place).
    static func rewriting(_ target: String, in node: Node, _ path: String = "",
                          _ change: (Node, Node) -> [(Node, Node)]) -> Node {
        switch node {
        case let .mapping(mapping):
            var pairs: [(Node, Node)] = []
            for pair in mapping {
                let name = pair.key.scalar?.string ?? "?"
                let child = path.isEmpty ? name : "\(path).\(name)"
                let value = rewriting(target, in: pair.value, child, change)
                if child == target { pairs += change(pair.key, value) } else { pairs.append((pair.key, value)) }
            }
            return .mapping(Node.Mapping(pairs))
        case let .sequence(sequence):
            return .sequence(Node.Sequence(sequence.enumerated().map { rewriting(target, in: $0.element, "\(path)[\($0.offset)]", change) }))
        case let .scalar(scalar):
            return .scalar(Node.Scalar(scalar.string, .implicit, scalar.style))
        case .alias:
            return node
        }
    }

    /// Every mapping key of a document as (the path of the mapping holding it, its own path): a key may contain dots
    /// (a metric path, an attribute name), so the parent cannot be recovered by splitting the path.
    static func keyEntries(_ node: Node, _ path: String = "") -> [(parent: String, path: String)] {
        switch node {
        case let .mapping(mapping):
            return mapping.flatMap { pair -> [(String, String)] in
                let name = pair.key.scalar?.string ?? "?"
                let child = path.isEmpty ? name : "\(path).\(name)"
                return [(path, child)] + keyEntries(pair.value, child)
            }
        case let .sequence(sequence):
            return sequence.enumerated().flatMap { keyEntries($0.element, "\(path)[\($0.offset)]") }
        default:
            return []
        }
    }

    /// Every (file, parent path, key path, root) of the shipped scenarios.
    static func shippedKeys() throws -> [(file: String, parent: String, path: String, root: Node)] {
        let directory = TestSupport.packageRoot + "/scenarios"
        let files = try TestSupport.shippedScenarioFiles()
        #expect(files.count >= 10)
        var keys: [(String, String, String, Node)] = []
        for file in files {
            let text = try String(contentsOfFile: "\(directory)/\(file)", encoding: .utf8)
            let root = try #require(try Yams.compose(yaml: text))
            keys += keyEntries(root).map { (file, $0.parent, $0.path, root) }
        }
        return keys
    }

    /// The problems of `node` written in `style` (an acceptance is an empty list).
    static func problems(_ node: Node, style: Node.Mapping.Style, file: String) throws -> [ScenarioProblem] {
        let yaml = try Yams.serialize(node: node, sequenceStyle: style == .block ? .block : .flow, mappingStyle: style)
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: file)
            return []
        } catch {
            return error.problems
        }
    }

    @Test("property: a wrong type under every key of every shipped scenario is reported at exactly that key")
    func wrongTypePathsAreExact() throws {
        var checked = 0
        for (file, _, path, root) in try Self.shippedKeys() {
            // A scalar becomes a mapping, a mapping or list a scalar: no key of the format accepts both.
            let changed = Self.rewriting(path, in: root) { key, value in
                if case .scalar = value { return [(key, .mapping(Node.Mapping([(Node("zz_wrong"), Node("1"))])))] }
                return [(key, Node("zz_wrong"))]
            }
            for style in [Node.Mapping.Style.block, .flow] {
                let found = try Self.problems(changed, style: style, file: file)
                // A value that may be a mapping (a threshold's options, a duration's distribution) names the unknown key in it.
                let exact = found.contains { $0.keyPath == path || $0.keyPath == "\(path).zz_wrong" }
                #expect(exact, "\(file) (\(style)): a wrong type at \(path) was reported as \(found.map(\.keyPath))")
                checked += 1
            }
        }
        #expect(checked > 500, "\(checked) cases")
    }

    @Test("property: an unknown sibling of every key of every shipped scenario is reported at exactly its own path")
    func unknownSiblingPathsAreExact() throws {
        var checked = 0
        for (file, parent, path, root) in try Self.shippedKeys() {
            let sibling = parent.isEmpty ? "zz_unknown" : "\(parent).zz_unknown"
            let changed = Self.rewriting(path, in: root) { key, value in [(key, value), (Node("zz_unknown"), Node("1"))] }
            for style in [Node.Mapping.Style.block, .flow] {
                let found = try Self.problems(changed, style: style, file: file)
                if Self.isFreeForm(parent) {
                    #expect(found.isEmpty, "\(file): \(sibling) is a user-chosen name, got \(found)")
                } else {
                    #expect(found.contains { $0.keyPath == sibling && $0.line >= 1 },
                            "\(file) (\(style)): an unknown key \(sibling) was reported as \(found.map(\.keyPath))")
                }
                checked += 1
            }
        }
        #expect(checked > 500, "\(checked) cases")
    }

    /// The base of the refusal cases: a valid scenario the cases add one setting to.
    static let base = """
        duration_s: 5
        load: {rate_per_s: 5}
        jobs: [{service: s, steps: [{name: a}]}]

        """

    /// One setting that must be refused, at `path`, with a message containing `says`.
    struct Refusal: CustomTestStringConvertible, Sendable {
        let yaml: String
        let path: String
        let says: String
        var testDescription: String { "\(path): \(says)" }
    }

    static let refusals: [Refusal] = [
        Refusal(yaml: base + "ceilings: {colector: 100}", path: "ceilings.colector", says: "did you mean 'collector'"),
        Refusal(yaml: base + "ceilings: {nginx: 100}", path: "ceilings.nginx", says: "unknown process 'nginx'"),
        Refusal(yaml: "duration_s: 5\nload: {arrival: ramp, rate_per_s: 5, to_per_s: 10}\njobs: [{service: s, steps: [{name: a}]}]",
                path: "load.rate_per_s", says: "applies only to arrival: constant or poisson"),
        Refusal(yaml: "duration_s: 5\nload: {arrival: steps, rate_per_s: 5, steps: [{rate_per_s: 1, duration_s: 1}]}\n"
                    + "jobs: [{service: s, steps: [{name: a}]}]",
                path: "load.rate_per_s", says: "applies only to arrival: constant or poisson"),
        Refusal(yaml: "duration_s: 5\nload: {kind: firehose, rate_per_s: 5000}", path: "load.rate_per_s",
                says: "applies only to kind: jobs"),
        Refusal(yaml: "duration_s: 5\nload: {kind: firehose, max_in_flight: 8}", path: "load.max_in_flight",
                says: "applies only to kind: jobs"),
        Refusal(yaml: base + "thresholds: {latency.end_to_end.p99: {threshold: {threshold: '< 1s'}}}",
                path: "thresholds.latency.end_to_end.p99.threshold", says: "expected a condition"),
        Refusal(yaml: base + "overhead: {arms: [off, sdk, otlp, off]}", path: "overhead.arms", says: "must list 2 to 3 tracing modes"),
        Refusal(yaml: base + "capacity: {step_factor: 200}", path: "capacity.step_factor", says: "at most 100"),
        Refusal(yaml: base + "tracing: {protocol: grpc, endpoint: 'http://127.0.0.1:4317/v1/traces'}", path: "tracing.endpoint",
                says: "no path"),
        Refusal(yaml: base + "tracing: {protocol: grpc, endpoint: 'http://127.0.0.1'}", path: "tracing.endpoint", says: "no path"),
        Refusal(yaml: base + "collector: {launch: {command: [x], endpoint: 'ftp://x'}}", path: "collector.launch.endpoint",
                says: "expected an http:// or https:// URL"),
    ]

    @Test("a setting that would be ignored or misread is refused at its key", arguments: refusals)
    func refusedAtItsKey(_ refusal: Refusal) {
        do {
            let scenario = try ScenarioLoader.parse(yaml: refusal.yaml, file: "test.yaml")
            Issue.record("accepted: \(scenario)")
        } catch {
            #expect(error.problems.contains { $0.keyPath == refusal.path && $0.message.contains(refusal.says) && $0.line >= 1 },
                    "\(error)")
        }
    }

    @Test("what is valid stays valid: an upper-case scheme (stored lower-case), an empty services section, each worker's ceiling")
    func acceptedSpellings() throws {
        let yaml = Self.base + """
            tracing: {endpoint: 'HTTP://127.0.0.1:4318', services: }
            collector: {launch: {command: [x], endpoint: 'HTTPS://127.0.0.1:{port}', metrics_url: 'Http://127.0.0.1:{port}/metrics'}}
            ceilings: {worker: 200, worker-3: 100, coordinator: 300, redis: 50, api: 80, collector: 100}
            """
        let scenario = try ScenarioLoader.parse(yaml: yaml, file: "test.yaml")
        #expect(scenario.tracing.endpoint == "http://127.0.0.1:4318")
        #expect(scenario.tracing.services.isEmpty)
        #expect(scenario.collector?.launch?.endpoint == "https://127.0.0.1:{port}")
        #expect(scenario.collector?.launch?.metricsURL == "http://127.0.0.1:{port}/metrics")
        #expect(scenario.ceilingsMiB["worker-3"] == 100 && scenario.ceilingsMiB.count == 6)
        let grpc = try ScenarioLoader.parse(yaml: Self.base + "tracing: {protocol: grpc, endpoint: 'http://127.0.0.1:4317/'}", file: "t.yaml")
        #expect(grpc.tracing.endpoint == "http://127.0.0.1:4317/")
    }
}
