import ArgumentParser
import Foundation
import TracebenchReport
import TracebenchResults
import TracebenchRun
import TracebenchScenario

/// `tracebench listen`: the sink alone, no load; what arrives is judged on its structure.
struct Listen: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Listen for OTLP spans with no load and judge their structure (traces, roots, orphans, duplicates, depth, visibility).",
        discussion: """
        Prints the OTEL_* lines to export to it, listens for --for seconds (or until SIGINT), writes a results file of \
        kind listen that gate, report and compare read. With --expect FILE, every trace that arrived is judged complete \
        or not against what it must hold. A token, when wanted, comes from $TRACEBENCH_SINK_TOKEN (never \
        from the command line). Exit 0; 2 bad arguments; 4 nothing arrived; 130 interrupted (results written).
        """
    )

    @Option(name: .customLong("for"), help: "How long to listen, in seconds (e.g. 60, 1.5).")
    var seconds = 60.0

    @Option(help: "host:port of the OTLP/HTTP listener.")
    var listen = "127.0.0.1:4318"

    @Option(help: "host:port of the OTLP/gRPC listener.")
    var grpcListen = "127.0.0.1:4317"

    @Flag(help: "Let a non-loopback listener run without $TRACEBENCH_SINK_TOKEN.")
    var allowUnauthenticated = false

    @Option(help: "Write the results to this file instead of results/listen-<UTC time>.json.")
    var out: String?

    @Option(help: "Directory for results files.")
    var resultsDir = "results"

    @Option(help: "A YAML file with expect: (as a scenario's target.expect): what a complete trace holds; then completeness is measured.")
    var expect: String?

    func run() async throws {
        guard seconds > 0, seconds <= 86_400 else { throw CLIError.usage("--for must be between 0 and 86400 seconds, got \(seconds)") }
        var sink = SinkSpec()
        guard let http = SinkSpec.hostPort(listen) else { throw CLIError.usage("--listen: expected host:port with an IPv4 address, got '\(listen)'") }
        guard let grpc = SinkSpec.hostPort(grpcListen) else { throw CLIError.usage("--grpc-listen: expected host:port with an IPv4 address, got '\(grpcListen)'") }
        (sink.host, sink.port, sink.grpcHost, sink.grpcPort) = (http.host, http.port, grpc.host, grpc.port)
        sink.token = ProcessInfo.processInfo.environment["TRACEBENCH_SINK_TOKEN"] ?? ""
        if sink.token.isEmpty, !allowUnauthenticated, !SinkSpec.isLoopback(sink.host) || !SinkSpec.isLoopback(sink.grpcHost) {
            throw CLIError.usage("a listener other machines can reach needs $TRACEBENCH_SINK_TOKEN or --allow-unauthenticated")
        }
        var options = ListenSession.Options(seconds: seconds, sink: sink, outputPath: out)
        if let expect {
            do { options.expect = try ScenarioLoader.loadExpectations(path: expect) } catch { throw CLIError.failed(.invalidInput, error.description) }
        }
        options.resultsDirectory = resultsDir
        options.handleSignals = true
        options.announce = { FileHandle.standardError.write(Data("\($0)\n".utf8)) }
        let outcome = try await ListenSession.run(options)
        print(Summary.text(outcome.results, path: outcome.path))
        if outcome.exitStatus != .ok { throw CLIError.failed(outcome.exitStatus) }
    }
}
