import Foundation
import Testing
import TracebenchJudge
import TracebenchMeasure
import TracebenchMetrics
import TracebenchReport
import TracebenchResults

/// Our encoders checked by independent implementations: the Python `hdrhistogram` package for HdrHistogram V2,
/// `junitparser` for JUnit XML (both installed by scripts/setup.sh).
@Suite("Independent implementations", .computeOnly)
struct IndependentCheckTests {
    /// A fixed, wide distribution: 20,000 latencies from 1 µs to 20 s, log-uniform, plus the range's extremes.
    static func sample() -> LatencyHistogram {
        var generator = SeededGenerator(seed: 77)
        var histogram = LatencyHistogram()
        for _ in 0..<20_000 {
            let unit = Double(generator.next() >> 11) / 9_007_199_254_740_992
            histogram.record(microseconds: Int64(pow(10, unit * 7.3)))
        }
        histogram.record(microseconds: 1, count: 5)
        histogram.record(microseconds: Int64(LatencyHistogram.highestTrackableMicroseconds), count: 3)
        return histogram
    }

    /// Bucket (lowest equivalent value) → count, as both sides key them.
    static func buckets(_ histogram: LatencyHistogram) -> [String: UInt64] {
        let layout = LatencyHistogram.layout
        var result: [String: UInt64] = [:]
        for bucket in histogram.buckets {
            result[String(layout.lowestEquivalentValue(atIndex: layout.countsIndex(for: bucket.value))), default: 0] += bucket.count
        }
        return result
    }

    @Test func swiftEncodingDecodesInPython() async throws {
        let histogram = Self.sample()
        let encoded = histogram.encoded()
        #expect(encoded.hasPrefix("HISTF"))
        let decoded = try await TestSupport.python(["scripts/hdr_crosscheck.py", "decode"], input: encoded)
        try #require(decoded.status == 0, "\(decoded.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(decoded.stdout.utf8)) as? [String: Any])
        let counts = (json["counts"] as? [String: Any] ?? [:]).mapValues { ($0 as? NSNumber)?.uint64Value ?? 0 }
        #expect(json["lowest"] as? Int == 1 && json["highest"] as? Int == 3_600_000_000 && json["digits"] as? Int == 3)
        #expect((json["total"] as? NSNumber)?.uint64Value == histogram.count)
        #expect(counts == Self.buckets(histogram), "\(counts.count) buckets in Python, \(Self.buckets(histogram).count) in Swift")
    }

    @Test func pythonEncodingDecodesInSwift() async throws {
        let values: [[UInt64]] = [[1, 3], [999, 1], [1_000, 7], [123_456, 2], [7_777_777, 40], [3_600_000_000, 1], [2_048, 1 << 40]]
        let request = ["lowest": 1, "highest": 3_600_000_000, "digits": 3, "values": values] as [String: Any]
        let encoded = try await TestSupport.python(["scripts/hdr_crosscheck.py", "encode"],
                                             input: String(decoding: try JSONSerialization.data(withJSONObject: request), as: UTF8.self))
        try #require(encoded.status == 0, "\(encoded.stderr)")
        let histogram = try LatencyHistogram(encoded: encoded.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        var expected = LatencyHistogram()
        for pair in values { expected.record(microseconds: Int64(pair[0]), count: pair[1]) }
        #expect(Self.buckets(histogram) == Self.buckets(expected))
        #expect(histogram.count == expected.count)
    }

    @Test func hostileEncodingsThrowInsteadOfCrashing() {
        for text in ["", "HISTF", "not base64!", String(repeating: "A", count: 400), Self.sample().encoded().dropLast(9).description] {
            #expect(throws: HdrCodecError.self) { try LatencyHistogram(encoded: text) }
        }
    }

    @Test func junitParsesWithJunitparser() async throws {
        var verdict = GateVerdict()
        var r = RunResults()
        r.spans.exported = 10
        r.spans.received = 9
        r.spans.dropped = 1
        r.traces.expected = 150
        r.traces.complete = 150
        let set = ThresholdSet(thresholds: [
            ThresholdSpec.builtIn("spans.dropped", "== 0"), ThresholdSpec.builtIn("traces.completeness", ">= 0.99"),
            ThresholdSpec.builtIn("spans.received", "> 5"), ThresholdSpec.builtIn("collector.rss_bytes_max", "< 100MB"),
        ])
        verdict = Judge.evaluate(set, on: [("results/night <1> & \"2\".json", r)])
        let path = TestSupport.temporaryPath(".xml")
        defer { TestSupport.discard(path) }
        try GateReport.junit(verdict).write(toFile: path, atomically: true, encoding: .utf8)
        let script = """
        import sys, json
        from junitparser import JUnitXml, Failure, Skipped
        xml = JUnitXml.fromfile(sys.argv[1])
        cases = [(c.name, [type(r).__name__ for r in c.result], [r.message for r in c.result]) for s in xml for c in s]
        print(json.dumps({"suites": [s.name for s in xml], "cases": cases, "tests": xml.tests, "failures": xml.failures, "skipped": xml.skipped}))
        """
        let parsed = try await TestSupport.python(["-c", script, path])
        try #require(parsed.status == 0, "\(parsed.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(parsed.stdout.utf8)) as? [String: Any])
        #expect(json["suites"] as? [String] == ["results/night <1> & \"2\".json"])
        let cases = json["cases"] as? [[Any]] ?? []
        #expect(cases.count == 4)
        #expect(cases.map { ($0[1] as? [String]) ?? [] } == [["Failure"], ["Skipped"], [], ["Failure"]], "\(cases)")
        #expect((cases[0][2] as? [String])?.first?.contains("spans.dropped = 1") == true)
        #expect(json["tests"] as? Int == 4 && json["failures"] as? Int == 2 && json["skipped"] as? Int == 1)
    }
}
