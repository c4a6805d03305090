import Foundation
import Synchronization
import TracebenchMeasure

/// An agent's share of the schedule accounted by interval (issue 15): interval `k` holds the share's arrivals intended
/// in `[k·width, (k+1)·width)` from the start, whatever time they are answered. An interval is ready to report once
/// every one of its arrivals was dropped or answered — or, after the load ended, with what it has (the rest were not
/// offered). Reports go out in interval order, so "the last interval reported" bounds exactly what an agent's loss
/// leaves unaccounted.
final class ShareIntervals: Sendable {
    /// One interval's figures so far.
    struct Interval: Sendable {
        var sent = 0
        var answered = 0
        var accepted = 0
        var errors = 0
        var dropped = 0
        var late = 0
        var lastError = ""
        /// Bit `r` set: the interval's `r`-th arrival of this share was accepted.
        var acceptedBits: [UInt64] = []
        /// Allocated at the first event (a histogram is a few hundred KB; intervals not yet reached hold none).
        var latency: LatencyHistogram?
        var lag: LatencyHistogram?
    }

    /// The share's arrival indices (ascending) and their offsets from the start (ns).
    let share: [Int]
    let widthNanos: UInt64
    /// `bounds[k]..<bounds[k+1]`: the positions in ``share`` of interval `k`'s arrivals.
    let bounds: [Int]
    /// `first`: the lowest-indexed arrival dispatched so far and how late it went out (µs). Lanes dispatch overdue arrivals
    /// in parallel, so the first one observed need not be the share's first.
    private let state: Mutex<(intervals: [Int: Interval], nextToReport: Int, dispatched: Int, first: (index: Int, lateMicros: Int64)?)>

    /// `share` with offsets `offsetsNanos` (the whole schedule's), `intervals` of `widthSeconds`.
    init(share: [Int], offsetsNanos: [UInt64], widthSeconds: Double, intervals: Int) {
        self.share = share
        widthNanos = UInt64(max(1, widthSeconds * 1e9))
        var bounds = [0]
        var position = 0
        for interval in 0 ..< max(1, intervals) {
            let end = UInt64(interval + 1) * widthNanos
            while position < share.count, offsetsNanos[share[position]] < end || interval == max(1, intervals) - 1 { position += 1 }
            bounds.append(position)
        }
        self.bounds = bounds
        state = Mutex(([:], 0, 0, nil))
    }

    var intervalCount: Int { bounds.count - 1 }

    /// Arrivals of interval `k`.
    func planned(_ k: Int) -> Int { bounds[k + 1] - bounds[k] }

    /// The interval and rank within it of arrival `index` (nil: not this share's).
    func locate(_ index: Int) -> (interval: Int, rank: Int)? {
        var low = 0, high = share.count
        while low < high {
            let mid = (low + high) / 2
            if share[mid] < index { low = mid + 1 } else { high = mid }
        }
        guard low < share.count, share[low] == index else { return nil }
        var lowInterval = 0, highInterval = intervalCount
        while lowInterval < highInterval {
            let mid = (lowInterval + highInterval) / 2
            if bounds[mid + 1] <= low { lowInterval = mid + 1 } else { highInterval = mid }
        }
        return (lowInterval, low - bounds[lowInterval])
    }

    /// The observer to hand the load generator.
    var observer: ArrivalObserver {
        ArrivalObserver(
            dispatched: { index, lag in self.update(index, dispatched: true, firstLag: lag) { interval, _ in
                interval.sent += 1
                if lag > Int64(OpenLoop<ContinuousClock>.lateAfter / .microseconds(1)) { interval.late += 1 }
                interval.lag = interval.lag ?? LatencyHistogram()
                interval.lag?.record(microseconds: lag)
            } },
            dropped: { index in self.update(index, dispatched: true) { interval, _ in interval.dropped += 1 } },
            resolved: { index, failure, latency in self.update(index, dispatched: false) { interval, rank in
                interval.answered += 1
                if let failure {
                    interval.errors += 1
                    interval.lastError = failure
                } else {
                    interval.accepted += 1
                    let word = rank >> 6
                    if word >= interval.acceptedBits.count { interval.acceptedBits += Array(repeating: 0, count: word + 1 - interval.acceptedBits.count) }
                    interval.acceptedBits[word] |= UInt64(1) << UInt64(rank & 63)
                    interval.latency = interval.latency ?? LatencyHistogram()
                    interval.latency?.record(microseconds: latency)
                }
            } }
        )
    }

    private func update(_ index: Int, dispatched: Bool, firstLag: Int64? = nil, _ change: (inout Interval, Int) -> Void) {
        guard let (k, rank) = locate(index) else { return }
        state.withLock { state in
            var interval = state.intervals[k] ?? Interval()
            change(&interval, rank)
            state.intervals[k] = interval
            if dispatched { state.dispatched += 1 }
            if let firstLag, index < state.first?.index ?? Int.max { state.first = (index, max(0, firstLag)) }
        }
    }

    /// Arrivals dispatched or dropped so far (the heartbeat carries it: a lost agent's unknown outcomes).
    var dispatched: Int { state.withLock { $0.dispatched } }
    /// How late the share's first dispatched arrival (the lowest index) was (µs), once there was one.
    var firstLateMicros: Int64? { state.withLock { $0.first?.lateMicros } }
    /// The last interval reported (-1: none).
    var lastReported: Int { state.withLock { $0.nextToReport - 1 } }

    /// The next intervals ready to report, in order, each taken out of the accounting: those whose every arrival was
    /// dropped or answered — or every remaining one when `loadEnded`.
    func takeReady(loadEnded: Bool) -> [(index: Int, interval: Interval)] {
        state.withLock { state in
            var ready: [(Int, Interval)] = []
            while state.nextToReport < intervalCount {
                let k = state.nextToReport
                let interval = state.intervals[k] ?? Interval()
                guard loadEnded || interval.dropped + interval.answered >= planned(k) else { break }
                ready.append((k, interval))
                state.intervals[k] = nil
                state.nextToReport += 1
            }
            return ready
        }
    }

    /// Interval `k`'s accepted arrivals as schedule indices, from its bitmap (the coordinator's side of the same layout).
    static func acceptedIndices(bits: [UInt64], interval k: Int, share: [Int], bounds: [Int]) -> [Int] {
        var indices: [Int] = []
        let count = bounds[k + 1] - bounds[k]
        for (word, value) in bits.enumerated() where value != 0 {
            for bit in 0 ..< 64 where value & (UInt64(1) << UInt64(bit)) != 0 {
                let rank = word << 6 | bit
                if rank < count { indices.append(share[bounds[k] + rank]) }
            }
        }
        return indices
    }

    /// A bitmap as base64 of its little-endian words, and back (nil: not such a text).
    static func encode(bits: [UInt64]) -> String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(bits.count * 8)
        for word in bits { for shift in stride(from: 0, to: 64, by: 8) { bytes.append(UInt8(truncatingIfNeeded: word >> UInt64(shift))) } }
        return Data(bytes).base64EncodedString()
    }

    static func decode(bits text: String) -> [UInt64]? {
        guard let data = Data(base64Encoded: text), data.count % 8 == 0 else { return nil }
        let bytes = [UInt8](data)
        return stride(from: 0, to: bytes.count, by: 8).map { start in
            (0 ..< 8).reduce(UInt64(0)) { $0 | UInt64(bytes[start + $1]) << UInt64($1 * 8) }
        }
    }
}
