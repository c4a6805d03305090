import Foundation
import Testing
import TracebenchMeasure
@testable import TracebenchRun

#if canImport(Glibc)
import Glibc
#endif

/// `load.hiccups` and `load.steal_seconds`: the machine's own pauses while the load ran, the figure a lag tail is read
/// against. Known answers: the correction for the sleeps a pause swallows, the kernel's steal column, and a whole
/// `tracebench run` stopped for 200 ms (SIGSTOP … SIGCONT) showing that pause in its hiccups and in its lag.
@Suite("host pauses")
struct HostPauseTests {
    @Test("a pause of 20.5 ms is recorded as a 1 ms schedule would have lagged through it: 20.5, 19.5 … 1.5 ms; a short one once")
    func correctionForSwallowedSleeps() {
        var histogram = LatencyHistogram()
        HostPauseMeter.record(overshootNanos: 20_500_000, into: &histogram)
        let summary = histogram.summary()
        #expect(summary.count == 20 && summary.max >= 20_490 && summary.max <= 20_510, "\(summary)")
        #expect(abs(summary.mean - 11_000) < 50, "\(summary)")  // (20.5 + 1.5) / 2 ms
        var short = LatencyHistogram()
        HostPauseMeter.record(overshootNanos: 300_000, into: &short)
        HostPauseMeter.record(overshootNanos: -5_000, into: &short)  // a clock read early: never a negative pause
        #expect(short.summary().count == 2 && short.summary().max >= 299 && short.summary().max <= 301)
    }

    @Test("steal time is /proc/stat's eighth cpu value in clock ticks; a file without one is not measured")
    func stealColumn() {
        let ticks = Double(sysconf(Int32(_SC_CLK_TCK)))
        #expect(HostPauseMeter.stealSeconds(statText: "cpu  10 2 30 400 5 0 6 250 0 0\ncpu0 1 1 1 1 1 1 1 1 0 0\n") == 250 / ticks)
        #expect(HostPauseMeter.stealSeconds(statText: "cpu  10 2 30\n") == nil)
        #expect(HostPauseMeter.stealSeconds(statText: "intr 1 2 3\n") == nil)
        #expect(HostPauseMeter.stealSeconds(statText: nil) == nil)
    }

    @Test("a run stopped whole for 200 ms shows it: load.hiccups.max at least 199 ms, and the arrivals it held back as lag",
          .timeLimit(.minutes(2)))
    func aStoppedRunShowsItsPause() async throws {
        let endpoint = try await LoadHTTPClientTests.Endpoint.start()
        let out = TestSupport.temporaryPath(".json"), scenario = TestSupport.temporaryPath(".yaml")
        defer { TestSupport.discard(out); TestSupport.discard(scenario) }
        try """
        name: stopped
        duration_s: 6
        load: {arrival: constant, rate_per_s: 200}
        jobs: [{service: api}]
        target:
          submit:
            url: "http://127.0.0.1:\(endpoint.port)/ok"
            body: '{"id": "{job_id}"}'
        """.write(toFile: scenario, atomically: true, encoding: .utf8)
        let stopped = Duration.milliseconds(200)
        let result = try await CLITests().tracebench(["run", scenario, "--quiet", "--out", out]) { pid in
            try? await Task.sleep(for: .milliseconds(3_500))  // start-up takes about one second: this is mid-schedule
            kill(pid, SIGSTOP)
            try? await Task.sleep(for: stopped)
            kill(pid, SIGCONT)
        }
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out))) as? [String: Any] ?? [:]
        #expect(result.status == 0, "\(result.stderr) \(json["problems"] ?? "")")
        let load = json["load"] as? [String: Any] ?? [:]
        let hiccups = load["hiccups"] as? [String: Any] ?? [:]
        let lag = load["lag"] as? [String: Any] ?? [:]
        let hiccupMax = hiccups["max"] as? Int ?? 0, lagMax = lag["max"] as? Int ?? 0
        // At least the stop less the part of a 1 ms sleep already slept when it came; at most the stop and this test's
        // own sleep overshooting on a busy machine.
        #expect(hiccupMax >= 199_000 && hiccupMax < 600_000, "\(hiccups)")
        #expect((hiccups["count"] as? Int ?? 0) > 1_000, "\(hiccups)")
        // An arrival due just after the stop began went out when it ended: the lag shows the same pause.
        #expect(lagMax >= 180_000 && lagMax <= hiccupMax + 20_000, "lag \(lag), hiccups \(hiccups)")
        #expect(load.keys.contains("steal_seconds"))
    }
}
