import Foundation
import TracebenchJudge
import TracebenchMeasure
import TracebenchPipeline
import TracebenchResults
import TracebenchScenario

/// What the rig measured around the system: every watched process's resources, memory ceilings, the stall, and the
/// collector's figures (from the system's spans and traces, plus its own counters).
struct RigFigures: Sendable {
    var resources: [String: ProcessUsage] = [:]
    var ceilings: [String: CeilingFigure]?
    var stall: StallFigures?
    var collector: CollectorFigures?
    /// Problems met measuring them (the collector's counters could not be read).
    var problems: [Problem] = []

    /// The rig stage's figures, once the system has run (and finished the rig).
    static func measure(_ services: RunServices, system: SystemFigures) async -> RigFigures {
        let scenario = services.scenario
        var rig = RigFigures()
        rig.resources = services.monitor.usage()
        if !scenario.ceilingsMiB.isEmpty {
            rig.ceilings = CeilingFigure.evaluate(ceilingsMiB: scenario.ceilingsMiB, usage: rig.resources)
        }
        if let window = await services.stall?.value {
            rig.stall = StallFigures(pausedAtS: window.paused, resumedAtS: window.resumed, usage: rig.resources)
        }
        if scenario.collector != nil {
            rig.collector = CollectorFigures(spans: system.spans, traces: system.traces, windowSeconds: system.throughput.windowSeconds,
                                             usage: rig.resources["collector"], visibility: system.latency["visibility"],
                                             bodyBytes: system.sink.bodyBytes, measured: services.sink != nil)
            switch services.collectorMetrics?.result() {
            case .success(let counters): rig.collector?.add(reported: counters)
            case .failure(let problem): rig.problems.append(Problem(.collectorMetrics, problem.description))
            case nil: break
            }
        }
        return rig
    }
}

/// The one place a run's ``RunResults`` are written from what the stages returned: the header from the preparation,
/// the system's figures, the rig's. Problems keep the order they were met in (preparation, system, rig).
enum ResultsAssembler {
    static func assemble(_ prepared: RunPreparation, endpoint: String, system: SystemFigures, rig: RigFigures) -> RunResults {
        let scenario = prepared.scenario
        var results = RunResults()
        results.scenario = ScenarioRecord.applying(scenario.source.overrides, to: ScenarioRecord.document(yaml: scenario.source.text))
        results.scenarioName = scenario.name
        results.scenarioFile = ScenarioRecord.file(path: scenario.source.path, yaml: scenario.source.text)
        // Masked by the initializer: an endpoint with user:pass@ never reaches the results.
        results.tracingEffective = TracingEffective(spec: scenario.tracing, endpoint: endpoint, environmentOverrides: TracingBackend.environmentOverrides())
        if scenario.target?.isLoadOnly == true { results.tracingEffective.mode = TracingEffective.notObserved }
        results.environment = prepared.environment
        results.runID = prepared.runID
        results.startedAt = ResultsFile.timestamp(prepared.startedAt)

        results.jobs = system.jobs
        results.traces = system.traces
        results.sampling = system.sampling
        results.latency = system.latency
        results.throughput = system.throughput
        results.spans = system.spans
        results.sink = system.sink
        results.series = system.series
        results.load = system.load
        results.firehose = system.firehose
        results.overhead = system.overhead
        results.budgets = system.budgets
        results.resourceBlocks = system.resourceBlocks
        results.target = system.target
        results.topology = system.analytics?.topology
        results.criticalPath = system.analytics?.criticalPath
        results.errors = system.analytics?.errors

        results.resources = rig.resources
        results.ceilings = rig.ceilings
        results.stall = rig.stall
        results.collector = rig.collector
        results.problems = prepared.problems + system.problems + rig.problems
        results.finishedAt = ResultsFile.timestamp()
        return results
    }
}

/// The judgement stage: why the run stopped early (if it did), figures a run that delivered nothing cannot have,
/// the status, and the scenario's thresholds.
enum RunJudgement {
    static func judge(_ results: inout RunResults, scenario: Scenario, stop: StopSignal) {
        if let reason = stop.abortReason { results.problems.append(Problem(reason.kind, reason.message)) }
        let interrupted = stop.isRaised && stop.abortReason == nil
        if !interrupted { results.problems += EmptyFigures.problems(in: results) }
        if let overflow = results.sink.overflowProblem { results.problems.append(overflow) }
        results.status = RunStatus.derive(problems: results.problems, interrupted: interrupted)
        if !scenario.thresholds.thresholds.isEmpty {
            results.thresholds = Judge.evaluate(scenario.thresholds, on: results)
        }
    }
}

/// The last stage: the results file, written where the preparation checked it could be, else (the path stopped
/// being writable during the run) in the temporary directory, said so — results are never thrown away.
enum ResultsWriting {
    static func write(_ results: RunResults, to path: String, scenarioName: String, startedAt: Date) throws(RunFailure) -> RunOutcome {
        let exitStatus = ExitStatus.of(results)
        do {
            try ResultsFile.write(results, to: path)
        } catch {
            let fallback = ResultsFile.defaultPath(directory: FileManager.default.temporaryDirectory.path, scenarioName: scenarioName, date: startedAt)
            guard (try? ResultsFile.write(results, to: fallback)) != nil else {
                throw .environment("cannot write results to \(path) (\(error.localizedDescription)) nor to \(fallback)")
            }
            FileHandle.standardError.write(Data("tracebench: cannot write results to \(path) (\(error.localizedDescription)); written to \(fallback) instead\n".utf8))
            return RunOutcome(results: results, path: fallback, exitStatus: exitStatus)
        }
        return RunOutcome(results: results, path: path, exitStatus: exitStatus)
    }
}
