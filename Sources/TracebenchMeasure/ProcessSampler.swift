import Foundation
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One reading of a process's CPU time and memory, taken from Linux `/proc`.
public struct ProcessSample: Sendable, Equatable {
    /// User plus system CPU time consumed so far (`utime + stime` of `/proc/<pid>/stat`), in seconds.
    public var cpuSeconds: Double
    /// Resident set size now (`VmRSS` of `/proc/<pid>/status`), in bytes.
    public var rssBytes: UInt64
    /// Largest resident set size so far (`VmHWM` of `/proc/<pid>/status`), in bytes.
    public var peakRSSBytes: UInt64

    public init(cpuSeconds: Double, rssBytes: UInt64, peakRSSBytes: UInt64) {
        self.cpuSeconds = cpuSeconds
        self.rssBytes = rssBytes
        self.peakRSSBytes = peakRSSBytes
    }
}

/// Reads ``ProcessSample``s of running processes from Linux `/proc` (no sampling on other systems).
public enum ProcessSampler {
    /// A sample of process `pid`, or nil when it is gone: no such process, a zombie (exited, not yet reaped),
    /// or `/proc` unreadable.
    public static func sample(pid: Int32) -> ProcessSample? {
        guard pid > 0,
              let statText = readProcFile("/proc/\(pid)/stat"),
              let stat = parseStat(statText),
              stat.state != "Z", stat.state != "X", stat.state != "x"
        else { return nil }
        // A process can exit between the two reads; then it is gone too.
        guard let statusText = readProcFile("/proc/\(pid)/status") else { return nil }
        let memory = parseStatus(statusText)
        let cpuSeconds = Double(stat.utimeTicks + stat.stimeTicks) / clockTicksPerSecond
        return ProcessSample(cpuSeconds: cpuSeconds, rssBytes: memory.rssBytes, peakRSSBytes: memory.peakRSSBytes)
    }

    /// One sample of a whole process group (a launched system: its shell, interpreters, workers, its own Redis…):
    /// CPU seconds and RSS summed over the group's live members, found by scanning `/proc`; nil when none is left.
    /// The peak is the largest sum seen (each member's own high-water mark is not summed: they peak at other times).
    /// CPU of a member that has exited is counted once its parent has waited for it (`cutime`/`cstime` of the parent).
    public static func sampleGroup(pgid: Int32) -> ProcessSample? {
        guard pgid > 0, let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        var cpuTicks: UInt64 = 0, rss: UInt64 = 0, members = 0
        for entry in entries {
            guard let pid = Int32(entry), let text = readProcFile("/proc/\(pid)/stat"), let stat = parseStat(text), stat.processGroup == pgid,
                  stat.state != "Z", stat.state != "X", stat.state != "x", let status = readProcFile("/proc/\(pid)/status")
            else { continue }
            members += 1
            cpuTicks &+= stat.utimeTicks &+ stat.stimeTicks &+ stat.childrenTicks
            rss &+= parseStatus(status).rssBytes
        }
        guard members > 0 else { return nil }
        return ProcessSample(cpuSeconds: Double(cpuTicks) / clockTicksPerSecond, rssBytes: rss, peakRSSBytes: rss)
    }

    /// Fields of `/proc/<pid>/stat` that tracebench uses.
    struct Stat: Equatable {
        var state: Character
        var utimeTicks: UInt64
        var stimeTicks: UInt64
        /// `pgrp` (field 5).
        var processGroup: Int32 = 0
        /// `cutime` + `cstime` (fields 16, 17): CPU of children this process has waited for.
        var childrenTicks: UInt64 = 0
    }

    /// Parses `/proc/<pid>/stat`: `pid (comm) state ppid … utime stime …`.
    ///
    /// `comm` may itself contain spaces and `)`, so the fields are split after the *last* `)`; there, the state is
    /// field 3 of proc(5), utime field 14 and stime field 15.
    static func parseStat(_ text: String) -> Stat? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        let fields = text[text.index(after: close)...].split(whereSeparator: { $0 == " " || $0 == "\n" })
        // fields[0] is field 3 (state), so field k is fields[k - 3].
        guard fields.count > 12, let state = fields[0].first, fields[0].count == 1,
              let utime = UInt64(fields[11]), let stime = UInt64(fields[12])
        else { return nil }
        let children = fields.count > 14 ? (UInt64(fields[13]) ?? 0) &+ (UInt64(fields[14]) ?? 0) : 0
        return Stat(state: state, utimeTicks: utime, stimeTicks: stime, processGroup: Int32(fields[2]) ?? 0, childrenTicks: children)
    }

    /// Parses `VmRSS` and `VmHWM` (reported in kB) out of `/proc/<pid>/status`; a missing line reads as 0.
    static func parseStatus(_ text: String) -> (rssBytes: UInt64, peakRSSBytes: UInt64) {
        var rss: UInt64 = 0
        var hwm: UInt64 = 0
        for line in text.split(separator: "\n") {
            if line.hasPrefix("VmRSS:") {
                rss = kilobytes(line.dropFirst("VmRSS:".count)) ?? 0
            } else if line.hasPrefix("VmHWM:") {
                hwm = kilobytes(line.dropFirst("VmHWM:".count)) ?? 0
            }
        }
        return (rss, hwm)
    }

    /// Bytes of a `   12345 kB` value.
    private static func kilobytes(_ value: Substring) -> UInt64? {
        let parts = value.split(whereSeparator: { $0 == " " || $0 == "\t" })
        guard let number = parts.first.flatMap({ UInt64($0) }) else { return nil }
        let unit = parts.count > 1 ? parts[1].lowercased() : "kb"
        switch unit {
        case "kb": return number &* 1024
        case "mb": return number &* 1024 * 1024
        case "b": return number
        default: return number &* 1024
        }
    }

    /// `sysconf(_SC_CLK_TCK)`: the unit of utime and stime (100 on practically every Linux).
    static let clockTicksPerSecond: Double = {
        #if os(Linux)
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? Double(ticks) : 100
        #else
        return 100
        #endif
    }()

    /// The whole content of a (procfs) file, or nil when it cannot be opened.
    ///
    /// Read with plain `read(2)` in a loop: procfs files report a size of 0, and this keeps the one read per call
    /// cheap and free of Foundation.
    static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if n > 0 {
                bytes.append(contentsOf: chunk[0 ..< n])
            } else if n == 0 {
                break
            } else if errno == EINTR {
                continue
            } else {
                // ESRCH: the process exited after the open.
                return nil
            }
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

/// What a watched process used over a run: peak and average memory, CPU time and CPU load.
public struct ProcessUsage: Codable, Sendable, Equatable {
    /// Largest resident set size seen (the maximum of every sample's `VmHWM` and `VmRSS`), in bytes.
    public var peakRssBytes: UInt64
    /// CPU time (user + system) at the latest sample, in seconds: the process's whole life, or since
    /// ``cpuBaselineSeconds`` for a process that was running before it was watched (the coordinator).
    public var cpuSeconds: Double
    /// CPU time the process had used when it started being watched, subtracted from every sample (0: count its life).
    public var cpuBaselineSeconds: Double = 0
    /// Number of samples added.
    public var samples: Int
    /// Mean and largest `VmRSS` over the samples, in bytes.
    public var rssBytesAvg: Double = 0
    public var rssBytesMax: UInt64 = 0
    /// CPU load in percent of one core: over the whole sampled span, and the largest between two samples.
    public var cpuPercentAvg: Double = 0
    public var cpuPercentMax: Double = 0

    /// RSS once per sample: seconds since the monitor started → bytes (for growth during a stall, and when a
    /// ceiling was first breached).
    public var rssTimeline: [RSSPoint] = []

    private var first: (cpu: Double, nanos: UInt64)?
    private var last: (cpu: Double, nanos: UInt64)?
    private var rssSum: Double = 0

    enum CodingKeys: String, CodingKey {
        case peakRssBytes = "peak_rss_bytes", cpuSeconds = "cpu_seconds", samples, rssBytesAvg = "rss_bytes_avg"
        case rssBytesMax = "rss_bytes_max", cpuPercentAvg = "cpu_percent_avg", cpuPercentMax = "cpu_percent_max"
        case rssTimeline = "rss_timeline"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(peakRssBytes: try c(.peakRssBytes, 0), cpuSeconds: try c(.cpuSeconds, 0), samples: try c(.samples, 0))
        rssBytesAvg = try c(.rssBytesAvg, 0)
        rssBytesMax = try c(.rssBytesMax, 0)
        cpuPercentAvg = try c(.cpuPercentAvg, 0)
        cpuPercentMax = try c(.cpuPercentMax, 0)
        rssTimeline = try c(.rssTimeline, [])
    }

    public init(peakRssBytes: UInt64 = 0, cpuSeconds: Double = 0, samples: Int = 0) {
        self.peakRssBytes = peakRssBytes
        self.cpuSeconds = cpuSeconds
        self.samples = samples
    }

    /// Folds in one sample taken at `nanos` (a monotonic clock), which must be newer than the ones before.
    public mutating func add(_ s: ProcessSample, atNanos nanos: UInt64 = ProcessUsage.monotonicNanos(), originNanos: UInt64? = nil) {
        if let originNanos, nanos >= originNanos {
            rssTimeline.append(RSSPoint(seconds: (Double((nanos - originNanos) / 1_000_000) / 1000), rssBytes: s.rssBytes))
        }
        peakRssBytes = Swift.max(peakRssBytes, s.peakRSSBytes, s.rssBytes)
        cpuSeconds = Swift.max(0, s.cpuSeconds - cpuBaselineSeconds)
        samples += 1
        rssSum += Double(s.rssBytes)
        rssBytesAvg = rssSum / Double(samples)
        rssBytesMax = Swift.max(rssBytesMax, s.rssBytes)
        if let last, nanos > last.nanos {
            cpuPercentMax = Swift.max(cpuPercentMax, (s.cpuSeconds - last.cpu) / (Double(nanos - last.nanos) / 1e9) * 100)
        }
        if let first, nanos > first.nanos {
            cpuPercentAvg = (s.cpuSeconds - first.cpu) / (Double(nanos - first.nanos) / 1e9) * 100
        }
        if first == nil { first = (s.cpuSeconds, nanos) }
        last = (s.cpuSeconds, nanos)
    }

    /// How much RSS grew over the run: the median RSS of the timeline's last tenth ÷ the median of its second tenth
    /// (the first tenth is start-up). For an hour's soak, minutes 54–60 against 6–12: a flat process reads 1.0. Nil
    /// with fewer than 20 samples (not measured).
    public var rssGrowthRatio: Double? {
        let n = rssTimeline.count
        guard n >= 20 else { return nil }
        func median(_ slice: ArraySlice<RSSPoint>) -> Double {
            let sorted = slice.map(\.rssBytes).sorted()
            return Double(sorted[sorted.count / 2])
        }
        let early = median(rssTimeline[n / 10 ..< n / 5]), late = median(rssTimeline[(n - n / 10)...])
        return early > 0 ? late / early : nil
    }

    public static func == (a: ProcessUsage, b: ProcessUsage) -> Bool {
        a.peakRssBytes == b.peakRssBytes && a.cpuSeconds == b.cpuSeconds && a.samples == b.samples
            && a.rssBytesAvg == b.rssBytesAvg && a.rssBytesMax == b.rssBytesMax
            && a.cpuPercentAvg == b.cpuPercentAvg && a.cpuPercentMax == b.cpuPercentMax && a.rssTimeline == b.rssTimeline
    }

    /// CLOCK_MONOTONIC in nanoseconds.
    public static func monotonicNanos() -> UInt64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return UInt64(spec.tv_sec) * 1_000_000_000 + UInt64(spec.tv_nsec)
    }
}

/// One point of a process's RSS over time.
public struct RSSPoint: Codable, Sendable, Equatable {
    /// Seconds since the resource monitor started.
    public var seconds: Double
    public var rssBytes: UInt64

    enum CodingKeys: String, CodingKey {
        case seconds, rssBytes = "rss_bytes"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(seconds: try c(.seconds, 0), rssBytes: try c(.rssBytes, 0))
    }

    public init(seconds: Double, rssBytes: UInt64) {
        self.seconds = seconds
        self.rssBytes = rssBytes
    }
}
