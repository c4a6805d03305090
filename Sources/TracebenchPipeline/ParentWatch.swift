import Foundation
import ServiceLifecycle

#if canImport(Glibc)
import Glibc
#endif

/// Ends a pipeline process when the coordinator that started it is gone (crashed, killed with SIGKILL): the
/// process is reparented, `getppid()` changes, and the process exits at once — there is nothing to flush to, the
/// sink lived in the coordinator. The API first removes the run's work directory, which the coordinator can no
/// longer remove. Polling `getppid()` rather than PR_SET_PDEATHSIG: that signal fires when the parent *thread*
/// exits, and polling needs no care about which thread started the process.
struct ParentWatch: Service {
    let parent = getppid()
    /// Removed when the parent is gone (the API's, holding the child configuration); nil for workers.
    let workDirectory: String?

    func run() async throws {
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if getppid() != parent {
                if let workDirectory { try? FileManager.default.removeItem(atPath: workDirectory) }
                exit(3)
            }
            try? await Task.sleep(for: .milliseconds(250))
        }
    }
}
