import TracebenchMeasure
import TracebenchResults
/// Why a run could not start or could not finish cleanly, each with its own exit code (as k6 has one per
/// failure class).
public enum RunFailure: Error, Sendable, CustomStringConvertible {
    /// The scenario file is invalid (exit 2).
    case scenario(String)
    /// Something the run needs is missing or unreachable before it starts: redis-server not installed, Redis
    /// refusing connections, the executable not found (exit 3).
    case environment(String)
    /// A pipeline component failed during the run (exit 4).
    case component(String)

    /// The process exit code of this failure class.
    public var exitCode: Int32 {
        switch self {
        case .scenario: ExitCode.invalidInput
        case .environment: ExitCode.environment
        case .component: ExitCode.componentFailed
        }
    }

    /// The message, credentials masked (``Redaction``).
    public var description: String {
        switch self {
        case .scenario(let m), .environment(let m), .component(let m): Redaction.maskingURLCredentials(m)
        }
    }
}

/// Process exit codes of `tracebench`.
public enum ExitCode {
    public static let ok: Int32 = 0
    /// Unexpected internal error.
    public static let internalError: Int32 = 1
    /// Invalid scenario file or command line.
    public static let invalidInput: Int32 = 2
    /// Missing or unreachable dependency (redis-server, Redis, collector) before the run started.
    public static let environment: Int32 = 3
    /// The run ran but a component failed (results written, flagged `failed`).
    public static let componentFailed: Int32 = 4
    /// A results file given to `gate` could not be read, or is of an unknown schema or kind.
    public static let resultsUnreadable: Int32 = 5
    /// `gate --strict`: no threshold failed but at least one was inconclusive.
    public static let inconclusive: Int32 = 98
    /// A threshold failed (or its figure was not measured): k6's code.
    public static let thresholdFailed: Int32 = 99
    /// The run was interrupted by SIGINT/SIGTERM (results written, flagged `interrupted`).
    public static let interrupted: Int32 = 130

    /// A finished run's code: interrupted, then failed, then a failed threshold, else ok.
    public static func of(_ results: RunResults) -> Int32 {
        switch results.status {
        case RunStatus.interrupted: return interrupted
        case RunStatus.failed:
            return results.problems.contains { $0.kind == .abortedByThreshold } ? thresholdFailed : componentFailed
        default: return results.thresholds?.outcome == .fail ? thresholdFailed : ok
        }
    }

    /// A gate verdict's code: 99 when a threshold failed, 98 with `strict` when one was inconclusive, else 0.
    public static func of(_ verdict: GateVerdict, strict: Bool) -> Int32 {
        switch verdict.outcome {
        case .fail, .notMeasured: thresholdFailed
        case .inconclusive: strict ? inconclusive : ok
        case .pass: ok
        }
    }
}
