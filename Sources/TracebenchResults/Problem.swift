import TracebenchMeasure

/// Something that went wrong during a run, or that makes some of its figures partial: a kind a program can act
/// on and a sentence for people. Schema 1 files stored bare sentences; they read as kind `unclassified`.
public struct Problem: Codable, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, for programs (``ProblemKind``).
    public var kind: ProblemKind
    /// One sentence for people, URL credentials masked.
    public var message: String

    /// A problem; credentials in `message` are masked (``Redaction``).
    public init(_ kind: ProblemKind, _ message: String) {
        self.kind = kind
        self.message = Redaction.maskingURLCredentials(message)
    }

    enum CodingKeys: String, CodingKey {
        case kind, message
    }

    /// Reads a typed problem, or a schema 1 bare sentence as kind `unclassified`; absent keys take their defaults.
    public init(from decoder: any Decoder) throws {
        if let text = try? decoder.singleValueContainer().decode(String.self) {
            self.init(.unclassified, text)
            return
        }
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(try c(.kind, .unclassified), try c(.message, ""))
    }

    /// The message.
    public var description: String { message }
}

/// The kinds of ``Problem``, each with whether it fails the run. Unknown kinds (from a newer tracebench) read
/// as themselves and count as failures.
public struct ProblemKind: OpenVocabulary {
    /// The kind as stored (`component_failed`, …).
    public let rawValue: String
    /// The kind `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// A pipeline process, Redis or the load generator failed during the run.
    public static let componentFailed = ProblemKind(rawValue: "component_failed")
    /// Jobs were still pending when the drain timed out.
    public static let drainIncomplete = ProblemKind(rawValue: "drain_incomplete")
    /// Submissions failed (HTTP or transport errors).
    public static let submitErrors = ProblemKind(rawValue: "submit_errors")
    /// The job ledger could not be read back from Redis: job and trace figures are missing.
    public static let ledgerUnreadable = ProblemKind(rawValue: "ledger_unreadable")
    /// The collector under test did not start, died or did not stop cleanly.
    public static let collectorFailed = ProblemKind(rawValue: "collector_failed")
    /// The collector's Prometheus counters could not be read.
    public static let collectorMetrics = ProblemKind(rawValue: "collector_metrics")
    /// Firehose requests failed.
    public static let firehoseFailed = ProblemKind(rawValue: "firehose_failed")
    /// The load generator offered nothing (or the API accepted nothing): every figure is empty.
    public static let noLoadOffered = ProblemKind(rawValue: "no_load_offered")
    /// Spans were exported (or traces expected) and none arrived: the figures are empty, not good.
    public static let nothingReceived = ProblemKind(rawValue: "nothing_received")
    /// The OTLP endpoint the SDKs export to did not accept connections.
    public static let endpointUnreachable = ProblemKind(rawValue: "endpoint_unreachable")
    /// sink-speed: the sink acknowledged spans it did not store.
    public static let sinkLostSpans = ProblemKind(rawValue: "sink_lost_spans")
    /// sink-speed: requests to a target failed.
    public static let requestsFailed = ProblemKind(rawValue: "requests_failed")
    /// The sink received more spans than `sink.max_spans`: the rest were counted, not kept, so trace figures are partial.
    public static let sinkOverflow = ProblemKind(rawValue: "sink_overflow")
    /// A threshold with `abort_on_fail` failed during the load and stopped the run.
    public static let abortedByThreshold = ProblemKind(rawValue: "aborted_by_threshold")
    /// Note, not a failure: a figure was not measured, and why (an overhead arm without enough blocks, a ledger
    /// phase the time fields could not give).
    public static let notMeasured = ProblemKind(rawValue: "not_measured")
    /// Note, not a failure: no trace figure was measured at the sink (spans went to an endpoint that is not
    /// tracebench's sink, or tracing was off), so an empty sink is no failure. Files before 0.x said `not_measured`.
    public static let traceFiguresNotMeasured = ProblemKind(rawValue: "trace_figures_not_measured")
    /// A multi-host run's agent stopped renewing its heartbeat: its share's remainder was not offered.
    public static let agentLost = ProblemKind(rawValue: "agent_lost")
    /// A multi-host run's start was off by more than `agents.start_tolerance_ms` on some agent.
    public static let startSkew = ProblemKind(rawValue: "start_skew")
    /// A schema 1 problem sentence (no kind was stored).
    public static let unclassified = ProblemKind(rawValue: "unclassified")

    /// Notes describe what was not measured; every other kind fails the run.
    public var failsRun: Bool { self != .notMeasured && self != .traceFiguresNotMeasured }
}

/// A run's status: `ok`, `interrupted` (SIGINT/SIGTERM: partial figures) or `failed` (a failing problem). A typed
/// word of the results' vocabulary, stored as the bare string (a status from a newer version still reads).
public struct RunStatus: OpenVocabulary, ExpressibleByStringLiteral {
    /// The status as stored.
    public let rawValue: String
    /// The status `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }
    /// A status written as a literal (`"ok"`).
    public init(stringLiteral value: String) { rawValue = value }

    /// Not interrupted, and no problem fails the run (notes only, if any).
    public static let ok = RunStatus(rawValue: "ok")
    /// Stopped by SIGINT/SIGTERM: the figures are partial.
    public static let interrupted = RunStatus(rawValue: "interrupted")
    /// Not interrupted, and at least one problem fails the run.
    public static let failed = RunStatus(rawValue: "failed")

    /// The one rule: interrupted wins, then any problem that fails the run, else ok.
    public static func derive(problems: [Problem], interrupted: Bool) -> RunStatus {
        if interrupted { return Self.interrupted }
        return problems.contains { $0.kind.failsRun } ? failed : ok
    }
}

/// A word of the results' vocabulary stored as a plain string (`"run"`, `"component_failed"`): the known words
/// are constants, and a word from a newer version still reads (as itself) instead of failing the whole file.
/// Coded as the bare string by the standard library's `RawRepresentable` conformance.
public protocol OpenVocabulary: RawRepresentable, Codable, Sendable, Hashable, CustomStringConvertible where RawValue == String {
    /// The word `rawValue`, known or not.
    init(rawValue: String)
}

extension OpenVocabulary {
    /// The word itself.
    public var description: String { rawValue }
}
