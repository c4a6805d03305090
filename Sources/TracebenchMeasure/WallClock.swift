#if canImport(Glibc)
import Glibc
#endif

/// Wall-clock time shared by every tracebench process on one machine (CLOCK_REALTIME), so that a timestamp
/// written by the API can be compared with one taken by a worker or the sink.
public enum WallClock {
    /// Microseconds since the Unix epoch.
    @inline(__always)
    public static func nowMicros() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1_000_000 + Int64(spec.tv_nsec) / 1000
    }

    /// Nanoseconds since the Unix epoch.
    @inline(__always)
    public static func nowNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}
