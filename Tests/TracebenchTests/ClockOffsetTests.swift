import Testing
import TracebenchRedis
@testable import TracebenchRun

/// The agents' clock offset to the control Redis (issue 15): known answers on synthetic round trips, and a skew
/// injected into a real redis-server's client measured back within the stated uncertainty.
@Suite("clock offset to the control Redis")
struct ClockOffsetTests {
    @Test("symmetric delays give the offset exactly; the lowest round trip is the one kept; impossible samples are ignored")
    func knownAnswers() throws {
        // Server 1,000 µs ahead; round trips of 400, 100 (symmetric) and 900 µs (asymmetric: all the delay on the way back).
        let samples = [
            ClockOffset.Sample(sentMicros: 0, serverMicros: 1_200, receivedMicros: 400),
            ClockOffset.Sample(sentMicros: 10_000, serverMicros: 11_050, receivedMicros: 10_100),
            ClockOffset.Sample(sentMicros: 20_000, serverMicros: 21_000, receivedMicros: 20_900),
            ClockOffset.Sample(sentMicros: 30_000, serverMicros: 0, receivedMicros: 29_000),
        ]
        let estimate = try #require(ClockOffset.estimate(samples))
        #expect(estimate == ClockOffset(offsetMicros: 1_000, uncertaintyMicros: 50, samples: 4))
        // The asymmetric sample alone is off by 450 µs, within its own ± 450 µs.
        let skewed = try #require(ClockOffset.estimate([samples[2]]))
        #expect(skewed.offsetMicros == 550 && skewed.uncertaintyMicros == 450 && abs(skewed.offsetMicros - 1_000) <= skewed.uncertaintyMicros)
        #expect(ClockOffset.estimate([]) == nil && ClockOffset.estimate([samples[3]]) == nil)
    }

    @Test("a real redis-server on this host: 0 offset, and a 250 ms skew injected into the agent's clock measured back", arguments: [Int64(0), 250_000, -1_500_000])
    func measuredBack(skew: Int64) throws {
        let server = try RedisServer()
        let connection = try ControlConnection(url: server.url)
        let estimate = try #require(try ClockOffset.measure(connection, count: 16, localSkewMicros: skew))
        // The same host's clock: the control clock minus the skewed local one is −skew, to within the uncertainty (plus
        // the microsecond of TIME's resolution).
        #expect(abs(estimate.offsetMicros + skew) <= estimate.uncertaintyMicros + 1, "\(estimate)")
        // Loopback round trips are tens of µs; the bound only catches a nonsense estimate (a starved machine stretches them).
        #expect(estimate.samples == 16 && estimate.uncertaintyMicros < 500_000, "\(estimate)")
    }
}
