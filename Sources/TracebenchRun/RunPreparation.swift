import Foundation
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// The first stage of a run: where the results go (checked before anything starts, so a run is never thrown away at
/// the end), the system under test opened, the sink started (unless the spans go elsewhere), and what is known
/// about the run before it starts — its identity and the problems already certain.
struct RunPreparation: Sendable {
    let scenario: Scenario
    let runID: String
    let startedAt: Date
    /// The results file's path.
    let path: String
    let system: any SystemUnderTest
    /// The embedded receiver (OTLP/HTTP and OTLP/gRPC), unless the scenario exports elsewhere (an attached
    /// collector, an endpoint).
    let sink: OTLPSink?
    let sinkAddress: CollectorProcess.SinkAddress
    /// Where spans are sent before a launched collector takes over (the sink, an attached collector, an endpoint).
    let endpoint: String
    let environment: EnvironmentInfo
    /// Problems certain before the run: trace figures not measured, an endpoint that accepts nothing.
    let problems: [Problem]

    static func prepare(scenario: Scenario, options: RunOptions) async throws(RunFailure) -> RunPreparation {
        let runID = String(UInt64.random(in: 0...UInt64.max) & 0xFFFF_FFFF_FFFF, radix: 16)
        let startedAt = Date()
        let path = options.outputPath ?? ResultsFile.defaultPath(directory: options.resultsDirectory, scenarioName: scenario.name, date: startedAt)
        if let reason = ResultsFile.unwritableReason(path) { throw .scenario("cannot write results to \(path): \(reason)") }
        let system = try await SystemsUnderTest.open(scenario, options: options)

        let sink: OTLPSink?
        let endpoint: String
        var sinkAddress = CollectorProcess.SinkAddress(url: "", grpcURL: "")
        if let attach = scenario.collector?.attach {
            sink = nil
            endpoint = attach.endpoint
        } else if scenario.tracing.endpoint.isEmpty || scenario.collector?.launch != nil {
            // A collector frozen mid-request (the stall fault) must not have its body cut as a stalled client.
            let embedded = OTLPSink(host: scenario.sink.host, port: scenario.sink.port,
                                    bodyReadTimeout: .clampedSeconds(max(10, scenario.faults.collectorPauseSeconds + 10)), token: scenario.sink.token,
                                    maxSpans: scenario.sink.maxSpans)
            do {
                sinkAddress = try await CollectorProcess.SinkAddress.start(embedded, spec: scenario.sink)
            } catch {
                await system.close()
                throw error
            }
            endpoint = sinkAddress.endpoint(system.wire)
            sink = embedded
        } else {
            sink = nil
            endpoint = scenario.tracing.endpoint
        }

        var problems: [Problem] = []
        if sink == nil {
            let shown = Redaction.maskingURLCredentials(endpoint)
            problems.append(Problem(.traceFiguresNotMeasured, "spans are exported to \(shown), not to tracebench's sink: trace figures were not measured"))
            if scenario.collector?.attach == nil || system.exportsFromItsOwnSDKs, !(await EndpointProbe.accepts(endpoint)) {
                problems.append(Problem(.endpointUnreachable, "the OTLP endpoint \(shown) did not accept a connection before the run: the SDKs export into nothing"))
            }
        }
        let environment = await EnvironmentProbe.current()
        return RunPreparation(scenario: scenario, runID: runID, startedAt: startedAt, path: path, system: system, sink: sink,
                              sinkAddress: sinkAddress, endpoint: endpoint, environment: environment, problems: problems)
    }
}
