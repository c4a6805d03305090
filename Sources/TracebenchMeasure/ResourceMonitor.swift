import Synchronization

/// Samples CPU time and memory of a changing set of named processes (e.g. `api`, `worker-0`, `redis`) once per
/// `interval` on a background task, until stopped.
///
/// Processes are added with ``watch(name:pid:)`` at any time; one that has exited is dropped from the watch list
/// (its usage so far is kept). Reading `/proc` is a few short, non-blocking file reads per process, cheap enough for
/// the cooperative thread pool. All state sits behind a `Mutex`, which makes the class `Sendable`.
public final class ResourceMonitor: Sendable {
    /// What a name stands for: one process, or every process of a group (a launched system and its children).
    private enum Watched: Equatable {
        case process(Int32)
        case group(Int32)

        func sample() -> ProcessSample? {
            switch self {
            case let .process(pid): ProcessSampler.sample(pid: pid)
            case let .group(pgid): ProcessSampler.sampleGroup(pgid: pgid)
            }
        }
    }

    private struct State {
        /// Processes sampled on each tick, by name.
        var watched: [String: Watched] = [:]
        /// Usage so far, by name.
        var usage: [String: ProcessUsage] = [:]
        /// The sampling loop, while started.
        var task: Task<Void, Never>?
    }

    /// Time between two samples.
    public let interval: Duration
    /// When the monitor was created (monotonic ns): time zero of every RSS timeline.
    public let originNanos = ProcessUsage.monotonicNanos()
    private let state = Mutex(State())

    /// A stopped monitor watching nothing; samples every `interval` once started.
    public init(interval: Duration = .seconds(1)) {
        self.interval = interval
    }

    deinit {
        state.withLock { $0.task?.cancel() }
    }

    /// Samples process `pid` as `name` from the next tick on. Watching a name again replaces its pid and keeps the
    /// usage gathered so far (peak RSS stays the maximum, CPU seconds become the new process's).
    public func watch(name: String, pid: Int32) {
        watch(name: name, .process(pid))
    }

    /// Samples process `pid` as `name`, counting only the CPU it uses from now on: for a process that outlives the
    /// run being measured (the coordinator, whose capacity steps and overhead blocks are runs of their own).
    public func watchFromNow(name: String, pid: Int32) {
        let baseline = ProcessSampler.sample(pid: pid)?.cpuSeconds ?? 0
        watch(name: name, .process(pid))
        state.withLock { $0.usage[name]?.cpuBaselineSeconds = baseline }
    }

    /// Samples every process of group `pgid` together as `name` (summed CPU and RSS), from the next tick on: a system
    /// started as its own process group, whose children (interpreters, workers, its Redis) are its real cost.
    public func watchGroup(name: String, pgid: Int32) {
        watch(name: name, .group(pgid))
    }

    private func watch(name: String, _ target: Watched) {
        state.withLock { state in
            state.watched[name] = target
            if state.usage[name] == nil { state.usage[name] = ProcessUsage() }
        }
    }

    /// Takes one sample of every watched process now (also what each tick of the background loop does).
    public func sampleNow() {
        let targets = state.withLock { $0.watched }
        // Read /proc outside the lock so that `watch` and `usage` never wait on file I/O.
        var results: [(name: String, target: Watched, sample: ProcessSample?)] = []
        results.reserveCapacity(targets.count)
        for (name, target) in targets {
            results.append((name, target, target.sample()))
        }
        state.withLock { state in
            for result in results {
                if let sample = result.sample {
                    state.usage[result.name, default: ProcessUsage()].add(sample, originNanos: originNanos)
                } else if state.watched[result.name] == result.target {
                    // Gone; unless re-watched with another pid meanwhile, stop looking (its pid may be reused).
                    state.watched[result.name] = nil
                }
            }
        }
    }

    /// Starts the background loop (a sample right away, then one per `interval`); does nothing if already started.
    public func start() {
        state.withLock { state in
            guard state.task == nil else { return }
            let interval = self.interval
            // Weak: a monitor dropped without `stop()` ends its loop instead of living forever.
            state.task = Task.detached(priority: .utility) { [weak self] in
                while !Task.isCancelled {
                    guard self?.sampleNow() != nil else { return }
                    try? await Task.sleep(for: interval)
                }
            }
        }
    }

    /// Stops the background loop (no final sample: call ``sampleNow()`` first for one). It can be started again.
    public func stop() {
        let task = state.withLock { state in
            defer { state.task = nil }
            return state.task
        }
        task?.cancel()
    }

    /// Usage gathered so far, by name (every watched name, even one never sampled successfully).
    public func usage() -> [String: ProcessUsage] {
        state.withLock { $0.usage }
    }
}
