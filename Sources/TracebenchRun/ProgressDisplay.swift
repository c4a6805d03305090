import Foundation
import TracebenchMeasure
import TracebenchPipeline
import TracebenchRedis
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

    func run(generator: LoadGenerator, sink: OTLPSink?, control: RedisConnection, runID: String, startMicros: Int64, stop: StopSignal) async {
        guard enabled else { return }
        let period: Duration = isTTY ? .seconds(1) : .seconds(5)
        let counter = JobKeys.finishedCounter(runID: runID)
        while !Task.isCancelled {
            try? await Task.sleep(for: period)
            if Task.isCancelled { break }
            let tally = generator.snapshot
            let elapsed = Double(WallClock.nowMicros() - startMicros) / 1e6
            let finished = (try? control.command(["GET", counter]).int) ?? 0
            let spans = sink?.store.spanCount ?? 0
            let line = String(format: "[%6.1fs] submitted %d (%.1f/s)  finished %d  in flight %d  dropped %d  errors %d  spans at sink %d%@",
                              elapsed, tally.acceptedJobIDs.count, Double(tally.acceptedJobIDs.count) / max(elapsed, 0.001),
                              finished, tally.inFlight, tally.droppedArrivals, tally.submitErrors, spans, stop.isRaised ? "  (stopping)" : "")
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
