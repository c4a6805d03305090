import Foundation
import Testing
import TracebenchRedis
import TracebenchResults

/// Issue 15 across "hosts": `scripts/agents-netns.sh` puts the control Redis and the target in one network namespace
/// and three agents in three more, joined by a bridge; the coordinator runs here. The same scenario runs on this host
/// alone, on the three agents (one with its clock skewed +200 ms), and on the three with a 5 ms delay each way between
/// every host and the control host; then the built-in pipeline with one worker of its own, alone and with two more
/// workers on each agent host. Needs root and iproute2 (skipped elsewhere).
@Suite("several hosts in network namespaces")
struct AgentNamespaceTests {
    static var available: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip") && RedisServer.findBinary() != nil
    }

    @Test("three namespaced agents offer exactly this host's arrivals, with its percentiles; the skew is measured back; delay changes no count; their workers finish what one cannot",
          .enabled(if: Self.available), .timeLimit(.minutes(4)))
    func threeHosts() async throws {
        let out = TestSupport.temporaryPath("-netns")
        defer { TestSupport.discard(out) }
        let before = try await Self.namespaces()
        let script = try await TestSupport.run(TestSupport.packageRoot + "/scripts/agents-netns.sh", [TestSupport.tracebenchBinary, out, "3", "300", "6", "5"])
        #expect(script.status == 0, "\(script.stdout.suffix(2000)) \(script.stderr.suffix(2000))")
        #expect(try await Self.namespaces() == before, "the script left namespaces behind")
        let decoder = JSONDecoder()
        func results(_ name: String) throws -> RunResults {
            try decoder.decode(RunResults.self, from: Data(contentsOf: URL(fileURLWithPath: "\(out)/\(name).json")))
        }
        let single = try results("single"), agents = try results("agents"), delayed = try results("delayed")
        let expected = single.jobs.submitted
        #expect(expected > 1500 && single.status == "ok")
        for r in [agents, delayed] {
            #expect(r.status == "ok" && r.jobs.submitted == expected && r.jobs.submitErrors == 0 && r.jobs.droppedArrivals == 0, "\(r.problems) \(r.jobs)")
            #expect(r.latency["submit"]?.count == UInt64(expected))
            let hosts = r.load?.agents?.agents ?? []
            #expect(hosts.count == 3 && hosts.map(\.planned).reduce(0, +) == expected && hosts.allSatisfy { $0.accepted == $0.planned && !$0.lost })
            let skewed = try #require(hosts.first { $0.name == "host2" })
            #expect(abs(skewed.clockOffsetMicros + 200_000) <= skewed.clockUncertaintyMicros + 1_000, "\(skewed)")
        }
        // Same target, same schedule: the merged median is this host's within HDR precision plus the timer jitter the
        // agents measured (their lag p99).
        let merged = Double(agents.latency["submit"]!.p50), alone = Double(single.latency["submit"]!.p50)
        let jitter = Double(agents.load?.lag.p99 ?? 0) + Double(single.load?.lag.p99 ?? 0)
        #expect(abs(merged - alone) <= alone * 0.001 + jitter + 500, "p50 \(merged) µs on three hosts, \(alone) µs alone, jitter \(jitter) µs")
        // The built-in pipeline with one worker of its own cannot keep up (200 ms jobs at 20/s, one at a time): the drain
        // times out. With two more workers on each of the three agent hosts, claiming from the same queue in the control
        // namespace's Redis and exporting to the sink across the bridge, every job is done and every trace complete.
        let oneWorker = try results("workers-alone"), spread = try results("workers")
        #expect(oneWorker.status == "failed" && oneWorker.jobs.pending > 0 && oneWorker.problems.contains { $0.kind == .drainIncomplete }, "\(oneWorker.jobs)")
        #expect(spread.status == "ok" && spread.jobs.completed == spread.jobs.submitted && spread.jobs.submitted == 120, "\(spread.problems) \(spread.jobs)")
        #expect(spread.traces.completeness == 1 && spread.spans.dropped == 0, "\(spread.traces)")
        let workerHosts = spread.load?.agents?.agents ?? []
        #expect(workerHosts.count == 3 && workerHosts.allSatisfy { $0.workers == 2 && !$0.lost && $0.hostname.hasPrefix("agent-host-") }, "\(workerHosts)")
        // The same with every host's workers exporting to a rotel of that host (when rotel is installed): the sidecar
        // topology; each host's collector measured.
        if FileManager.default.fileExists(atPath: "\(out)/sidecars.json") {
            let sidecars = try results("sidecars")
            #expect(sidecars.status == "ok" && sidecars.jobs.completed == 120 && sidecars.traces.completeness == 1, "\(sidecars.problems) \(sidecars.jobs)")
            let hosts = sidecars.load?.agents?.agents ?? []
            #expect(hosts.count == 3 && hosts.allSatisfy { ($0.collectorPeakRSSBytes ?? 0) > 0 && $0.collectorCPUSeconds != nil && $0.workersCPUSeconds != nil },
                    "\(hosts)")
        }
        // 5 ms each way: every submit crosses it twice.
        #expect(Double(delayed.latency["submit"]!.p50) >= alone + 9_000, "\(delayed.latency["submit"]!.p50) µs delayed")
    }

    static func namespaces() async throws -> String {
        try await TestSupport.run("/usr/sbin/ip", ["netns", "list"]).stdout
    }
}
