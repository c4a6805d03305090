import TracebenchMeasure
import TracebenchRedis

/// How far an agent's wall clock is from the control Redis's (issue 15's synchronized start): Cristian's method over
/// several `TIME` round trips, keeping the one with the lowest round-trip time. The server stamped its time somewhere
/// between the request leaving and the reply arriving, so the true offset lies within `offset ± uncertainty`, with
/// uncertainty half that round trip — measured, not assumed.
struct ClockOffset: Sendable, Equatable {
    /// One round trip: the local clock before sending and after the reply, and the server's time, all µs since the epoch.
    struct Sample: Sendable, Equatable {
        var sentMicros: Int64
        var serverMicros: Int64
        var receivedMicros: Int64

        var roundTripMicros: Int64 { receivedMicros - sentMicros }
        /// Server time minus the local clock at the round trip's midpoint.
        var offsetMicros: Int64 { serverMicros - (sentMicros + receivedMicros) / 2 }
    }

    /// The control Redis's clock minus this host's (µs): a local instant `t` is `t + offsetMicros` on the control clock.
    var offsetMicros: Int64
    /// Half the best round trip (µs): the true offset is within `offsetMicros ± uncertaintyMicros`.
    var uncertaintyMicros: Int64
    /// The round trips taken.
    var samples: Int

    /// The estimate from `samples` (nil when there are none or every one is impossible: a reply before its request).
    static func estimate(_ samples: [Sample]) -> ClockOffset? {
        guard let best = samples.filter({ $0.roundTripMicros >= 0 }).min(by: { $0.roundTripMicros < $1.roundTripMicros }) else { return nil }
        return ClockOffset(offsetMicros: best.offsetMicros, uncertaintyMicros: (best.roundTripMicros + 1) / 2, samples: samples.count)
    }

    /// Measures against the Redis behind `connection` with `count` `TIME` round trips. `localSkewMicros` is added to
    /// every local reading: tests skew an agent's clock with it and expect it measured back.
    static func measure(_ connection: ControlConnection, count: Int = 16, localSkewMicros: Int64 = 0) throws(RedisError) -> ClockOffset? {
        var samples: [Sample] = []
        for _ in 0..<max(1, count) {
            let sent = WallClock.nowMicros() + localSkewMicros
            let server = try connection.serverTimeMicros()
            let received = WallClock.nowMicros() + localSkewMicros
            samples.append(Sample(sentMicros: sent, serverMicros: server, receivedMicros: received))
        }
        return estimate(samples)
    }
}
