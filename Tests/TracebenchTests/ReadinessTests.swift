import Foundation
import Testing
import TracebenchProcess
import TracebenchRedis
@testable import TracebenchRun

/// When a launched system is ready, against a real HTTP server (Tests/Support/http_endpoint.py) and real children: each
/// way a wait ends, and what a wait that ran out says it last saw.
@Suite("readiness of a launched system")
struct ReadinessTests {
    private static func child(_ script: String) throws -> ChildProcess {
        try ChildProcess(name: "probe-child", executable: "/bin/sh", arguments: ["-c", script], logPath: TestSupport.temporaryPath(".log"))
    }

    @Test("a port nobody listens on is down, a listening one is up; a URL answering 2xx is up, another status is down, naming it")
    func probes() async throws {
        let endpoint = try await LoadHTTPClientTests.Endpoint.start()
        let base = "http://127.0.0.1:\(endpoint.port)"
        #expect(await Readiness.probe(String(endpoint.port)) == .up)
        let closed = FreePort.loopback()
        #expect(await Readiness.probe(String(closed)) == .down("nothing accepts connections on 127.0.0.1:\(closed)"))
        #expect(await Readiness.probe(base + "/health") == .up)
        #expect(await Readiness.probe(base + "/status/204") == .up)
        #expect(await Readiness.probe(base + "/status/404") == .down("it answered 404"))
        #expect(await Readiness.probe(base + "/status/503") == .down("it answered 503"))
        #expect(await Readiness.probe("not a url") == .down("'not a url' is neither a port nor an http:// URL"))
    }

    @Test("a URL that holds its answer (10 s) is down after the probe's own timeout, not after the answer")
    func silentURL() async throws {
        let endpoint = try await LoadHTTPClientTests.Endpoint.start()
        let started = ContinuousClock.now
        let probe = await Readiness.probe("http://127.0.0.1:\(endpoint.port)/silent")
        #expect(probe != .up && probe.description.hasPrefix("no answer"), "\(probe)")
        #expect(ContinuousClock.now - started < .seconds(9), "the 2 s probe timeout, not the server's 10 s")
    }

    @Test("a wait ends ready, when the child exits (with its status), or out of time with the last probe's finding")
    func waits() async throws {
        let endpoint = try await LoadHTTPClientTests.Endpoint.start()
        let running = try Self.child("exec sleep 30")
        defer { _ = Foundation.kill(running.pid, SIGKILL) }
        #expect(await Readiness.wait(for: "http://127.0.0.1:\(endpoint.port)/health", child: running, timeout: .seconds(30)) == .ready)
        #expect(await Readiness.wait(for: "http://127.0.0.1:\(endpoint.port)/status/404", child: running, timeout: .milliseconds(300))
                == .timedOut(lastProbe: "it answered 404"))
        let exiting = try Self.child("exit 3")
        #expect(await Readiness.wait(for: String(FreePort.loopback()), child: exiting, timeout: .seconds(30)) == .exited(3))
    }
}
