import Foundation
import Histogram
import Testing
@testable import TracebenchMeasure

@Suite("LatencyHistogram")
struct LatencyHistogramTests {
    private func uniform(_ range: ClosedRange<Int64>) -> LatencyHistogram {
        var histogram = LatencyHistogram()
        for value in range { histogram.record(microseconds: value) }
        return histogram
    }

    @Test func percentilesOfUniformData() {
        let summary = uniform(1 ... 1000).summary()
        #expect(summary.count == 1000)
        #expect(abs(Double(summary.p50) - 500) <= 0.5)
        #expect(abs(Double(summary.p90) - 900) <= 0.9)
        #expect(abs(Double(summary.p99) - 990) <= 1)
        #expect(summary.max == 1000)
        #expect(abs(summary.mean - 500.5) < 0.5)
    }

    @Test func percentilesKeepThreeSignificantDigitsAtLargeValues() {
        var histogram = LatencyHistogram()
        for i in 1 ... 1000 { histogram.record(microseconds: Int64(i) * 1000) }  // 1 ms … 1 s
        let summary = histogram.summary()
        #expect(abs(Double(summary.p50) - 500_000) / 500_000 < 0.001)
        #expect(abs(Double(summary.p99) - 990_000) / 990_000 < 0.001)
        #expect(summary.max == 1_000_000)
    }

    @Test("every figure equals hdrhistogram-swift's own Histogram fed the same values: recording into the shared layout loses nothing")
    func figuresEqualTheLibrarys() {
        var random = SeededGenerator(seed: 0x4C41_5445)
        for round in 0..<20 {
            var ours = LatencyHistogram()
            var library = Histogram<UInt64>(lowestDiscernibleValue: 1, highestTrackableValue: LatencyHistogram.highestTrackableMicroseconds,
                                            numberOfSignificantValueDigits: .three)
            var halves = (LatencyHistogram(), LatencyHistogram())
            for index in 0..<Int(random.next() % 3000 + 1) {
                // Log-uniform over 0 µs … ~10 minutes, and repeated values.
                let value = index % 7 == 0 ? 250 : Int64(exp(random.nextUnit() * log(600e6)) - 1)
                ours.record(microseconds: value)
                library.record(UInt64(value))
                if index % 2 == 0 { halves.0.record(microseconds: value) } else { halves.1.record(microseconds: value) }
            }
            halves.0.merge(halves.1)
            for histogram in [ours, halves.0] {
                let summary = histogram.summary()
                #expect(summary.count == library.totalCount && summary.max == library.maxRecorded && summary.mean == library.mean, "round \(round)")
                for p in [0.0, 1, 25, 50, 90, 99, 99.9, 99.99, 100] {
                    #expect(histogram.value(atPercentile: p) == library.valueAtPercentile(p), "round \(round) p\(p)")
                }
                #expect(histogram.buckets.map(\.count).reduce(0, +) == library.totalCount)
            }
            #expect(ours.summary() == halves.0.summary())
        }
    }

    @Test func emptySummaryIsAllZeros() {
        let histogram = LatencyHistogram()
        #expect(histogram.count == 0)
        #expect(histogram.summary() == LatencySummary(count: 0, p50: 0, p90: 0, p99: 0, max: 0, mean: 0))
    }

    @Test func mergeEqualsRecordingEverything() {
        var low = uniform(1 ... 500)
        low.record(microseconds: -3)
        var high = uniform(501 ... 1000)
        high.record(microseconds: 5_000_000_000)
        var all = uniform(1 ... 1000)
        all.record(microseconds: -3)
        all.record(microseconds: 5_000_000_000)

        low.merge(high)
        #expect(low.count == 1002)
        #expect(low.negative == 1)
        #expect(low.clamped == 1)
        #expect(low.summary() == all.summary())
    }

    @Test func mergingAnEmptyHistogramChangesNothing() {
        var histogram = uniform(1 ... 100)
        let before = histogram.summary()
        histogram.merge(LatencyHistogram())
        #expect(histogram.summary() == before)
        var empty = LatencyHistogram()
        empty.merge(histogram)
        #expect(empty.summary() == before)
    }

    @Test func valuesAboveOneHourClampToTheMaximum() {
        var histogram = LatencyHistogram()
        histogram.record(microseconds: 100)
        histogram.record(microseconds: 7_200_000_000)  // 2 h
        histogram.record(microseconds: .max)
        histogram.record(microseconds: 3_600_000_000)  // exactly 1 h: not clamped
        #expect(histogram.count == 4)
        #expect(histogram.clamped == 2)
        #expect(histogram.summary().max == LatencyHistogram.highestTrackableMicroseconds)
    }

    @Test func negativeValuesRecordAsZero() {
        var histogram = LatencyHistogram()
        histogram.record(microseconds: -5)
        histogram.record(microseconds: .min)
        #expect(histogram.count == 2)
        #expect(histogram.negative == 2)
        #expect(histogram.clamped == 0)
        let summary = histogram.summary()
        #expect(summary.p50 == 0 && summary.max == 0 && summary.mean == 0)
    }

    @Test func summaryRoundTripsThroughJSON() throws {
        let summary = uniform(1 ... 1000).summary()
        let decoded = try JSONDecoder().decode(LatencySummary.self, from: JSONEncoder().encode(summary))
        #expect(decoded == summary)
    }
}

@Suite("Wilson interval")
struct WilsonIntervalTests {
    private func expectClose(_ actual: Double, _ expected: Double, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(abs(actual - expected) < 0.0005, "\(actual) is not \(expected) to 3 decimals", sourceLocation: sourceLocation)
    }

    @Test(arguments: [
        (0, 10, 0.0, 0.0, 0.2775),
        (5, 10, 0.5, 0.2366, 0.7634),
        (81, 263, 0.3080, 0.2553, 0.3662),
        (10, 10, 1.0, 0.7225, 1.0),
        (1, 1000, 0.001, 0.0002, 0.0057),
    ])
    func knownValues(successes: Int, trials: Int, ratio: Double, low: Double, high: Double) {
        let estimate = ProportionEstimate.wilson(successes: successes, trials: trials)
        #expect(estimate.successes == successes)
        #expect(estimate.trials == trials)
        expectClose(estimate.ratio, ratio)
        expectClose(estimate.ciLow, low)
        expectClose(estimate.ciHigh, high)
    }

    @Test func boundsAreExactAtTheExtremes() {
        #expect(ProportionEstimate.wilson(successes: 0, trials: 7).ciLow == 0)
        #expect(ProportionEstimate.wilson(successes: 7, trials: 7).ciHigh == 1)
    }

    @Test func noTrialsMeansNothingIsKnown() {
        let estimate = ProportionEstimate.wilson(successes: 0, trials: 0)
        #expect(estimate == ProportionEstimate(successes: 0, trials: 0, ratio: 0, ciLow: 0, ciHigh: 1))
    }

    @Test func widerZWidensTheInterval() {
        let narrow = ProportionEstimate.wilson(successes: 30, trials: 100, z: 1)
        let wide = ProportionEstimate.wilson(successes: 30, trials: 100, z: 3)
        #expect(wide.ciLow < narrow.ciLow && narrow.ciHigh < wide.ciHigh)
        #expect(narrow.ciLow < 0.3 && 0.3 < narrow.ciHigh)
    }
}

@Suite("ProcessSampler")
struct ProcessSamplerTests {
    /// Starts `executable` with `arguments`, or records an issue if it cannot.
    private func spawn(_ executable: String, _ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        try process.run()
        return process
    }

    /// Kills `process` and reaps it. SIGKILL, not `terminate()`: on Linux, Foundation's `Process` started from a
    /// Dispatch/Swift-concurrency thread passes that thread's signal mask on, so the child has SIGTERM blocked
    /// (swiftlang/swift-corelibs-foundation#4772).
    private func kill(_ process: Process) {
        _ = Foundation.kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private var sleepPath: String {
        FileManager.default.isExecutableFile(atPath: "/bin/sleep") ? "/bin/sleep" : "/usr/bin/sleep"
    }

    @Test func currentProcess() throws {
        // Burn a little CPU so that at least one clock tick is accounted.
        var x = 0.0
        for i in 0 ..< 2_000_000 { x += Double(i).squareRoot() }
        #expect(x > 0)
        let sample = try #require(ProcessSampler.sample(pid: getpid()))
        #expect(sample.cpuSeconds > 0)
        #expect(sample.rssBytes > 1_000_000)
        #expect(sample.peakRSSBytes >= sample.rssBytes)
    }

    @Test("a process group is sampled whole: two children holding 60 MB each count, the small leader alone does not")
    func processGroup() async throws {
        // A small Python leader of its own process group (pgid = its pid: setsid, unless it already leads one) whose two
        // Python children each hold 60 MB.
        let leader = """
            import os, subprocess, sys
            try:
                os.setsid()
            except OSError:
                pass
            hold = "import time; b = bytearray(60_000_000); b[::4096] = b'x' * len(b[::4096]); time.sleep(30)"
            children = [subprocess.Popen([sys.executable, "-c", hold]) for _ in range(2)]
            for child in children:
                child.wait()
            """
        // Under the whole parallel suite the leader once vanished (the group empty, sampleGroup nil): a leader that is
        // gone cannot be judged, so it is started again (at most 3 times); a live group sampled as nil still fails.
        var whole: ProcessSample?
        var group = try spawn("/bin/sh", ["-c", "exec python3 -c \"$0\"", leader])
        defer {
            _ = Foundation.kill(-group.processIdentifier, SIGKILL)
            group.waitUntilExit()
        }
        for attempt in 1 ... 3 {
            for _ in 0 ..< 150 {  // until both children have touched their 60 MB (at most 15 s)
                whole = ProcessSampler.sampleGroup(pgid: group.processIdentifier)
                if let whole, whole.rssBytes > 120_000_000 { break }
                try await Task.sleep(for: .milliseconds(100))
            }
            guard whole == nil, !group.isRunning, attempt < 3 else { break }
            print("process group test: the leader exited (status \(group.terminationStatus), reason \(group.terminationReason.rawValue)); starting it again")
            _ = Foundation.kill(-group.processIdentifier, SIGKILL)
            group = try spawn("/bin/sh", ["-c", "exec python3 -c \"$0\"", leader])
        }
        let sample = try #require(whole)
        let alone = try #require(ProcessSampler.sample(pid: group.processIdentifier))
        #expect(sample.rssBytes > 120_000_000 && sample.rssBytes < 200_000_000, "group RSS \(sample.rssBytes)")
        #expect(alone.rssBytes < 30_000_000 && sample.cpuSeconds >= alone.cpuSeconds, "leader RSS \(alone.rssBytes)")
        #expect(ProcessSampler.sampleGroup(pgid: 999_999_999) == nil)
    }

    @Test("known answer: a child that burned 0.8 CPU-s and freed the 80 MB it had touched reads 0.8 s and a peak of at least 80 MB",
          .timeLimit(.minutes(1)))
    func cpuAndPeakOfAKnownChild() throws {
        // The figures every host's cost is built from (workers, collector, coordinator, agents). process_time counts
        // this process's user + system CPU, as the kernel's accounting that ProcessSampler reads does.
        let burn = """
            import sys, time
            b = bytearray(80_000_000)
            b[::4096] = b"x" * len(b[::4096])
            del b
            start = time.process_time()
            while time.process_time() - start < 0.8:
                pass
            print(time.process_time(), flush=True)
            time.sleep(30)
            """
        let pipe = Pipe()
        let child = Process()
        child.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        child.arguments = ["python3", "-c", burn]
        child.standardOutput = pipe
        try child.run()
        defer { kill(child) }
        // Its own count of CPU seconds, once the burn is over.
        let line = String(decoding: pipe.fileHandleForReading.availableData, as: UTF8.self)
        let own = try #require(Double(line.trimmingCharacters(in: .whitespacesAndNewlines)), "\(line)")
        let sample = try #require(ProcessSampler.sample(pid: child.processIdentifier))
        #expect(own >= 0.8 && abs(sample.cpuSeconds - own) <= 0.05, "sampled \(sample.cpuSeconds) s, the child counted \(own) s")
        #expect(sample.peakRSSBytes >= 80_000_000 && sample.rssBytes < 40_000_000, "peak \(sample.peakRSSBytes), now \(sample.rssBytes)")
    }

    @Test func childProcessUntilItIsGone() throws {
        let child = try spawn(sleepPath, ["30"])
        let pid = child.processIdentifier
        let sample = ProcessSampler.sample(pid: pid)
        kill(child)
        let running = try #require(sample)
        #expect(running.rssBytes > 0)
        #expect(running.cpuSeconds >= 0)
        #expect(ProcessSampler.sample(pid: pid) == nil)
    }

    @Test func commandNameWithSpacesAndParentheses() throws {
        // comm is the executable's file name: a symlink named `a) (b c)` runs sleep under that name.
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("tracebench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let link = directory.appendingPathComponent("a) (b c) 1 2")
        try FileManager.default.createSymbolicLink(atPath: link.path, withDestinationPath: sleepPath)
        let child = try spawn(link.path, ["30"])
        defer { kill(child) }
        let comm = try String(contentsOfFile: "/proc/\(child.processIdentifier)/comm", encoding: .utf8)
        #expect(comm.contains(")"))
        let sample = try #require(ProcessSampler.sample(pid: child.processIdentifier))
        #expect(sample.rssBytes > 0)
    }

    @Test func parseStatFromTheLastParenthesis() throws {
        var fields = ["R", "1"] + Array(repeating: "0", count: 9) + ["250", "50"] + Array(repeating: "7", count: 30)
        fields[0] = "S"
        fields[2] = "77"  // pgrp; cutime and cstime (fields 16, 17) are 7 each
        let line = "4242 (evil) S 1 2 (x)) " + fields.joined(separator: " ") + "\n"
        let stat = try #require(ProcessSampler.parseStat(line))
        #expect(stat == ProcessSampler.Stat(state: "S", utimeTicks: 250, stimeTicks: 50, processGroup: 77, childrenTicks: 14))
        #expect(ProcessSampler.parseStat("garbage") == nil)
        #expect(ProcessSampler.parseStat("1 (x) S 1 2") == nil)
    }

    @Test func parseStatus() {
        let text = "Name:\tx\nVmPeak:\t  9999 kB\nVmHWM:\t    2004 kB\nVmRSS:\t    1000 kB\nThreads:\t1\n"
        let memory = ProcessSampler.parseStatus(text)
        #expect(memory.rssBytes == 1000 * 1024)
        #expect(memory.peakRSSBytes == 2004 * 1024)
        #expect(ProcessSampler.parseStatus("Name:\tzombie\n") == (0, 0))
    }

    @Test func goneOrInvalidPids() {
        #expect(ProcessSampler.sample(pid: 0) == nil)
        #expect(ProcessSampler.sample(pid: -1) == nil)
        #expect(ProcessSampler.sample(pid: Int32.max) == nil)
    }

    @Test func usageKeepsPeakAndLatestCPU() {
        var usage = ProcessUsage()
        usage.add(ProcessSample(cpuSeconds: 1, rssBytes: 100, peakRSSBytes: 300), atNanos: 0)
        usage.add(ProcessSample(cpuSeconds: 1.5, rssBytes: 500, peakRSSBytes: 400), atNanos: 1_000_000_000)  // RSS above a stale HWM
        usage.add(ProcessSample(cpuSeconds: 3, rssBytes: 300, peakRSSBytes: 200), atNanos: 2_000_000_000)
        #expect(usage.peakRssBytes == 500 && usage.cpuSeconds == 3 && usage.samples == 3)
        // Known answers: 0.5 s then 1.5 s of CPU in two 1 s intervals; RSS 100, 500, 300.
        #expect(usage.cpuPercentMax == 150 && usage.cpuPercentAvg == 100)
        #expect(usage.rssBytesAvg == 300 && usage.rssBytesMax == 500)
    }

    @Test(.timeLimit(.minutes(1)))
    func resourceMonitorSamplesABusyChild() async throws {
        let busy = try spawn("/bin/sh", ["-c", "while :; do :; done"])
        defer { kill(busy) }
        let monitor = ResourceMonitor()
        monitor.watch(name: "busy", pid: busy.processIdentifier)
        monitor.watch(name: "gone", pid: Int32.max)
        monitor.start()
        monitor.start()  // idempotent
        try await Task.sleep(for: .milliseconds(2200))
        monitor.stop()
        let usage = monitor.usage()
        let busyUsage = try #require(usage["busy"])
        #expect(busyUsage.samples >= 2)
        #expect(busyUsage.cpuSeconds > 0)
        #expect(busyUsage.peakRssBytes > 0)
        #expect(usage["gone"] == ProcessUsage())
    }

    /// A process watched from now counts only the CPU it uses afterwards: against the same process watched for its
    /// whole life, sampled at the same instants, the difference is exactly what it had used when the watch began.
    @Test(.timeLimit(.minutes(1)))
    func watchFromNowCountsOnlyLaterCPU() async throws {
        let busy = try spawn("/bin/sh", ["-c", "while :; do :; done"])
        defer { kill(busy) }
        let monitor = ResourceMonitor()
        monitor.watch(name: "life", pid: busy.processIdentifier)
        try await Task.sleep(for: .milliseconds(700))
        monitor.watchFromNow(name: "since", pid: busy.processIdentifier)
        try await Task.sleep(for: .milliseconds(500))
        monitor.sampleNow()
        let usage = monitor.usage()
        let life = try #require(usage["life"]), since = try #require(usage["since"])
        #expect(since.cpuBaselineSeconds > 0, "the child had used CPU before the watch began")
        #expect(since.cpuSeconds >= 0 && since.cpuSeconds < life.cpuSeconds)
        #expect(abs(life.cpuSeconds - since.cpuSeconds - since.cpuBaselineSeconds) < 0.05)
    }

    @Test func resourceMonitorSampleNowAndStop() throws {
        let monitor = ResourceMonitor(interval: .milliseconds(10))
        monitor.watch(name: "self", pid: getpid())
        monitor.sampleNow()
        monitor.sampleNow()
        #expect(monitor.usage()["self"]?.samples == 2)
        monitor.stop()  // never started: harmless
        #expect(monitor.usage()["self"]?.samples == 2)
    }
}
