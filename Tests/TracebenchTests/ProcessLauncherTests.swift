import Foundation
import Testing
import TracebenchRedis

#if canImport(Glibc)
import Glibc
#endif

/// Children that `tracebench spawn` starts (redis-server, collectors) carry a parent-death signal, which Linux sends
/// when the parent *thread* exits. Started from a short-lived thread, they died mid-run; the launcher keeps them.
@Suite("Process launcher") struct ProcessLauncherTests {
    /// Starts `tracebench spawn -- sleep 30` from a thread that exits at once, through `launch`; returns the pid.
    private func spawnFromAShortLivedThread(_ launch: @escaping @Sendable (Process) throws -> Void) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.tracebenchBinary)
        process.arguments = ["spawn", "--", "sleep", "30"]
        let started = DispatchSemaphore(value: 0)
        let thread = Thread {
            try? launch(process)
            started.signal()
            usleep(500_000)  // long enough for the child to set its parent-death signal, then the thread exits
        }
        thread.start()
        started.wait()
        // Past the thread's exit: time for the kernel to deliver a parent-death signal if one is due.
        try await Task.sleep(for: .milliseconds(1500))
        return process.processIdentifier
    }

    @Test func aSpawnedChildOutlivesTheThreadThatAskedForIt() async throws {
        let pid = try await spawnFromAShortLivedThread { try ProcessLauncher.run($0) }
        defer { kill(pid, SIGKILL) }
        #expect(pid > 0 && CLITests.isAlive(pid), "the child died with the thread that asked for it")
    }

    /// The control: the same child started directly from the short-lived thread is killed when it exits, so the test
    /// above would catch the launcher losing its long-lived thread.
    @Test func withoutTheLauncherTheChildDiesWithItsThread() async throws {
        let pid = try await spawnFromAShortLivedThread { try $0.run() }
        defer { kill(pid, SIGKILL) }
        #expect(pid > 0 && !CLITests.isAlive(pid))
    }
}
