import Synchronization
import TracebenchResults

/// Raised by SIGINT or SIGTERM (or by the coordinator itself): the run stops offering load, shuts the pipeline
/// down gracefully and still writes its results, flagged `interrupted`.
final class StopSignal: Sendable {
    private let raised = Atomic<Bool>(false)
    private let reason = Mutex<(kind: ProblemKind, message: String)?>(nil)

    init() {}

    var isRaised: Bool { raised.load(ordering: .relaxed) }

    func raise() { raised.store(true, ordering: .relaxed) }

    /// Stops the run from inside (a threshold with `abort_on_fail` failed, Redis died): not a signal, so the run
    /// is `failed` with a problem of `kind`, not `interrupted`. The first reason wins.
    func abort(_ kind: ProblemKind, because why: String) {
        reason.withLock { if $0 == nil { $0 = (kind, why) } }
        raise()
    }

    /// Why ``abort(_:because:)`` stopped the run, if it did.
    var abortReason: (kind: ProblemKind, message: String)? { reason.withLock { $0 } }

    /// Raised by SIGINT and SIGTERM (see ``ProcessSignals``) until ``stopListening()``; at once if one already came.
    func listenForSignals() { ProcessSignals.listen(self) }

    /// No longer raised by signals; they stay taken over for the process's life.
    func stopListening() { ProcessSignals.unlisten(self) }
}
