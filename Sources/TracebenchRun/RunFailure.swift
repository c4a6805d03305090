import TracebenchJudge
import TracebenchMeasure
import TracebenchResults
/// Why a run could not start or could not finish cleanly, each with its own exit code (as k6 has one per
/// failure class).
public enum RunFailure: HasExitStatus, Sendable, CustomStringConvertible {
    /// The scenario file is invalid (exit 2).
    case scenario(String)
    /// Something the run needs is missing or unreachable before it starts: redis-server not installed, Redis
    /// refusing connections, the executable not found (exit 3).
    case environment(String)
    /// A pipeline component failed during the run (exit 4).
    case component(String)

    /// The exit status of this failure class.
    public var exitStatus: ExitStatus {
        switch self {
        case .scenario: .invalidInput
        case .environment: .environment
        case .component: .componentFailed
        }
    }

    public var exitMessage: String? { "tracebench: \(description)" }

    /// The message, credentials masked (``Redaction``).
    public var description: String {
        switch self {
        case .scenario(let m), .environment(let m), .component(let m): Redaction.maskingURLCredentials(m)
        }
    }
}
