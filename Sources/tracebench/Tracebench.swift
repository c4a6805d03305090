import ArgumentParser
import Foundation
import TracebenchResults

/// The `tracebench` command line: a thin layer over the library modules.
@main
struct Tracebench: AsyncParsableCommand {
    static func main() async {
        unblockSignals()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch let failure as any HasExitStatus {
            // The one place a verb's outcome becomes the process's exit: its line on stderr, then its status.
            if let line = failure.exitMessage { FileHandle.standardError.write(Data((line + "\n").utf8)) }
            Foundation.exit(failure.exitStatus.rawValue)
        } catch {
            // Misuse of the command line (unknown option, missing argument) is invalid input: exit 2, as for a bad
            // scenario, not ArgumentParser's 64.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(ExitStatus.invalidInput.rawValue)
            }
            exit(withError: error)
        }
    }

    /// A process started by Foundation's Process from a Dispatch thread inherits a mask blocking SIGTERM/SIGINT
    /// (swift-corelibs-foundation#4772); clear it so graceful shutdown and interruption work in every child.
    static func unblockSignals() {
        var all = sigset_t()
        sigfillset(&all)
        pthread_sigmask(SIG_UNBLOCK, &all, nil)
    }

    static let configuration = CommandConfiguration(
        commandName: "tracebench",
        abstract: "Load generator and benchmark harness for distributed tracing of a Redis-backed job queue.",
        subcommands: [Run.self, Gate.self, Compare.self, Noise.self, Report.self, History.self, Capacity.self, SinkSpeedCommand.self, Validate.self, Schema.self, Listen.self, Agent.self, API.self, Worker.self, Spawn.self]
    )
}
