import Foundation
import Testing
import TracebenchMeasure
import TracebenchScenario
@testable import TracebenchSink

/// The OTEP 235 threshold: its text form, its probability, the rule it applies to trace ids, and the sink reading it
/// from tracestate in both OTLP encodings.
@Suite("Consistent sampling threshold", .computeOnly)
struct ConsistentThresholdTests {
    @Test func tenPercentIsE666WithItsExactProbability() {
        let ten = ConsistentThreshold(ratio: 0.1)
        #expect(ten.th == "e666")
        #expect(abs(ten.probability - 6554.0 / 65536) < 1e-12)  // 0.100006…, the rate rotel's processor must show
        #expect(ConsistentThreshold(ratio: 1).th == "0" && ConsistentThreshold(ratio: 1).probability == 1)
        #expect(ConsistentThreshold(ratio: 0.5).th == "8")
        #expect(ConsistentThreshold(ratio: 0.25).th == "c")
        #expect(ConsistentThreshold(th: "e666") == ten && ConsistentThreshold(th: "E6660") == ten)
        #expect(ConsistentThreshold(ratio: 0.1, precision: 14).th == "e6666666666666")  // 2⁵⁶ − round(0.1·2⁵⁶), hex
    }

    @Test func badThValuesAreRefused() {
        for text in ["", "xyz", "123456789012345", "-1", "+e66", "e66 6", "é"] { #expect(ConsistentThreshold(th: text) == nil, "\(text)") }
    }

    @Test func traceStateIsReadFromItsOtEntryOnly() {
        #expect(ConsistentThreshold(traceState: "ot=th:e666")?.th == "e666")
        #expect(ConsistentThreshold(traceState: "vendor=a, ot=rv:1234;th:8 ,other=b")?.th == "8")
        #expect(ConsistentThreshold(traceState: "ot=th:0")?.probability == 1)
        #expect(ConsistentThreshold(traceState: "vendor=th:8") == nil)
        #expect(ConsistentThreshold(traceState: "ot=rv:abc") == nil)
        #expect(ConsistentThreshold(traceState: "") == nil)
    }

    /// The rule on bytes 9–15, against the same rule computed independently here on the hex id (as the Python
    /// processor does with `int.from_bytes(trace_id[9:16], "big")`), over 20,000 random ids: ≈ 10 % kept.
    @Test func theRuleReadsBytesNineToFifteenBigEndian() {
        var generator = SystemRandomNumberGenerator()
        let rule = ConsistentThreshold(ratio: 0.1)
        var kept = 0
        for _ in 0..<20_000 {
            let id = TraceID(high: generator.next(), low: generator.next())
            let hex = id.hex
            let randomness = UInt64(hex.suffix(14), radix: 16)!
            let expected = randomness >= 0xE666 << 40
            #expect(rule.keeps(traceIDLow: id.low) == expected)
            if expected { kept += 1 }
        }
        let interval = Distributions.clopperPearson(successes: kept, trials: 20_000, level: 0.999)
        #expect(interval.low <= rule.probability && rule.probability <= interval.high, "\(kept) of 20000")
    }

    @Test func theSinkReadsTheThresholdInProtobufAndJSON() throws {
        let id = TraceID(high: 1, low: 2)
        let body = OTLPProtobufEncoder().encode(serviceName: "s", spans: [
            .init(traceID: id, spanID: 1, parentSpanID: 0, name: "a", startNanos: 1, endNanos: 2, traceState: "ot=th:e666"),
            .init(traceID: id, spanID: 2, parentSpanID: 1, name: "b", startNanos: 1, endNanos: 2),
        ])
        let spans = try OTLPDecoder.decodeProtobuf(body, receivedNanos: 0)
        #expect(spans.map(\.samplingThreshold?.th) == ["e666", nil])
        let json = """
        {"resourceSpans":[{"scopeSpans":[{"spans":[{"traceId":"\(id.hex)","spanId":"0000000000000001","name":"a",
        "traceState":"ot=th:c","startTimeUnixNano":"1","endTimeUnixNano":"2"}]}]}]}
        """
        let decoded = try OTLPDecoder.decodeJSON(Array(json.utf8), receivedNanos: 0)
        #expect(decoded.first?.samplingThreshold?.probability == 0.25)
    }
}

/// The scenario keys of the sampling work: per-service samplers and the collector's declared sampling.
@Suite("Sampling scenario keys", .computeOnly)
struct SamplingScenarioKeyTests {
    @Test func perServiceSamplersOverrideTheSection() throws {
        let scenario = try ScenarioLoader.parse(yaml: """
        name: s
        duration_s: 1
        load: {rate_per_s: 1}
        jobs: [{service: comfyui, steps: [{name: a}]}]
        tracing:
          sampler: traceidratio
          ratio: 0.1
          services:
            worker: {ratio: 0.05}
        """, file: "s.yaml")
        #expect(scenario.tracing.sampler(for: .api) == .init(sampler: .traceIDRatio, ratio: 0.1))
        #expect(scenario.tracing.sampler(for: .worker) == .init(sampler: .traceIDRatio, ratio: 0.05))
        #expect(scenario.tracing.forService(.worker).ratio == 0.05 && scenario.tracing.configuredRatio == 0.1)
    }

    @Test func collectorSamplingIsCheckedWhereItIsWritten() throws {
        let tail = try TestSupport.scenario("sampling-tail-rotel")
        #expect(tail.collector?.sampling == .init(ratio: 0.1, keepsErrors: true))
        #expect(tail.collector?.sampling?.threshold.th == "e666")
        let cases: [(String, String)] = [
            ("collector: {attach: {endpoint: 'http://127.0.0.1:4318'}, sampling: {ratio: 0}}", "collector.sampling.ratio"),
            ("collector: {attach: {endpoint: 'http://127.0.0.1:4318'}, sampling: {ratio: 0.1, keeps_errors: yes}}", "collector.sampling.keeps_errors"),
            ("collector: {attach: {endpoint: 'http://127.0.0.1:4318'}, sampling: {keeps_errors: true}}", "collector.sampling.ratio"),
            ("tracing: {services: {db: {ratio: 0.1}}}", "tracing.services.db"),
            ("tracing: {services: {api: {sampler: parentbased_always_of}}}", "tracing.services.api.sampler"),
        ]
        for (section, keyPath) in cases {
            let yaml = "name: s\nduration_s: 1\nload: {rate_per_s: 1}\njobs: [{service: comfyui, steps: [{name: a}]}]\n" + section + "\n"
            let found = Self.problems(yaml)
            let paths = found.map(\.keyPath)
            #expect(paths.contains(keyPath), "\(section): \(paths)")
        }
    }

    /// The problems the loader reports for `yaml` (empty when it loads).
    static func problems(_ yaml: String) -> [ScenarioProblem] {
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "s.yaml")
            return []
        } catch let error as ScenarioError {
            return error.problems
        } catch {
            return []
        }
    }
}
