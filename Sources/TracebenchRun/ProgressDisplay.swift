import Foundation
import TracebenchMeasure
import TracebenchPipeline
import TracebenchRedis
import TracebenchScenario
import TracebenchSink

#if canImport(Glibc)
import Glibc
#endif

/// The live one-line progress display on stderr: rewritten in place every second on a TTY, a plain line every
/// 5 s otherwise (CI logs).
struct ProgressDisplay: Sendable {
    let enabled: Bool
    let isTTY: Bool

    init(enabled: Bool) {
        self.enabled = enabled
        isTTY = isatty(STDERR_FILENO) == 1
    }

    func run(live: @Sendable () -> LiveLoad, sink: OTLPSink?, startMicros: Int64, stop: StopSignal) async {
        guard enabled else { return }
        let period: Duration = isTTY ? .seconds(1) : .seconds(5)
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            if Task.isCancelled { break }
            let load = live()
            let elapsed = Double(WallClock.nowMicros() - startMicros) / 1e6
            let finished = load.finished.map(String.init) ?? "–"
            let spans = sink?.store.spanCount ?? 0
            let line = String(format: "[%6.1fs] submitted %d (%.1f/s)  finished %@  in flight %d  dropped %d  errors %d  spans at sink %d%@",
                              elapsed, load.submitted, Double(load.submitted) / max(elapsed, 0.001),
                              finished, load.inFlight, load.droppedArrivals, load.submitErrors, spans, stop.isRaised ? "  (stopping)" : "")
            write(isTTY ? "\r\u{1B}[2K" + line : line + "\n")
        }
    }

    func finish() {
        if enabled, isTTY { write("\n") }
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// The watchers beside a load: the progress line and the `abort_on_fail` thresholds, both reading `live`.
struct LoadWatchers: Sendable {
    let display: ProgressDisplay
    let progressTask: Task<Void, Never>
    let thresholdTask: Task<Void, Never>

    static func start(scenario: Scenario, progress: Bool, sink: OTLPSink?, startMicros: Int64, stop: StopSignal,
                      live: @escaping @Sendable () -> LiveLoad) -> LoadWatchers {
        let display = ProgressDisplay(enabled: progress)
        let watch = ThresholdWatch(scenario: scenario.thresholds)
        return LoadWatchers(
            display: display,
            progressTask: Task { await display.run(live: live, sink: sink, startMicros: startMicros, stop: stop) },
            thresholdTask: Task { await watch?.run(live: live, sink: sink, startMicros: startMicros, stop: stop) }
        )
    }

    /// The load stopped: thresholds judge live figures only while it runs.
    func loadEnded() { thresholdTask.cancel() }

    /// The drain is over: the progress line ends.
    func finish() async {
        thresholdTask.cancel()
        progressTask.cancel()
        await progressTask.value
        display.finish()
    }
}
