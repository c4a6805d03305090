import Foundation
import Testing
import TracebenchMeasure
import TracebenchPipeline

/// The API's fast path for `POST /jobs` bodies agrees with `JSONDecoder` wherever it answers, and answers for every
/// body the load generator writes with a plain id.
@Suite("job wire format", .computeOnly)
struct JobWireFormatTests {
    func fast(_ text: String) -> JobRequest? {
        Array(text.utf8).withUnsafeBytes { JobRequest(compactJSON: $0) }
    }

    func decoded(_ text: String) -> JobRequest? {
        try? JSONDecoder().decode(JobRequest.self, from: Data(text.utf8))
    }

    @Test("property: 2,000 seeded jobs written by the generator read back exactly; ids with escapes fall back to the decoder")
    func generatorBodiesRoundTrip() {
        var random = SeededGenerator(seed: 77)
        let alphabet = Array("abcXYZ019-_:.é漢😀\"\\\n\t/ ")
        for index in 0 ..< 2_000 {
            let length = Int(random.next() % 12)
            let id = String((0 ..< length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] })
            let extremes: [Int64] = [.min, .max, 0, -1, 1]
            let job = JobRequest(id: id, type: Int(random.next() % 5), priority: Int(Int64(bitPattern: random.next()) % 1000),
                                 seed: index % 7 == 0 ? .max : random.next(), intendedStartMicros: index % 5 == 0 ? extremes[index % 25 / 5] : Int64(bitPattern: random.next()),
                                 arm: Int(random.next() % 3))
            let body = job.json
            #expect(decoded(body) == job, "\(body)")
            let plain = !id.unicodeScalars.contains { $0 == "\"" || $0 == "\\" || $0.value < 0x20 }
            #expect(plain ? fast(body) == job : fast(body) == nil, "\(body)")
        }
    }

    @Test("anything but the compact form is left to the decoder: whitespace, order, escapes, fractions, overflow, leading zeros, extras, truncation")
    func otherFormsAreNotTheFastPath() {
        let good = #"{"id":"j-1","type":0,"priority":5,"seed":7,"intendedStartMicros":-12,"arm":1}"#
        #expect(fast(good) == JobRequest(id: "j-1", type: 0, priority: 5, seed: 7, intendedStartMicros: -12, arm: 1))
        let others = [
            #"{ "id":"j-1","type":0,"priority":5,"seed":7,"intendedStartMicros":-12,"arm":1}"#,
            #"{"type":0,"id":"j-1","priority":5,"seed":7,"intendedStartMicros":-12,"arm":1}"#,
            #"{"id":"j\u002d1","type":0,"priority":5,"seed":7,"intendedStartMicros":-12,"arm":1}"#,
            #"{"id":"j-1","type":0.0,"priority":5,"seed":7,"intendedStartMicros":-12,"arm":1}"#,
            #"{"id":"j-1","type":0,"priority":5,"seed":18446744073709551616,"intendedStartMicros":-12,"arm":1}"#,
            #"{"id":"j-1","type":0,"priority":5,"seed":-1,"intendedStartMicros":-12,"arm":1}"#,
            #"{"id":"j-1","type":0,"priority":05,"seed":7,"intendedStartMicros":-12,"arm":1}"#,
            #"{"id":"j-1","type":0,"priority":5,"seed":7,"intendedStartMicros":-12,"arm":1,"x":2}"#,
            #"{"id":"j-1","type":0,"priority":5,"seed":7,"intendedStartMicros":-12,"arm":1}  "#,
            #"{"id":"j-1","type":0,"priority":5,"seed":7,"intendedStartMicros":-,"arm":1}"#,
            #"{"id":"j-1","type":0,"priority":5,"seed":7,"intendedStartMicros":1e3,"arm":1}"#,
            #"{"id":"j-1","type":0,"priority":5,"seed":7,"intendedStartMicros":-12,"arm":1"#,
            #"{"id":"j-1"#, "", "{", #"{"id":""#,
        ]
        for text in others { #expect(fast(text) == nil, "\(text)") }
        // Invalid UTF-8 in the id is never read as a string.
        var bytes = Array(good.utf8)
        bytes[8] = 0xFF
        #expect(bytes.withUnsafeBytes { JobRequest(compactJSON: $0) } == nil)
        // Int64.min and UInt64.max are in range; one past them is not.
        #expect(fast(#"{"id":"","type":0,"priority":0,"seed":18446744073709551615,"intendedStartMicros":-9223372036854775808,"arm":0}"#)?.seed == .max)
        #expect(fast(#"{"id":"","type":0,"priority":0,"seed":1,"intendedStartMicros":-9223372036854775809,"arm":0}"#) == nil)
    }

    @Test("the answer's body is what JSONEncoder writes, read back by JSONDecoder, escapes included")
    func acceptedBody() throws {
        for accepted in [JobAccepted(id: "j-1", traceID: "0af7651916cd43dd8448eb211c80319c"), JobAccepted(id: "q\"\\\n漢", traceID: "")] {
            #expect(try JSONDecoder().decode(JobAccepted.self, from: Data(accepted.json.utf8)) == accepted)
        }
    }
}
