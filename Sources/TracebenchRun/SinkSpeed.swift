import AsyncHTTPClient
import Foundation
import TracebenchJudge
import TracebenchResults
import TracebenchScenario
import TracebenchSink

/// `tracebench sink-speed`: is the embedded sink ever the bottleneck of a measurement? The same pre-encoded OTLP
/// stream (the firehose's batches, encoded once before timing) is sent by the same closed-loop sender — each of
/// `firehose.concurrency` lanes sends its next request as soon as the last one is answered — to the embedded
/// sink and to the scenario's launched collector (rotel with `--exporter blackhole`), in alternating rounds
/// (sink, collector, collector, sink, …) of `duration_s` each after a 1 s warm-up. Reports acknowledged spans/s
/// per target (median over rounds) and the ratio sink ÷ collector; the sink's rounds also check that every
/// acknowledged span was stored.
public enum SinkSpeed {
    public typealias Round = SinkSpeedSummary.Round
    public typealias Summary = SinkSpeedSummary

    /// Distinct pre-encoded requests cycled through (enough that no two lanes send the same bytes in step).
    static let distinctBodies = 64

    public static func run(scenario: Scenario, options: RunOptions, rounds: Int, log: @Sendable (String) -> Void) async throws(RunFailure) -> (Summary, String) {
        guard let launch = scenario.collector?.launch else {
            throw .scenario("sink-speed needs collector.launch (e.g. rotel with --exporter blackhole) to compare the sink against")
        }
        let path = options.outputPath ?? ResultsFile.defaultPath(directory: options.resultsDirectory, scenarioName: "\(scenario.name)-sink-speed")
        if let reason = ResultsFile.unwritableReason(path) { throw .scenario("cannot write results to \(path): \(reason)") }
        let spec = scenario.firehose
        let batches = SpanBatches(spec: spec, seed: scenario.seed)
        let bodies = (0..<distinctBodies).map { batches.batch($0) }
        var summary = Summary(scenario: scenario.name, protocol: spec.protocol.rawValue, batchSpans: spec.batchSpans,
                              concurrency: spec.concurrency, requestBytes: bodies.reduce(0) { $0 + $1.count } / bodies.count)
        summary.scenarioFile = ScenarioRecord.file(path: scenario.source.path, yaml: scenario.source.text)
        summary.environment = await EnvironmentProbe.current()
        let stop = StopSignal()
        if options.handleSignals { stop.listenForSignals() }
        defer { stop.stopListening() }
        let workDirectory = FileManager.default.temporaryDirectory.appendingPathComponent("tracebench-sink-speed-\(getpid())").path
        try? FileManager.default.createDirectory(atPath: workDirectory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: workDirectory) }

        // ABBA…: each target goes first as often as second, so warming and drift hit both alike.
        let order = (0..<max(1, rounds)).flatMap { $0 % 2 == 0 ? [true, false] : [false, true] }
        for toSink in order where !stop.isRaised {
            let round: Round
            if toSink {
                round = try await sinkRound(bodies: bodies, spec: spec, seconds: scenario.durationSeconds, stop: stop, summary: &summary)
            } else {
                round = try await collectorRound(launch, bodies: bodies, spec: spec, seconds: scenario.durationSeconds, stop: stop,
                                                 executablePath: options.executablePath, workDirectory: workDirectory)
            }
            summary.rounds.append(round)
            log(String(format: "%-9@ %.0f spans/s (%d requests, %d failed, %.1f s)", round.target, round.spansPerSecond,
                       round.requests, round.failures, round.seconds))
        }
        summary.interrupted = stop.isRaised
        summary.sinkSpansPerSecond = median(summary.rounds.filter { $0.target == "sink" }.map(\.spansPerSecond))
        summary.collectorSpansPerSecond = median(summary.rounds.filter { $0.target == "collector" }.map(\.spansPerSecond))
        summary.ratio = summary.collectorSpansPerSecond > 0 ? summary.sinkSpansPerSecond / summary.collectorSpansPerSecond : 0
        for round in summary.rounds where round.failures > 0 {
            summary.problems.append(Problem(.requestsFailed, "\(round.failures) requests to the \(round.target) failed"))
        }
        do {
            try ResultsFile.write(summary, to: path)
        } catch {
            throw .environment("cannot write \(path): \(error)")
        }
        return (summary, path)
    }

    private static func sinkRound(bodies: [[UInt8]], spec: FirehoseSpec, seconds: Double, stop: StopSignal, summary: inout Summary) async throws(RunFailure) -> Round {
        let sink = OTLPSink()
        let endpoint = try await CollectorProcess.SinkAddress.start(sink).endpoint(spec.protocol)
        let (round, warmUpSpans) = await timed(target: "sink", endpoint: endpoint, bodies: bodies, spec: spec, seconds: seconds, stop: stop)
        let stored = sink.store.spanCount
        await sink.stop()
        if stored != round.spansAcknowledged + warmUpSpans {
            summary.problems.append(Problem(.sinkLostSpans, "the sink acknowledged \(round.spansAcknowledged + warmUpSpans) spans but stored \(stored)"))
        }
        return round
    }

    private static func collectorRound(_ launch: CollectorSpec.Launch, bodies: [[UInt8]], spec: FirehoseSpec, seconds: Double, stop: StopSignal,
                                       executablePath: String, workDirectory: String) async throws(RunFailure) -> Round {
        let collector: CollectorProcess
        do {
            // A blackhole collector exports nowhere; the sink address only fills placeholders a template might use.
            collector = try await CollectorProcess.launch(launch, sink: .init(url: "http://127.0.0.1:9", grpcURL: "http://127.0.0.1:9"),
                                                          protocol: spec.protocol, executablePath: executablePath, workDirectory: workDirectory)
        } catch {
            throw error as? RunFailure ?? .environment("\(error)")
        }
        let (round, _) = await timed(target: "collector", endpoint: collector.endpoint, bodies: bodies, spec: spec, seconds: seconds, stop: stop)
        _ = await collector.child.stop(timeout: .seconds(10))
        return round
    }

    /// A 1 s warm-up, then one timed closed-loop round; returns the round and the spans the warm-up delivered.
    private static func timed(target: String, endpoint: String, bodies: [[UInt8]], spec: FirehoseSpec, seconds: Double, stop: StopSignal) async -> (Round, Int) {
        let client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: .init(
            connectionPool: .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: spec.concurrency)
        ))
        guard let sender = try? OTLPSender(endpoint: endpoint, protocol: spec.protocol, httpClient: client) else {
            try? await client.shutdown()
            return (Round(target: target, seconds: 0, requests: 0, failures: 1, spansAcknowledged: 0, spansPerSecond: 0), 0)
        }
        let warmUp = await ClosedLoop.drive(sender: sender, bodies: bodies, lanes: spec.concurrency, seconds: 1, stop: stop)
        let timed = await ClosedLoop.drive(sender: sender, bodies: bodies, lanes: spec.concurrency, seconds: seconds, stop: stop)
        await sender.close()
        try? await client.shutdown()
        let spans = timed.succeeded * spec.batchSpans
        let round = Round(target: target, seconds: timed.seconds, requests: timed.succeeded + timed.failed, failures: timed.failed,
                          spansAcknowledged: spans, spansPerSecond: timed.seconds > 0 ? Double(spans) / timed.seconds : 0)
        return (round, warmUp.succeeded * spec.batchSpans)
    }

    static func median(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted.count % 2 == 1 ? sorted[sorted.count / 2] : (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
    }
}

/// A closed-loop sender: `lanes` tasks, each sending its next request as soon as the last one is answered,
/// until the time is up. Measures what the receiver can take, not a rate it was offered.
enum ClosedLoop {
    struct Tally: Sendable {
        var succeeded = 0
        var failed = 0
        /// From the first send to the last answer.
        var seconds = 0.0
    }

    static func drive(sender: OTLPSender, bodies: [[UInt8]], lanes: Int, seconds: Double, stop: StopSignal) async -> Tally {
        let start = ContinuousClock.now
        let deadline = start + .seconds(seconds)
        var tally = await withTaskGroup(of: Tally.self) { group in
            for lane in 0..<lanes {
                group.addTask {
                    var mine = Tally()
                    var next = lane
                    while ContinuousClock.now < deadline, !stop.isRaised {
                        if await sender.send(bodies[next % bodies.count]) == nil { mine.succeeded += 1 } else { mine.failed += 1 }
                        next += lanes
                    }
                    return mine
                }
            }
            return await group.reduce(into: Tally()) { total, lane in
                total.succeeded += lane.succeeded
                total.failed += lane.failed
            }
        }
        tally.seconds = (ContinuousClock.now - start) / .seconds(1)
        return tally
    }
}
