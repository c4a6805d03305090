import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TracebenchMeasure
import TracebenchResults
@testable import TracebenchScenario
@testable import TracebenchSink

/// Who may post spans: the sink binds 127.0.0.1 unless told otherwise, a non-loopback listener needs a token (or an
/// explicit opt-out), and a sink with a token refuses and counts every post without it.
@Suite("sink access")
struct SinkAccessTests {
    static let base = "duration_s: 5\nload: {rate_per_s: 5}\njobs: [{service: s, steps: [{name: a}]}]\n"

    static func problems(_ yaml: String) -> [ScenarioProblem] {
        do {
            _ = try ScenarioLoader.parse(yaml: yaml, file: "test.yaml")
            return []
        } catch {
            return error.problems
        }
    }

    @Test("a listener other machines can reach needs sink.token or sink.allow_unauthenticated; addresses are checked")
    func listenRules() throws {
        let open = Self.problems(Self.base + "sink: {listen: '0.0.0.0:4318'}")
        #expect(open.contains { $0.keyPath == "sink.listen" && $0.message.contains("reachable from other machines") }, "\(open)")
        let grpcOpen = Self.problems(Self.base + "sink: {grpc_listen: '10.0.0.5:4317'}")
        #expect(grpcOpen.contains { $0.keyPath == "sink.grpc_listen" }, "\(grpcOpen)")
        for bad in ["localhost", "1.2.3:80", "::1:80", "127.0.0.1:70000", "300.1.1.1:80", "127.0.0.1:"] {
            let found = Self.problems(Self.base + "sink: {listen: '\(bad)'}")
            #expect(found.contains { $0.keyPath == "sink.listen" && $0.message.contains("expected host:port") }, "\(bad): \(found)")
        }
        let same = Self.problems(Self.base + "sink: {listen: '127.0.0.1:4318', grpc_listen: '127.0.0.1:4318'}")
        #expect(same.contains { $0.keyPath == "sink.grpc_listen" }, "\(same)")

        let token = try ScenarioLoader.parse(yaml: Self.base + "sink: {listen: '0.0.0.0:4318', token: s3cret}", file: "t.yaml")
        #expect(token.sink.host == "0.0.0.0" && token.sink.port == 4318 && token.sink.token == "s3cret")
        #expect(token.tracing.headers["Authorization"] == "Bearer s3cret", "the built-in pipeline's SDKs send the token")
        let optOut = try ScenarioLoader.parse(yaml: Self.base + "sink: {listen: '0.0.0.0:0', allow_unauthenticated: true}", file: "t.yaml")
        #expect(optOut.sink.allowUnauthenticated && optOut.sink.token.isEmpty)
        let defaults = try ScenarioLoader.parse(yaml: Self.base, file: "t.yaml")
        #expect(defaults.sink == SinkSpec() && SinkSpec().host == "127.0.0.1")
    }

    @Test("exporter headers in a target's environment never reach the results' scenario record")
    func environmentHeadersAreRedacted() throws {
        let yaml = "target:\n  launch:\n    env: {OTEL_EXPORTER_OTLP_HEADERS: 'Authorization=Bearer hunter2', OTEL_SERVICE_NAME: api}\n"
        let record = ScenarioRecord.document(yaml: yaml)
        let text = String(decoding: try JSONEncoder().encode(record), as: UTF8.self)
        #expect(!text.contains("hunter2") && text.contains(Redaction.marker) && text.contains("api"), "\(text)")
    }

    func post(port: Int, authorization: String?) async throws -> Int {
        try await TestSupport.postOTLP([], port: port, authorization: authorization)
    }

    @Test("a sink with a token answers 401 to a post without it (or with a wrong one) and counts it; the right one is accepted")
    func tokenIsChecked() async throws {
        let sink = OTLPSink(token: "s3cret")
        let port = try await sink.start()
        defer { Task { await sink.stop() } }
        #expect(try await post(port: port, authorization: nil) == 401)
        #expect(try await post(port: port, authorization: "Bearer s3cres") == 401)
        #expect(try await post(port: port, authorization: "Bearer s3cret-and-more") == 401)
        #expect(try await post(port: port, authorization: "bearer s3cret") == 401)
        #expect(try await post(port: port, authorization: "Bearer s3cret") == 200)
        let snapshot = sink.store.snapshot()
        #expect(snapshot.rejected[.unauthorized] == 4 && snapshot.requests == 1, "\(snapshot.rejected) \(snapshot.requests)")
        #expect(SinkCredential(token: "t").accepts("Bearer t") && !SinkCredential(token: "t").accepts(nil) && !SinkCredential(token: "t").accepts(""))
    }
}
