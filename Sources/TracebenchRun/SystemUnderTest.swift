import TracebenchAnalysis
import TracebenchProcess
import TracebenchMeasure
import TracebenchResults
import TracebenchScenario

/// A system tracebench drives and measures — the built-in pipeline (``BuiltInPipeline``), the firehose
/// (``Firehose``), next the user's own target. The coordinator sets up the rig around it (sink, collector,
/// resource monitor, HTTP client), lets it run its whole lifetime, and turns what it returns into results.
///
/// A system's lifetime: start → offer the scenario's load → drain → read its ground truth → stop, then hand the rig
/// back (``RunServices/finish(expectedSpans:)``, once its senders have stopped, so that what the ground truth says
/// must still arrive is waited for) → its figures, as values. It never touches ``RunResults``.
protocol SystemUnderTest: Sendable {
    /// The OTLP transport its spans arrive over: the sink listener and the collector receiver the rig wires up.
    var wire: TracingSpec.WireProtocol { get }
    /// Whether its spans come from SDKs it runs itself, exporting to the configured endpoint (then an endpoint that is
    /// not tracebench's sink is probed before the run, even behind an attached collector), rather than from
    /// tracebench's own sender.
    var exportsFromItsOwnSDKs: Bool { get }
    /// Processes it brings before the load, for the rig's resource monitor (a private redis-server).
    var watchedProcesses: [(name: String, pid: Int32)] { get }
    /// Runs its lifetime inside `rig` and returns everything it measured.
    func run(in rig: RunServices) async -> SystemFigures
    /// Releases what opening it took (a private redis-server), after the results are written.
    func close() async
}

/// The systems under test a scenario can name.
enum SystemsUnderTest {
    /// The system `scenario` drives, opened (a jobs run's Redis is connected, or started privately, here).
    static func open(_ scenario: Scenario, options: RunOptions) async throws(RunFailure) -> any SystemUnderTest {
        if let target = scenario.target { return ExternalTarget(scenario: scenario, target: target) }
        switch scenario.load.kind {
        case .jobs:
            // Starting a private redis-server polls it until it answers: on a thread of its own, not the cooperative pool's.
            let redis = try await OwnThread.run { () throws(RunFailure) -> RedisHandle in try RedisHandle.open(scenario: scenario, options: options) }
            return BuiltInPipeline(redis: redis, wire: scenario.tracing.protocol)
        case .firehose: return Firehose(spec: scenario.firehose)
        }
    }
}

/// What a system under test measured: the sections of the results it owns, and the problems met producing them in
/// the order met. ``ResultsAssembler`` writes them into ``RunResults``; the defaults are the results' own (an
/// unmeasured section stays as a results file without it reads).
struct SystemFigures: Sendable {
    var jobs = JobCounts()
    /// Completeness and the observed sampling ratio start not measured (null): a system that stops before judging any
    /// trace (its launch failed, nothing was expected) leaves them so, never 100 % or 0.
    var traces = TraceFigures.notMeasured
    var sampling = SamplingFigures.notMeasured
    /// Latency summaries by phase (the metric catalog's phase names).
    var latency: [String: LatencySummary] = [:]
    var throughput = Throughput()
    var spans = SpanCounts()
    var sink = SinkCounts()
    var series: IntervalSeries?
    /// The generator's schedule lag (jobs and target runs).
    var load: LoadFigures?
    var firehose: FirehoseFigures?
    var overhead: [String: ArmOverhead]?
    var budgets: Budgets?
    var resourceBlocks: [ResourceBlock]?
    /// Black-box runs: each job's trace outcome.
    var target: TargetFigures?
    /// Topology, critical path and root causes of the jobs' whole traces (jobs runs and black-box runs).
    var analytics: TraceAnalytics?
    var problems: [Problem] = []
}
