import Foundation
import Testing
import TracebenchProcess
import TracebenchRedis

#if canImport(Glibc)
import Glibc
#endif

/// Children that `tracebench spawn` starts (redis-server, collectors) carry a parent-death signal, which Linux sends
/// when the parent *thread* exits. Started from a short-lived thread, they died mid-run; the launcher keeps them.
@Suite("Process launcher") struct ProcessLauncherTests {
    /// Starts `tracebench spawn -- sleep 600` from a thread that exits once the child runs, through `launch`; returns
    /// the pid. (The sleep outlasts any loaded machine's delays; the caller kills the child.)
    private func spawnFromAShortLivedThread(_ launch: @escaping @Sendable (Process) throws -> Void) async throws -> Int32 {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: TestSupport.tracebenchBinary)
        process.arguments = ["spawn", "--", "sleep", "600"]
        // Waited for without blocking a Swift concurrency thread (the suite's other tests need them).
        await withCheckedContinuation { (started: CheckedContinuation<Void, Never>) in
            let thread = Thread {
                try? launch(process)
                // Exit only once the child has exec'd `sleep`: `spawn` sets its parent-death signal before the exec.
                let comm = "/proc/\(process.processIdentifier)/comm"
                var polls = 0
                while polls < 6000, (try? String(contentsOfFile: comm, encoding: .utf8)) != "sleep\n" {
                    usleep(10_000)
                    polls += 1
                }
                started.resume()
            }
            thread.start()
        }
        // The thread is exiting: time for the kernel to deliver a parent-death signal if one is due.
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
