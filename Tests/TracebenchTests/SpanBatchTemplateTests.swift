import Testing
import TracebenchScenario
@testable import TracebenchRun

/// The firehose's template batches against the general OTLP encoder: byte for byte, over shapes that move every
/// boundary (traces across batches, errors, no or long attributes, length prefixes of one, two and three bytes).
@Suite("firehose batch template", .computeOnly)
struct SpanBatchTemplateTests {
    @Test("every batch equals the general encoder's, byte for byte", arguments: [
        (1, 1, 0.0, 0, 0), (5, 500, 0.01, 5, 16), (7, 3, 0.5, 2, 200), (3, 1000, 1.0, 1, 1), (4, 64, 0.3, 0, 0), (1, 2000, 0.0, 9, 300),
    ])
    func matchesTheEncoder(spansPerTrace: Int, batchSpans: Int, errorRatio: Double, attributes: Int, attributeBytes: Int) {
        var spec = FirehoseSpec(spansPerTrace: spansPerTrace, batchSpans: batchSpans)
        spec.errorRatio = errorRatio
        spec.attributes = attributes
        spec.attributeBytes = attributeBytes
        for seed: UInt64 in [0, 5, .max] {
            let batches = SpanBatches(spec: spec, seed: seed)
            let template = SpanBatchTemplate(spec: spec, seed: seed)
            for index in [0, 1, 17, 999] {
                let now: UInt64 = 1_765_000_000_123_456_789 &+ UInt64(index)
                #expect(template.batch(index, now: now) == batches.encoded(index, now: now), "seed \(seed) batch \(index)")
            }
        }
    }
}
