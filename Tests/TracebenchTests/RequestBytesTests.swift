import NIOCore
import Testing
import TracebenchMeasure
import TracebenchScenario
@testable import TracebenchRun

/// The bytes the open loop writes per request, built without strings, against the string path they replace: the
/// same body as `PlaceholderTemplate.render`, the same request as rendering that body, and the header-name check's
/// bit sets against RFC 9110's definition of a token.
@Suite("request bytes", .computeOnly)
struct RequestBytesTests {
    @Test("a job's body written as bytes equals the template rendered as a string, for seeded templates and values")
    func bodyBytesEqualRenderedString() throws {
        var random = SeededGenerator(seed: 7)
        let runID = "run-ä1"
        let texts = ["", "{", "}", "{job_id}", "{\"id\": \"{job_id}\", \"priority\": {priority}}", "x{index}y{index}{priority}é",
                     "{unknown}{job_id}-{service}", "{{priority}}"]
        let values = [0, 1, 9, 10, 99, 100, 12_345, -1, -10, -987, Int.max, Int.min + 1]
        for text in texts {
            let template = PlaceholderTemplate(text, fixed: ["service": "svc"], perJob: TargetLoad.SubmitTemplates.perJob)
            let bytes = JobBodyTemplate(template, runID: runID)
            for _ in 0..<40 {
                let index = Int(random.next() % 3 == 0 ? random.next() % 1_000_000_000 : random.next() % 100)
                let priority = values[Int(random.next() % UInt64(values.count))]
                let expected = Array(template.render(["\(runID)-\(index)", String(priority), String(index)]).utf8)
                var buffer = ByteBuffer()
                bytes.write(.init(index: index, priority: priority), into: &buffer)
                #expect(Array(buffer.readableBytesView) == expected, "\(text) with index \(index), priority \(priority)")
                #expect(bytes.count(.init(index: index, priority: priority)) == expected.count)
            }
        }
    }

    @Test("a prepared request with a body template is byte for byte the request with the rendered body")
    func preparedRequestMatches() throws {
        let prepared = try PreparedRequest(method: "POST", endpoint: LoadEndpoint(host: "127.0.0.1", port: 8080), target: "/jobs",
                                           headers: [("Content-Type", "application/json")], keepsBody: false)
        let template = PlaceholderTemplate("{\"id\": \"{job_id}\", \"n\": {index}, \"p\": {priority}}", fixed: [:],
                                           perJob: TargetLoad.SubmitTemplates.perJob)
        for (index, priority) in [(0, 0), (7, -3), (123_456, 42)] {
            let rendered = prepared.request(body: template.render(["r-\(index)", String(priority), String(index)]).utf8)
            let written = prepared.request(body: JobBodyTemplate(template, runID: "r"), values: .init(index: index, priority: priority),
                                           allocator: ByteBufferAllocator())
            #expect(rendered.bytes == written.bytes)
        }
    }

    @Test("the header-name check accepts exactly RFC 9110's tchar")
    func tokenBytes() {
        for byte in UInt8.min...UInt8.max {
            let isToken = (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte) || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains(byte)
                || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || LoadRequest.tokenSymbols.contains(byte)
            #expect(LoadRequest.isTokenByte(byte) == isToken, "byte \(byte)")
        }
    }
}
