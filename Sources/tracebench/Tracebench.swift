import ArgumentParser
import CSystemShims
import Foundation
import TracebenchPipeline
import TracebenchResults
import TracebenchRun
import TracebenchScenario

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
        } catch let error as CLIError {
            FileHandle.standardError.write(Data("tracebench: \(error.description)\n".utf8))
            Foundation.exit(error.exitCode)
        } catch {
            // Misuse of the command line (unknown option, missing argument) is invalid input: exit 2, as for a bad
            // scenario, not ArgumentParser's 64.
            if exitCode(for: error) == .validationFailure {
                FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
                Foundation.exit(TracebenchRun.ExitCode.invalidInput)
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
        subcommands: [Run.self, Gate.self, Compare.self, Noise.self, Report.self, History.self, Capacity.self, SinkSpeedCommand.self, Validate.self, API.self, Worker.self, Spawn.self]
    )
}

/// `tracebench run SCENARIO`: the whole traced pipeline, measured.
struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a scenario: drive jobs through the traced pipeline and write a results file.",
        discussion: """
        Exit codes: 0 ok, 2 invalid scenario or arguments, 3 missing/unreachable dependency (redis-server, Redis), \
        4 a component failed during the run (results written, status "failed"), 99 a threshold failed (results \
        written), 130 interrupted (results written, status "interrupted").
        """
    )

    @Argument(help: "Scenario file (YAML), e.g. scenarios/peak.yaml.")
    var scenario: String

    @Option(help: "Redis to use, redis://[:password@]host:port[/db] (default: $REDIS_URL, else the scenario's redis.url, else a private redis-server).")
    var redis: String?

    @Option(help: "Write the results to this file instead of results/<scenario>-<UTC time>.json.")
    var out: String?

    @Option(help: "Directory for results files.")
    var resultsDir = "results"

    @Flag(help: "No live progress line.")
    var quiet = false

    func run() async throws {
        let loaded = try loadScenario(scenario)
        var options = RunOptions(
            redisURL: redis ?? ProcessInfo.processInfo.environment["REDIS_URL"].flatMap { $0.isEmpty ? nil : $0 },
            resultsDirectory: resultsDir, outputPath: out, executablePath: Self.executablePath(), progress: !quiet
        )
        options.handleSignals = true
        do {
            let outcome = try await RunCoordinator.run(scenario: loaded, options: options)
            print(Summary.text(outcome.results, path: outcome.path))
            if outcome.exitCode != 0 { throw ExitCode(outcome.exitCode) }
        } catch let failure as RunFailure {
            FileHandle.standardError.write(Data("tracebench: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }

    /// This very binary, started again for the API and worker processes.
    static func executablePath() -> String {
        (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
    }
}

/// `tracebench validate SCENARIO…`: check scenario files without running anything.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check scenario files; print every problem with file, line and key path.")

    @Argument(help: "Scenario files.")
    var scenarios: [String]

    func run() throws {
        var failed = false
        for path in scenarios {
            do {
                let scenario = try ScenarioLoader.load(path: path)
                print("\(path): ok (\(scenario.name), \(scenario.jobs.count) job types, \(scenario.durationSeconds) s)")
            } catch {
                FileHandle.standardError.write(Data("\(error.description)\n".utf8))
                failed = true
            }
        }
        if failed { throw ExitCode(TracebenchRun.ExitCode.invalidInput) }
    }
}

/// `tracebench api`: the pipeline's API process (started by `run`).
struct API: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(internal) The job API process; started by `tracebench run`.")

    @Option(help: "Child configuration file written by `tracebench run`.")
    var config: String

    func run() async throws {
        try await PipelineProcess.runAPI(configuration: try ChildConfiguration.read(from: config))
    }
}

/// `tracebench worker`: one of the pipeline's worker processes (started by `run`).
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(internal) A worker process; started by `tracebench run`.")

    @Option(help: "Child configuration file written by `tracebench run`.")
    var config: String

    @Option(help: "Worker number (worker.id = worker-<index>).")
    var index = 0

    func run() async throws {
        try await PipelineProcess.runWorker(configuration: try ChildConfiguration.read(from: config), index: index)
    }
}

/// `tracebench spawn -- COMMAND…`: runs COMMAND in place of this process with signals unblocked (children that
/// Foundation starts from a Dispatch thread inherit a mask blocking SIGTERM; the collector must get it).
struct Spawn: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(internal) Exec a command with signals unblocked; used to launch collectors.")

    @Argument(parsing: .captureForPassthrough, help: "The command and its arguments.")
    var command: [String]

    func run() throws {
        let words = command.first == "--" ? Array(command.dropFirst()) : command
        guard let program = words.first else { throw ValidationError("spawn needs a command") }
        // The command never outlives the run that started it: SIGTERM when the parent dies (kept across exec); a
        // parent already gone by now is caught by the pid check. The signal follows the parent *thread*, so the
        // coordinator starts this verb through ProcessLauncher, whose thread lives as long as the coordinator.
        let parent = getppid()
        _ = tracebench_set_parent_death_signal(SIGTERM)
        if getppid() != parent || parent == 1 { throw ExitCode(1) }
        var argv: [UnsafeMutablePointer<CChar>?] = words.map { strdup($0) } + [nil]
        execvp(program, &argv)
        FileHandle.standardError.write(Data("tracebench spawn: cannot run \(program): \(String(cString: strerror(errno)))\n".utf8))
        throw ExitCode(127)
    }
}

/// `tracebench capacity SCENARIO`: step the firehose rate up until the collector breaks; report the knee and a plan.
struct Capacity: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Step a firehose up through the collector until a limit breaks; report the knee and a capacity plan.",
        discussion: "Writes one results file per step and a summary (results/<name>-capacity-<UTC time>.json). Exit codes as for run."
    )

    @Argument(help: "Scenario file with a collector, a firehose section and a capacity section.")
    var scenario: String

    @Option(help: "Directory for results files.")
    var resultsDir = "results"

    func run() async throws {
        let loaded = try loadScenario(scenario)
        var options = RunOptions(resultsDirectory: resultsDir, executablePath: Run.executablePath(), progress: false)
        options.handleSignals = true
        do {
            let (summary, path) = try await CapacitySweep.run(scenario: loaded, options: options) { print($0) }
            if summary.mode == "jobs" {
                if let knee = summary.kneeJobsPerMinute {
                    print(String(format: "knee: %@%.0f jobs/min (%.0f traces/min) — %d worker(s) for %.0f jobs/min, %.1f MB/day of traces; summary in %@",
                                 summary.limitedBy == "pipeline" ? "" : "at least ", knee, summary.kneeTracesPerMinute ?? 0, summary.workersNeeded ?? 0,
                                 summary.targetJobsPerMinute ?? 0, (summary.storageBytesPerDay ?? 0) / 1e6, path))
                    if summary.limitedBy == "sender" { print("the pipeline kept up; the load generator on this machine could not offer more: the knee is a lower bound") }
                    if summary.limitedBy == "max_steps" { print("every step passed: raise capacity.max_steps to find the knee") }
                } else {
                    print("no step passed; summary in \(path)")
                }
                if summary.interrupted { throw ExitCode(TracebenchRun.ExitCode.interrupted) }
                return
            }
            if let knee = summary.kneeSpansPerSecond, let traces = summary.kneeTracesPerMinute {
                print(String(format: "knee: %@%.0f spans/s (%.0f traces/min) — %d collector(s) for %.0f traces/min, %.1f MB/day of traces; summary in %@",
                             summary.limitedBy == "collector" ? "" : "at least ", knee, traces, summary.collectorsNeeded ?? 0, summary.targetTracesPerMinute,
                             (summary.storageBytesPerDay ?? 0) / 1e6, path))
                switch summary.limitedBy {
                case "max_steps": print("every step passed: no limit broke within capacity.max_steps; raise it to find the knee")
                case "sender": print("the collector kept up; the sender on this machine could not offer more: the knee is a lower bound")
                default: break
                }
            } else {
                print("no step passed; summary in \(path)")
            }
            if summary.interrupted { throw ExitCode(TracebenchRun.ExitCode.interrupted) }
        } catch let failure as RunFailure {
            FileHandle.standardError.write(Data("tracebench: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }
}

/// `tracebench sink-speed SCENARIO`: the embedded sink against a blackhole collector, same stream, same sender.
struct SinkSpeedCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink-speed",
        abstract: "Send the same pre-encoded OTLP stream, closed loop, to the embedded sink and to a blackhole collector; print the ratio.",
        discussion: "Writes results/<name>-sink-speed-<UTC time>.json. Exit codes as for run; 4 when a request failed or the sink lost a span."
    )

    @Argument(help: "Scenario file with a firehose section and a collector.launch (e.g. scenarios/sink-speed.yaml).")
    var scenario: String

    @Option(help: "Pairs of rounds (sink then collector, then the reverse, …).")
    var rounds = 3

    @Option(help: "Write the summary to this file.")
    var out: String?

    @Option(help: "Directory for results files.")
    var resultsDir = "results"

    func run() async throws {
        let loaded = try loadScenario(scenario)
        var options = RunOptions(resultsDirectory: resultsDir, outputPath: out, executablePath: Run.executablePath(), progress: false)
        options.handleSignals = true
        do {
            let (summary, path) = try await SinkSpeed.run(scenario: loaded, options: options, rounds: rounds) { print($0) }
            print(String(format: "sink %.0f spans/s, collector %.0f spans/s (medians): ratio %.2f; summary in %@",
                         summary.sinkSpansPerSecond, summary.collectorSpansPerSecond, summary.ratio, path))
            summary.problems.forEach { print("problem: [\($0.kind)] \($0.message)") }
            if summary.interrupted { throw ExitCode(TracebenchRun.ExitCode.interrupted) }
            if !summary.problems.isEmpty { throw ExitCode(TracebenchRun.ExitCode.componentFailed) }
        } catch let failure as RunFailure {
            FileHandle.standardError.write(Data("tracebench: \(failure.description)\n".utf8))
            throw ExitCode(failure.exitCode)
        }
    }
}

/// Loads and validates a scenario, or prints every problem and exits 2.
func loadScenario(_ path: String) throws -> Scenario {
    do {
        return try ScenarioLoader.load(path: path)
    } catch {
        FileHandle.standardError.write(Data("\(error.description)\n".utf8))
        throw ExitCode(TracebenchRun.ExitCode.invalidInput)
    }
}
