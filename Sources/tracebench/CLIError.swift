import TracebenchResults

/// How a verb ends when it does not end with 0. Verbs throw it; `Tracebench.main` alone prints its line and exits
/// with its status (the table is ``ExitStatus``).
enum CLIError: HasExitStatus, CustomStringConvertible {
    /// Misuse of a verb: exit 2, `tracebench: <message>`.
    case usage(String)
    /// An output that cannot be written, a store that cannot be read: exit 3, `tracebench: <message>`.
    case environment(String)
    /// Exit with `status`, stderr getting exactly `lines` (nil: the verb printed what it had to say already).
    case failed(ExitStatus, String? = nil)

    var description: String {
        switch self {
        case .usage(let message), .environment(let message): message
        case .failed(let status, let lines): lines ?? "exit \(status.rawValue)"
        }
    }

    var exitStatus: ExitStatus {
        switch self {
        case .usage: .invalidInput
        case .environment: .environment
        case .failed(let status, _): status
        }
    }

    var exitMessage: String? {
        switch self {
        case .usage, .environment: "tracebench: \(description)"
        case .failed(_, let lines): lines
        }
    }
}
