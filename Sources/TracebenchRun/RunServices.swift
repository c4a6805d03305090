import AsyncHTTPClient
import Foundation
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// The rig around a system under test, once set up: the sink, the collector under test, the resource monitor, the
/// HTTP client, the collector's counters and the stall fault. ``start(_:workDirectory:options:stop:)`` is the rig stage
/// of a run; the system hands the rig back with ``finish(expectedSpans:)``.
struct RunServices: Sendable {
    let scenario: Scenario
    let runID: String
    /// Where the system's spans are sent: the launched collector's receiver, else the prepared endpoint.
    let endpoint: String
    let workDirectory: String
    let options: RunOptions
    let sink: OTLPSink?
    /// The embedded sink's addresses (empty when there is no sink).
    let sinkAddress: CollectorProcess.SinkAddress
    let collector: CollectorProcess?
    /// The collector's own counters (`metrics_url`), read before the load and after the drain.
    let collectorMetrics: CollectorMetrics?
    let monitor: ResourceMonitor
    let httpClient: HTTPClient
    let stop: StopSignal
    /// The collector stall, when the scenario asks for one.
    let stall: Task<Stall.Window?, Never>?

    /// Sets up the rig: the resource monitor (the coordinator, the system's own processes, the collector), the
    /// collector under test (SDK or firehose → collector → sink), the HTTP client, the collector's counters before the
    /// load and the stall timer. A collector that cannot start stops the sink and fails the run before any load.
    static func start(_ prepared: RunPreparation, workDirectory: String, options: RunOptions, stop: StopSignal) async throws(RunFailure) -> RunServices {
        let scenario = prepared.scenario
        let monitor = ResourceMonitor()
        monitor.watchFromNow(name: "coordinator", pid: getpid())
        for process in prepared.system.watchedProcesses { monitor.watch(name: process.name, pid: process.pid) }

        var endpoint = prepared.endpoint
        var collector: CollectorProcess?
        if let launch = scenario.collector?.launch {
            do {
                let launched = try await CollectorProcess.launch(launch, sampling: scenario.collector?.sampling, scenarioFile: scenario.source.path,
                                                                 sink: prepared.sinkAddress, protocol: prepared.system.wire,
                                                                 executablePath: options.executablePath, workDirectory: workDirectory)
                collector = launched
                endpoint = launched.endpoint
                monitor.watch(name: "collector", pid: launched.child.pid)
            } catch {
                await prepared.sink?.stop()
                throw error as? RunFailure ?? .environment("\(error)")
            }
        } else if let pid = scenario.collector?.attach?.pid, pid > 0 {
            monitor.watch(name: "collector", pid: Int32(pid))
        }
        monitor.start()
        let httpClient = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: max(8, min(scenario.load.maxInFlight, 512)))
        ))
        let metricsURL = collector?.metricsURL ?? scenario.collector?.attach?.metricsURL ?? ""
        let collectorMetrics = metricsURL.isEmpty ? nil : CollectorMetrics(url: metricsURL, client: httpClient)
        await collectorMetrics?.scrapeBefore()
        let stall = collector.flatMap { Stall.schedule(faults: scenario.faults, collector: $0, monitor: monitor) }
        return RunServices(scenario: scenario, runID: prepared.runID, endpoint: endpoint, workDirectory: workDirectory, options: options,
                           sink: prepared.sink, sinkAddress: prepared.sinkAddress, collector: collector, collectorMetrics: collectorMetrics, monitor: monitor,
                           httpClient: httpClient, stop: stop, stall: stall)
    }

    /// After the senders stopped: lets a launched collector pass everything on (at least `expectedSpans` of it, when
    /// the ledger says how many must come), stops it, stops sampling, the sink and the HTTP client; returns what the
    /// sink received and the problems met (a collector that died or did not exit cleanly).
    func finish(expectedSpans: Int = 0) async -> (snapshot: TraceStore.Snapshot?, problems: [Problem]) {
        var problems: [Problem] = []
        if let stall {
            if stop.isRaised { stall.cancel() }
            _ = await stall.value  // the collector runs again before it is asked to pass everything on
        }
        if collector != nil, let sink {
            await sink.store.waitUntilQuiet(quietFor: .milliseconds(1500), atMost: .seconds(20), atLeast: expectedSpans)
        }
        await collectorMetrics?.scrapeAfterDrain()
        if let collector {
            monitor.sampleNow()
            if !collector.child.isRunning {
                problems.append(Problem(.collectorFailed, "the collector died during the run (exit status \(collector.child.exitStatus)), before tracebench stopped it\(collector.child.logTail())"))
            } else if !(await collector.child.stop(timeout: .seconds(10))) {
                problems.append(Problem(.collectorFailed, "the collector did not exit cleanly (status \(collector.child.exitStatus))\(collector.child.logTail())"))
            }
        }
        try? await Task.sleep(for: .milliseconds(200))
        monitor.stop()
        let snapshot = sink?.store.snapshot()
        await sink?.stop()
        try? await httpClient.shutdown()
        return (snapshot, problems)
    }
}
