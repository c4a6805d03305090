import CSystemShims
import Foundation
import Synchronization
import TracebenchMeasure
import TracebenchProcess

/// The machine's own pauses while the load runs (`load.hiccups`, `load.steal_seconds`): what the generator's lag is to
/// be read against. A thread of its own sleeps 1 ms again and again and records how much longer each sleep took than
/// asked, as jHiccup does — on a virtual machine the hypervisor, the host's memory reclaim or a noisy neighbour can stop
/// every thread for tens of milliseconds, and no sender can be on time through that. A pause of `d` is recorded as
/// the lag a 1 ms schedule would have suffered through it: `d`, `d − 1 ms`, `d − 2 ms`, … (HdrHistogram's
/// correction for the expected interval), so `load.hiccups` reads like `load.lag` at 1,000 arrivals a second. The
/// kernel's steal time (`/proc/stat`: time this VM was ready to run and its hypervisor ran something else) is the
/// cause the machine admits to.
///
/// The thread asks for a short scheduler slice (`tracebench_request_short_slice`), so on a busy machine it preempts
/// the thread running out its default slice instead of waiting behind it: what it measures is the machine, as little
/// as possible the load on it. It costs ~1.5 % of one core (1,000 short wake-ups a second: 0.16 CPU-s in a 10 s run).
final class HostPauseMeter: Sendable {
    /// What the meter saw.
    struct Pauses: Sendable {
        /// Each 1 ms sleep's overshoot, corrected for the sleeps a pause swallowed (µs).
        var hiccups = LatencyHistogram()
        /// Steal time over the measured span, all CPUs summed (s); nil where the kernel does not account it.
        var stealSeconds: Double?
    }

    /// How long each sleep asks for (ns).
    static let interval: Int64 = 1_000_000

    private let stopping = Atomic<Bool>(false)
    private let stealAtStart: Double?

    private init() { stealAtStart = Self.stealSeconds() }

    /// Measures the machine's pauses while `body` runs.
    static func measure(during body: () async -> Void) async -> Pauses {
        let meter = HostPauseMeter()
        async let hiccups = OwnThread.run { meter.sleepAndRecord() }
        await body()
        meter.stopping.store(true, ordering: .relaxed)
        var pauses = Pauses(hiccups: await hiccups)
        if let start = meter.stealAtStart, let end = stealSeconds() { pauses.stealSeconds = max(0, end - start) }
        return pauses
    }

    /// The sleeping loop, on its own thread, until stopped.
    private func sleepAndRecord() -> LatencyHistogram {
        _ = tracebench_name_thread("tb-hiccups")
        _ = tracebench_set_timer_slack(1_000)
        _ = tracebench_request_short_slice(100_000)
        var histogram = LatencyHistogram()
        while !stopping.load(ordering: .relaxed) {
            let deadline = SendLoop.now() + Self.interval
            var until = timespec(tv_sec: Int(deadline / 1_000_000_000), tv_nsec: Int(deadline % 1_000_000_000))
            while clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &until, nil) == EINTR {}
            Self.record(overshootNanos: SendLoop.now() - deadline, into: &histogram)
        }
        return histogram
    }

    /// Records one sleep that ended `overshootNanos` late, and the 1 ms sleeps it swallowed: each of those would have
    /// been late by the rest of the pause.
    static func record(overshootNanos: Int64, into histogram: inout LatencyHistogram) {
        let overshoot = max(0, overshootNanos)
        histogram.record(microseconds: overshoot / 1000)
        var missed = overshoot - interval
        while missed >= interval {
            histogram.record(microseconds: missed / 1000)
            missed -= interval
        }
    }

    /// The kernel's steal time so far, all CPUs (s): the eighth value of `/proc/stat`'s `cpu` line, in clock ticks.
    static func stealSeconds(statText: String? = try? String(contentsOfFile: "/proc/stat", encoding: .utf8)) -> Double? {
        guard let line = statText?.split(separator: "\n").first(where: { $0.hasPrefix("cpu ") }) else { return nil }
        let fields = line.split(separator: " ").dropFirst()
        guard fields.count >= 8, let ticks = Double(fields[fields.startIndex + 7]) else { return nil }
        return ticks / Double(sysconf(Int32(_SC_CLK_TCK)))
    }
}
