/// `tracebench`'s process exit statuses, one per failure class (k6's model): every verb ends with one of these, and
/// only `Tracebench.main` turns one into a process exit, so the table here is the whole contract.
public enum ExitStatus: Int32, Sendable, CaseIterable {
    /// The verb did what it was asked and nothing it judged failed.
    case ok = 0
    /// Unexpected internal error.
    case internalError = 1
    /// Invalid scenario file or command line.
    case invalidInput = 2
    /// Missing or unreachable dependency (redis-server, Redis, collector) before the run started, or an output that
    /// cannot be written.
    case environment = 3
    /// The run ran but a component failed (results written, flagged `failed`).
    case componentFailed = 4
    /// A results file given to a verb could not be read, or is of an unknown schema or kind.
    case resultsUnreadable = 5
    /// `gate --strict` (or `history check`): nothing failed but at least one judgement was inconclusive.
    case inconclusive = 98
    /// A threshold failed (or its figure was not measured), or a confirmed regression: k6's code.
    case thresholdFailed = 99
    /// The run was interrupted by SIGINT/SIGTERM (results written, flagged `interrupted`).
    case interrupted = 130

    /// A finished run's status: interrupted, then failed, then a failed threshold, else ok.
    public static func of(_ results: RunResults) -> ExitStatus {
        switch results.status {
        case RunStatus.interrupted: return .interrupted
        case RunStatus.failed:
            return results.problems.contains { $0.kind == .abortedByThreshold } ? .thresholdFailed : .componentFailed
        default: return results.thresholds?.outcome == .fail ? .thresholdFailed : .ok
        }
    }

    /// A gate verdict's status: a failed (or unmeasured) threshold, with `strict` an inconclusive one, else ok.
    public static func of(_ verdict: GateVerdict, strict: Bool) -> ExitStatus {
        switch verdict.outcome {
        case .fail, .notMeasured: .thresholdFailed
        case .inconclusive: strict ? .inconclusive : .ok
        case .pass: .ok
        }
    }
}

/// An error that ends the process with a status of its own: what stderr gets and how the process exits, resolved
/// once at the root of the command line (k6's `errext.HasExitCode`).
public protocol HasExitStatus: Error {
    /// The status the process exits with.
    var exitStatus: ExitStatus { get }
    /// The line stderr gets before the exit; nil when the verb printed its own lines already.
    var exitMessage: String? { get }
}
