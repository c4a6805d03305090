import Foundation
import TracebenchProcess
import TracebenchInput
import TracebenchMeasure
import TracebenchRedis
import TracebenchScenario
import TracebenchSink

#if canImport(Glibc)
import Glibc
#endif

/// A collector under test that tracebench launches: placeholders filled in, started through `tracebench spawn`
/// (so SIGTERM reaches it), waited for until ready, sampled like every pipeline process, stopped at the end.
struct CollectorProcess: Sendable {
    let child: ChildProcess
    /// Where the SDKs export (`http://127.0.0.1:<port>/v1/traces`, or `http://127.0.0.1:<grpc port>` over gRPC,
    /// unless the scenario says otherwise).
    let endpoint: String
    /// Its Prometheus metrics URL, placeholders filled (empty when the scenario names none).
    let metricsURL: String

    /// Where the collector's exporter must point: the embedded sink's OTLP/HTTP base URL and its OTLP/gRPC URL.
    struct SinkAddress: Sendable {
        var url: String
        var grpcURL: String

        /// Starts both of the embedded sink's listeners; a failure stops it and is an environment failure.
        static func start(_ sink: OTLPSink, spec: SinkSpec = SinkSpec()) async throws(RunFailure) -> SinkAddress {
            // Senders on this machine reach a listener on every interface (0.0.0.0) through loopback.
            func reachable(_ host: String) -> String { host == "0.0.0.0" ? "127.0.0.1" : host }
            do {
                let http = try await sink.start()
                let grpc = try await sink.startGRPC(host: spec.grpcHost, port: spec.grpcPort)
                return SinkAddress(url: "http://\(reachable(spec.host)):\(http)", grpcURL: "http://\(reachable(spec.grpcHost)):\(grpc)")
            } catch {
                await sink.stop()
                throw .environment("cannot start the embedded OTLP sink: \(error)")
            }
        }

        /// Where an exporter speaking `wire` sends to this sink.
        func endpoint(_ wire: TracingSpec.WireProtocol) -> String {
            wire == .grpc ? grpcURL : url + "/v1/traces"
        }
    }

    /// The values of the launch placeholders.
    struct Placeholders: Sendable {
        var otlpHTTPPort = FreePort.loopback()
        var otlpGRPCPort = FreePort.loopback()
        var healthPort = FreePort.loopback()
        var sink: SinkAddress
        var configFile = ""
        /// The collector's declared sampling (`collector.sampling`); keep-all values when nil.
        var sampling: CollectorSpec.Sampling?
        /// The absolute directory of the scenario file (`{scenario_dir}`), for files shipped beside it.
        var scenarioDirectory = FileManager.default.currentDirectoryPath

        /// `text` with the collector's placeholders filled in one pass (`TracebenchScenario.Placeholders.fill`, as a target's are).
        func fill(_ text: String) -> String {
            let threshold = sampling?.threshold ?? .keepAll
            var values = [
                "otlp_http_port": String(otlpHTTPPort), "otlp_grpc_port": String(otlpGRPCPort),
                "sink_url": sink.url, "sink_traces_url": sink.url + "/v1/traces", "sink_grpc_url": sink.grpcURL,
                "health_port": String(healthPort), "config_file": configFile,
                "sampling_threshold": threshold.th, "sampling_ratio": String(threshold.probability),
                "sampling_percentage": String(threshold.probability * 100),
                "decision_wait_s": String(Int((sampling?.decisionWaitSeconds ?? 10).rounded(.up))),
                "scenario_dir": scenarioDirectory,
            ]
            if text.contains("{rotel_agent}") { values["rotel_agent"] = CollectorProcess.rotelAgent ?? "rotel-agent" }
            return TracebenchScenario.Placeholders.fill(text, values)
        }
    }

    static func launch(_ spec: CollectorSpec.Launch, sampling: CollectorSpec.Sampling? = nil, scenarioFile: String = "", sink: SinkAddress,
                       protocol wire: TracingSpec.WireProtocol, executablePath: String, workDirectory: String) async throws -> CollectorProcess {
        _ = await OwnThread.run { CollectorProcess.rotelAgent }  // looked up (a Python child) off the cooperative pool, once
        var values = Placeholders(sink: sink, sampling: sampling)
        if !scenarioFile.isEmpty {
            values.scenarioDirectory = URL(fileURLWithPath: scenarioFile).deletingLastPathComponent().standardizedFileURL.path
        }
        if !spec.configTemplate.isEmpty {
            values.configFile = workDirectory + "/collector-config.yaml"
            try render(template: spec.configTemplate, to: values.configFile, values: values)
        }
        let command = spec.command.map(values.fill)
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in spec.env { environment[key] = values.fill(value) }
        let child: ChildProcess
        do {
            child = try ChildProcess(name: "collector", executable: executablePath, arguments: ["spawn", "--"] + command,
                                     logPath: workDirectory + "/collector.log", environment: environment)
        } catch {
            throw RunFailure.environment("cannot start the collector \(command.first ?? ""): \(error)")
        }
        let ready = values.fill(spec.ready.isEmpty ? (wire == .grpc ? "{otlp_grpc_port}" : "{otlp_http_port}") : spec.ready)
        switch await Readiness.wait(for: ready, child: child, timeout: .seconds(30), interval: .milliseconds(50)) {
        case .ready: break
        case .exited(let status):
            throw RunFailure.environment("the collector exited with status \(status) before it was ready\(child.logTail())")
        case .timedOut(let lastProbe):
            _ = await child.stop(timeout: .seconds(5))
            throw RunFailure.environment("the collector was not ready at \(ready) within 30 s (last probe: \(lastProbe))\(child.logTail())")
        }
        let standard = wire == .grpc ? "http://127.0.0.1:{otlp_grpc_port}" : "http://127.0.0.1:{otlp_http_port}/v1/traces"
        let endpoint = values.fill(spec.endpoint.isEmpty ? standard : spec.endpoint)
        return CollectorProcess(child: child, endpoint: endpoint, metricsURL: values.fill(spec.metricsURL))
    }

    /// Writes `template` with its placeholders filled in to `path`.
    static func render(template: String, to path: String, values: Placeholders) throws(RunFailure) {
        let text: String
        do {
            text = try InputFile.readText(template, limit: 4 << 20)
        } catch {
            throw .scenario("cannot read collector.launch.config_template '\(template)': \(error.reason)")
        }
        do {
            try values.fill(text).write(toFile: path, atomically: true, encoding: .utf8)
        } catch {
            throw .environment("cannot write \(path): \(error)")
        }
    }

    /// The `rotel-agent` binary shipped in the `rotel` Python package (`pip install --pre rotel`), if installed;
    /// looked up once per process.
    static let rotelAgent: String? = {
        let script = "import rotel, os; print(os.path.join(os.path.dirname(rotel.__file__), 'rotel-agent'))"
        guard let path = EnvironmentProbe.run("/usr/bin/env", ["python3", "-c", script]),
              FileManager.default.isExecutableFile(atPath: path) else { return nil }
        return path
    }()
}
