import ArgumentParser
import CSystemShims
import Foundation
import TracebenchResults

/// `tracebench spawn -- COMMAND…`: runs COMMAND in place of this process with signals unblocked (children that
/// Foundation starts from a Dispatch thread inherit a mask blocking SIGTERM; the collector must get it).
struct Spawn: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(internal) Exec a command with signals unblocked; used to launch collectors.")

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
    var command: [String]

    func run() throws {
        var words = command.first == "--" ? Array(command.dropFirst()) : command
        // `--group`: the command leads a process group of its own, so that stopping it stops everything it started
        // (a user's system under test is often a script starting several processes).
        if words.first == "--group" {
            words.removeFirst()
            if words.first == "--" { words.removeFirst() }
            _ = setsid()
        }
        guard let program = words.first else { throw ValidationError("spawn needs a command") }
        // The command never outlives the run that started it: SIGTERM when the parent dies (kept across exec); a
        // parent already gone by now is caught by the pid check. The signal follows the parent *thread*, so the
        // coordinator starts this verb through ProcessLauncher, whose thread lives as long as the coordinator.
        let parent = getppid()
        _ = tracebench_set_parent_death_signal(SIGTERM)
        if getppid() != parent || parent == 1 { throw CLIError.failed(.internalError) }
        var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        execvp(program, &argv)
        // 127, the shell's "command not found": this verb stands in for the collector's own process, whose exit the
        // collector's supervisor reads; it is not one of tracebench's statuses.
        FileHandle.standardError.write(Data("tracebench spawn: cannot run \(program): \(String(cString: strerror(errno)))\n".utf8))
        throw ExitCode(127)
    }
}
