import Foundation
import TracebenchAnalysis
import TracebenchMeasure
import TracebenchProcess
import TracebenchRedis
import TracebenchResults
import TracebenchScenario
import TracebenchSink
import TracebenchVocabulary

/// The user's own system (black-box mode, `target:`): tracebench starts it (or finds it running), offers the
/// scenario's arrivals as HTTP requests, waits until its Redis ledger (read-only) says every accepted job is done,
/// reads the ledger, stops the system (its exporters flush), and judges every job's trace at the sink.
struct ExternalTarget: SystemUnderTest {
    let scenario: Scenario
    let target: TargetSpec
    /// Free loopback ports for `{api_port}` and `{redis_port}`, chosen when the system is opened.
    let apiPort: Int
    let redisPort: Int

    /// No span for this long: the system's exporters have passed everything on.
    static let quietWindow: Duration = .milliseconds(1500)

    var wire: TracingSpec.WireProtocol { .httpProtobuf }
    var exportsFromItsOwnSDKs: Bool { true }
    var watchedProcesses: [(name: String, pid: Int32)] { [] }
    func close() async {}

    init(scenario: Scenario, target: TargetSpec) {
        self.scenario = scenario
        self.target = target
        apiPort = FreePort.loopback()
        redisPort = FreePort.loopback()
    }

    /// `text` with the ports, the sink (or the launched collector's OTLP/HTTP receiver) and the scenario directory filled in.
    func fill(_ text: String, endpoint: String, grpc: String = "") -> String {
        Placeholders.fill(text, placeholderValues(endpoint: endpoint, grpc: grpc))
    }

    /// The values of ``Placeholders/system`` for this run.
    func placeholderValues(endpoint: String, grpc: String = "") -> [String: String] {
        let base = endpoint.hasSuffix("/v1/traces") ? String(endpoint.dropLast("/v1/traces".count)) : endpoint
        let directory = URL(fileURLWithPath: scenario.source.path.isEmpty ? "." : scenario.source.path).deletingLastPathComponent().standardizedFileURL.path
        return ["api_port": String(apiPort), "redis_port": String(redisPort), "sink_url": base, "sink_traces_url": endpoint, "sink_zipkin_url": base + "/api/v2/spans",
                "sink_grpc_url": grpc, "scenario_dir": directory, "sink_token": scenario.sink.token]
    }

    func run(in rig: RunServices) async -> SystemFigures {
        var figures = SystemFigures()
        var child: ChildProcess?
        if let launch = target.launch {
            do {
                child = try await start(launch, rig: rig)
            } catch {
                figures.problems.append(Problem(.componentFailed, error.message))
                figures.problems += await rig.finish().problems
                return figures
            }
        }
        var ledger: ReadOnlyLedger?
        if let spec = target.ledger {
            do {
                ledger = try ReadOnlyLedger(url: try RedisURL(parsing: fill(spec.url, endpoint: rig.endpoint)), ledger: spec)
            } catch {
                figures.problems.append(Problem(.componentFailed, "the target's ledger Redis: \(error)"))
                if let child { _ = await child.stopGroup(timeout: .clampedSeconds(target.launch?.stopTimeoutSeconds ?? 30)) }
                figures.problems += await rig.finish().problems
                return figures
            }
        }

        let load = TargetLoad(scenario: scenario, target: target, runID: rig.runID,
                              values: placeholderValues(endpoint: rig.endpoint, grpc: rig.sinkAddress.grpcURL))
        let schedule = ArrivalSchedule(load: scenario.load, durationSeconds: scenario.durationSeconds, seed: scenario.seed)
        var startMicros = WallClock.nowMicros() + 100_000
        // Several hosts (`agents:`): they offer the schedule, this host follows and merges what they report.
        var fleet: AgentFleet?
        if scenario.agents != nil {
            do {
                let started = try AgentFleet(spec: AgentRunSpec(runID: rig.runID, scenario: scenario, values: load.values))
                fleet = started
                startMicros = try await started.start(load: load, schedule: schedule)
            } catch {
                fleet?.close()
                let problem = (error as? RunFailureReason)?.problem ?? Problem(.componentFailed, "the control Redis \(scenario.agents?.control ?? ""): \(error)")
                figures.problems.append(problem)
                if let child { _ = await child.stopGroup(timeout: .clampedSeconds(target.launch?.stopTimeoutSeconds ?? 30)) }
                figures.problems += await rig.finish().problems
                return figures
            }
        }
        let watchers = LoadWatchers.start(scenario: scenario, progress: rig.options.progress, sink: rig.sink, startMicros: startMicros,
                                          stop: rig.stop) { load.live }
        var agentFigures: AgentFigures?
        if let fleet {
            let followed = await fleet.follow(load: load, schedule: schedule, stop: rig.stop)
            fleet.close()
            agentFigures = followed.figures
            figures.problems += followed.problems
        } else {
            await load.run(schedule: schedule, startMicros: startMicros, stop: rig.stop)
        }
        watchers.loadEnded()
        let window = min(scenario.durationSeconds, Double(WallClock.nowMicros() - startMicros) / 1e6)
        let tally = load.snapshot
        if tally.submitErrors > 0 {
            figures.problems.append(Problem(.submitErrors, "\(tally.submitErrors) submissions failed (last: \(tally.lastError))"))
        }
        // The ledger is read before a launched system is stopped: its Redis may go with it. A load-only target has none.
        var entries: [String: ReadOnlyLedger.Entry] = [:]
        if let ledger {
            entries = await drainAndRead(tally.acceptedJobIDs, ledger: ledger, child: child, stop: rig.stop, problems: &figures.problems)
        }
        await watchers.finish()
        if let child, !child.isRunning {
            figures.problems.append(Problem(.componentFailed, "the target exited during the run (status \(child.exitStatus))\(child.logTail())"))
        } else if let child, !(await child.stopGroup(timeout: .clampedSeconds(target.launch?.stopTimeoutSeconds ?? 30))) {
            figures.problems.append(Problem(.componentFailed, "the target did not exit cleanly (status \(child.exitStatus))\(child.logTail())"))
        }
        // Spans still in flight from its exporters (an already-running system is not stopped, so wait for quiet, at most
        // the design document's 10 s visibility promise); a trace still arriving when the wait ends is censored.
        // Every job is done or given up on by now, so every trace's deadline is at most visibility_deadline_s away.
        await rig.sink?.store.waitUntilQuiet(quietFor: Self.quietWindow, atMost: .clampedSeconds(scenario.visibilityDeadlineSeconds))
        let judgedAt = WallClock.nowNanos()
        let stillArrivingAfter = judgedAt - UInt64(Self.quietWindow / .nanoseconds(1))
        // Overhead arms: the system relaunched per arm in alternating blocks, exporting to the live sink; their spans
        // are not the run's and are cut from the snapshot.
        let runSpans = rig.sink?.store.spanCount
        if let overhead = scenario.overhead, !overhead.environments.isEmpty, let launch = target.launch {
            if figures.problems.isEmpty, !rig.stop.isRaised {
                let blocks = await TargetOverhead.runBlocks(overhead, launch: launch, system: self, rig: rig, problems: &figures.problems)
                let analysis = TargetOverhead.analyse(blocks, overhead: overhead, problems: &figures.problems)
                figures.overhead = analysis.overhead
                figures.budgets = analysis.budgets
            } else {
                figures.problems.append(Problem(.notMeasured, "overhead not measured: its blocks run only after a run without problems"))
            }
        }
        var finished = await rig.finish()
        figures.problems += finished.problems
        if let runSpans, let count = finished.snapshot?.spans.count, count > runSpans { finished.snapshot!.spans.removeSubrange(runSpans...) }
        // tracebench's own client spans of the traces it started (sampled ones only, as an SDK would export them):
        // the roots of those traces, known to tracebench — received — the moment their request ended. (Stamped with the
        // time of this line, a starved run's end came past jobs' visibility deadlines and every root was "late": each
        // sampled trace read as orphaned.)
        finished.snapshot?.spans += tally.injected.values.filter(\.sampled).map { trace in
            ReceivedSpan(traceID: trace.traceID, spanID: trace.spanID, parentSpanID: 0, name: "\(target.submit.method) submit", serviceName: "tracebench",
                         startNanos: trace.startNanos, endNanos: trace.endNanos, isError: false, jobID: nil, receivedNanos: trace.endNanos)
        }
        TargetFigureAssembly.fill(&figures, scenario: scenario, target: target, tally: tally, entries: entries,
                                  sink: finished.snapshot, window: window, stillArrivingAfter: stillArrivingAfter, judgedAt: judgedAt)
        figures.load?.agents = agentFigures
        return figures
    }

    /// Launches the system with `launch.env` and then `extraEnvironment` (an overhead arm's) set, and waits until it is
    /// ready; its process group is sampled as `target` unless `watched` is false (an overhead block's launch is not the run's).
    func start(_ launch: TargetSpec.Launch, extraEnvironment: [String: String] = [:], watched: Bool = true,
               rig: RunServices) async throws(ChildProcessError) -> ChildProcess {
        var environment = ProcessInfo.processInfo.environment
        for (key, value) in launch.env.merging(extraEnvironment, uniquingKeysWith: { $1 }) {
            environment[key] = fill(value, endpoint: rig.endpoint, grpc: rig.sinkAddress.grpcURL)
        }
        let command = launch.command.map { fill($0, endpoint: rig.endpoint, grpc: rig.sinkAddress.grpcURL) }
        let child: ChildProcess
        do {
            child = try ChildProcess(name: "target", executable: rig.options.executablePath, arguments: ["spawn", "--group", "--"] + command,
                                     logPath: rig.workDirectory + "/target.log", environment: environment)
        } catch {
            throw ChildProcessError(message: "cannot start the target \(command.first ?? ""): \(error)")
        }
        // Launched as its own process group: its cost is every process in it (interpreters, workers, its own Redis).
        if watched { rig.monitor.watchGroup(name: "target", pgid: child.pid) }
        let ready = fill(launch.ready, endpoint: rig.endpoint, grpc: rig.sinkAddress.grpcURL)
        switch await Readiness.wait(for: ready, child: child, timeout: .seconds(60)) {
        case .ready: break
        case .exited(let status):
            throw ChildProcessError(message: "the target exited with status \(status) before it was ready\(child.logTail())")
        case .timedOut(let lastProbe):
            _ = await child.stopGroup(timeout: .seconds(5))
            throw ChildProcessError(message: "the target was not ready at \(ready) within 60 s (last probe: \(lastProbe))\(child.logTail())")
        }
        return child
    }

    /// Waits until the ledger says every accepted job is done (or the drain timeout, or a stop), then reads every
    /// job's hash.
    private func drainAndRead(_ jobs: [String], ledger: ReadOnlyLedger, child: ChildProcess?, stop: StopSignal,
                              problems: inout [Problem]) async -> [String: ReadOnlyLedger.Entry] {
        let deadline = ContinuousClock.now + .clampedSeconds(scenario.drainTimeoutSeconds)
        var pending = Set(jobs)
        var seenDone: [String: UInt64] = [:]
        do {
            while !pending.isEmpty, !stop.isRaised {
                let polled = WallClock.nowNanos()
                // One pipelined pass over the jobs not done yet, on a thread of its own (hiredis blocks).
                let polling = Array(pending)
                let statuses = try await OwnThread.run(throwing: { () throws(RedisError) -> [String?] in try ledger.statuses(polling) })
                for (job, status) in zip(polling, statuses) where ledger.ledger.done.contains(status ?? "") {
                    pending.remove(job)
                    seenDone[job] = polled
                }
                if pending.isEmpty { break }
                if let child, !child.isRunning { break }
                if ContinuousClock.now >= deadline {
                    problems.append(Problem(.drainIncomplete, "drain timeout: \(pending.count) jobs still not done in the ledger after \(scenario.drainTimeoutSeconds) s"))
                    break
                }
                try? await Task.sleep(for: .milliseconds(200))
            }
            let read = try await OwnThread.run(throwing: { () throws(RedisError) -> [ReadOnlyLedger.Entry] in try ledger.entries(jobs) })
            var entries: [String: ReadOnlyLedger.Entry] = [:]
            for (job, entry) in zip(jobs, read) {
                entries[job] = entry
                entries[job]?.seenDoneNanos = seenDone[job]
            }
            return entries
        } catch {
            problems.append(Problem(.ledgerUnreadable, "cannot read the target's ledger: \(error); job outcomes are not measured"))
            return [:]
        }
    }
}
