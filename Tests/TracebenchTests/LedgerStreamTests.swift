import Foundation
import Testing
import TracebenchPipeline
import TracebenchRedis
import TracebenchResults
import TracebenchRun

/// The built-in pipeline's ledger read while the run goes on: every finished job's hash taken once and deleted, so
/// Redis holds only the jobs in flight; the figures are those of the whole ledger.
@Suite("ledger stream", .serialized)
struct LedgerStreamTests {
    @Test("a smoke run against a Redis the test owns: every job complete, every trace complete, and no job hash left behind")
    func finishedJobsLeaveRedis() async throws {
        let server = try RedisServer()
        defer { server.stop() }
        let out = TestSupport.temporaryPath(".json")
        defer { try? FileManager.default.removeItem(atPath: out) }
        var options = RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false)
        options.redisURL = server.url.secretURL
        let outcome = try await RunCoordinator.run(scenario: try TestSupport.scenario("smoke"), options: options)
        let r = outcome.results
        #expect(outcome.exitCode == 0 && r.jobs.submitted > 100 && r.jobs.completed == r.jobs.submitted, "\(r.problems) \(r.jobs)")
        #expect(r.traces.completeness == 1 && r.spans.dropped == 0 && (r.latency["end_to_end"]?.count ?? 0) > 0)
        let connection = try RedisConnection(url: server.url)
        let left = try connection.command(["KEYS", "job:*"]).orThrow().array ?? []
        #expect(left.isEmpty, "\(left.count) job hashes left in Redis")
        // The stream holds at most the last entry read (it is trimmed to what was not read yet).
        let stream = JobKeys.finishedStream(runID: r.runID)
        #expect((try connection.command(["XLEN", stream]).orThrow().int ?? 99) <= 1)
    }
}
