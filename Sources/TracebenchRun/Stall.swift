#if canImport(Glibc)
import Glibc
#endif
import TracebenchMeasure
import TracebenchScenario

/// `faults.collector_pause_s`: SIGSTOP the launched collector for a while, then SIGCONT — export blocks, and the
/// SDK processes' memory shows what swift-otel does with spans it cannot send.
enum Stall {
    /// When the collector was stopped and resumed, in seconds on the monitor's clock.
    struct Window: Sendable {
        var paused: Double
        var resumed: Double
    }

    static func schedule(faults: FaultSpec, collector: CollectorProcess, monitor: ResourceMonitor) -> Task<Window?, Never>? {
        guard faults.collectorPauseSeconds > 0 else { return nil }
        let pid = collector.child.pid
        return Task {
            func now() -> Double { Double(ProcessUsage.monotonicNanos() - monitor.originNanos) / 1e9 }
            do {
                try await Task.sleep(for: .clampedSeconds(faults.collectorPauseAtSeconds))
            } catch {
                return nil
            }
            kill(pid, SIGSTOP)
            let paused = now()
            try? await Task.sleep(for: .clampedSeconds(faults.collectorPauseSeconds))
            kill(pid, SIGCONT)
            return Window(paused: paused, resumed: now())
        }
    }
}
