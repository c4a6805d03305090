import ArgumentParser
import Foundation
import TracebenchRedis
import TracebenchRun

/// `tracebench agent`: one host's load generator in multi-host runs (a scenario's `agents:` section).
struct Agent: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Offer shares of multi-host runs: wait on a control Redis for runs whose scenario has agents:, take one share each.",
        discussion: """
        Run one on every load host, all naming the same control Redis as the scenario's agents.control; then \
        tracebench run on the coordinator's host. Each run: the agent claims a share, measures its clock offset to the \
        control Redis, arms, starts at the coordinator's t0, offers its share of the one schedule, reports every \
        interval, and waits for the next run. Exit 0 (--once or --idle-s ended it); 3 the control Redis is unreachable; \
        4 a run's coordinator was lost mid-run (the agent stopped offering); 130 interrupted.
        """
    )

    @Option(help: "redis://[:password@]host[:port][/db] of the control Redis (the scenario's agents.control).")
    var control: String

    @Option(help: "This agent's name in the results (default: host name and pid); unique among a run's agents.")
    var name: String?

    @Flag(help: "Take part in one run, then exit.")
    var once = false

    @Option(name: .customLong("idle-s"), help: "Exit after this many seconds without a run to join (default: wait for ever).")
    var idleSeconds: Double?

    @Option(name: .customLong("clock-skew-us"), help: .hidden)
    var clockSkewMicros: Int64 = 0

    @Option(name: .customLong("hold-start-us"), help: .hidden)
    var holdStartMicros: Int64 = 0

    func run() async throws {
        let url: RedisURL
        do { url = try RedisURL(parsing: control) } catch { throw CLIError.usage("--control: \(error)") }
        if let idleSeconds, !(idleSeconds > 0) { throw CLIError.usage("--idle-s must be positive, got \(idleSeconds)") }
        let name = name ?? "\(ProcessInfo.processInfo.hostName)-\(ProcessInfo.processInfo.processIdentifier)"
        guard !name.isEmpty, !name.contains(" ") else { throw CLIError.usage("--name must be non-empty without spaces, got '\(name)'") }
        var options = AgentSession.Options(control: url, name: name)
        options.once = once
        options.idleSeconds = idleSeconds
        options.clockSkewMicros = clockSkewMicros
        options.holdStartMicros = max(0, holdStartMicros)
        options.executablePath = Run.executablePath()
        options.log = { FileHandle.standardError.write(Data("agent \(name): \($0)\n".utf8)) }
        options.log("waiting for runs on \(url.redacted)")
        switch await AgentSession.serve(options, handleSignals: true) {
        case .finished: return
        case let .coordinatorLost(run): throw CLIError.failed(.componentFailed, "tracebench agent: run \(run)'s coordinator was lost; stopped offering")
        case .interrupted: throw CLIError.failed(.interrupted, "tracebench agent: interrupted")
        case let .controlFailed(message): throw CLIError.environment(message)
        }
    }
}
