import Testing
import TracebenchAnalysis
import TracebenchResults
import TracebenchSink
import TracebenchVocabulary

/// Topology, critical path and root causes on crafted traces whose answers are known exactly.
@Suite("trace analytics", .computeOnly)
struct TraceAnalyticsTests {
    /// A span of trace `trace`, times in ms.
    static func span(_ id: UInt64, parent: UInt64 = 0, _ name: String, service: String = "svc", _ startMs: Double, _ endMs: Double,
                     error: Bool = false, trace: UInt64 = 1) -> ReceivedSpan {
        ReceivedSpan(traceID: TraceID(high: 0, low: trace), spanID: id, parentSpanID: parent, name: name, serviceName: service,
                     startNanos: UInt64(1_000_000_000 + startMs * 1e6), endNanos: UInt64(1_000_000_000 + endMs * 1e6),
                     isError: error, jobID: nil, receivedNanos: 0)
    }

    static func share(_ figures: CriticalPathFigures?, _ key: String) -> Double { figures?.segments[key]?.share.estimate ?? 0 }

    @Test("sequential children of 10, 40 and 50 ms: exactly 10/40/50 % of the path; the shares add up to 1")
    func sequentialSteps() throws {
        let spans = [
            Self.span(1, "process", 0, 100),
            Self.span(2, parent: 1, "a", 0, 10), Self.span(3, parent: 1, "b", 10, 50), Self.span(4, parent: 1, "c", 50, 100),
        ]
        let path = try #require(TraceAnalytics.analyse(spans: spans).criticalPath)
        #expect(path.traces == 1)
        #expect(abs(Self.share(path, "svc/a") - 0.1) < 1e-9 && abs(Self.share(path, "svc/b") - 0.4) < 1e-9 && abs(Self.share(path, "svc/c") - 0.5) < 1e-9)
        #expect(Self.share(path, "svc/process") < 1e-9)
        #expect(abs(path.segments.values.map(\.share.estimate).reduce(0, +) - 1) < 1e-9)
        #expect(path.segments["svc/b"]?.contribution.p50 == 40_000)
    }

    @Test("two parallel children: only the longer one is on the path; the parent's time around them is its own")
    func parallelChildren() throws {
        let spans = [
            Self.span(1, "fan-out", 0, 100),
            Self.span(2, parent: 1, "short", 5, 45), Self.span(3, parent: 1, "long", 5, 85),
        ]
        let path = try #require(TraceAnalytics.analyse(spans: spans).criticalPath)
        #expect(path.segments["svc/short"] == nil)
        #expect(abs(Self.share(path, "svc/long") - 0.8) < 1e-9 && abs(Self.share(path, "svc/fan-out") - 0.2) < 1e-9)
    }

    @Test("across a queue: the time between the enqueue span's end and the claim is a queue segment; edges are services")
    func queueSegmentAndTopology() throws {
        let spans = [
            Self.span(1, "POST /jobs", service: "api", 0, 5),
            Self.span(2, parent: 1, "enqueue", service: "api", 1, 3),
            Self.span(3, parent: 2, "claim", service: "worker", 20, 21),
            Self.span(4, parent: 2, "process", service: "worker", 21, 100, error: true),
            Self.span(5, parent: 4, "step", service: "worker", 21, 100, error: true),
        ]
        let analytics = TraceAnalytics.analyse(spans: spans)
        let path = try #require(analytics.criticalPath)
        #expect(abs(Self.share(path, SegmentKey.queue) - 0.17) < 1e-9, "\(path.segments.keys.sorted())")
        #expect(abs(Self.share(path, "worker/step") - 0.79) < 1e-9 && abs(Self.share(path, "worker/claim") - 0.01) < 1e-9)
        #expect(abs(Self.share(path, "api/POST /jobs") - 0.01) < 1e-9 && abs(Self.share(path, "api/enqueue") - 0.02) < 1e-9)
        let topology = try #require(analytics.topology)
        let edge = try #require(topology.edges[SegmentKey.edge(caller: "api", callee: "worker")])
        #expect(topology.edges.count == 1 && edge.calls == 2 && edge.errorShare.successes == 1 && edge.traceShare.ratio == 1)
        #expect(topology.nodes["api"]?.spans == 2 && topology.nodes["worker"]?.spans == 3)
        // The API span's own time: 5 ms less the enqueue span's 2 ms.
        #expect(topology.nodes["api"]?.selfTimeUs == 3000 + 2000)
        let cause = try #require(analytics.errors?.rootCauses["worker/step"])
        #expect(analytics.errors?.rootCauses.count == 1 && cause.propagation.maxLevels == 1 && cause.propagation.reachedRoot == 0)
    }

    @Test("errors at two known steps: each root cause explains its traces; propagation counts the ERROR chain to the root")
    func rootCauses() throws {
        var spans: [ReceivedSpan] = []
        for trace in UInt64(1) ... 10 {
            let failing = trace <= 3 ? "download" : "render"
            spans += [
                Self.span(1, "job", 0, 30, error: trace <= 8, trace: trace),
                Self.span(2, parent: 1, "workflow", 0, 30, error: trace <= 8, trace: trace),
                Self.span(3, parent: 2, failing, 0, 30, error: trace <= 8, trace: trace),
            ]
        }
        let errors = try #require(TraceAnalytics.analyse(spans: spans).errors)
        #expect(errors.traces == 8)
        let download = try #require(errors.rootCauses["svc/download"]), render = try #require(errors.rootCauses["svc/render"])
        #expect(download.share.successes == 3 && render.share.successes == 5 && render.share.trials == 8)
        #expect(download.propagation.meanLevels == 2 && download.propagation.reachedRoot == 3)
        #expect(errors.ranked.first?.key == "svc/render")
    }

    @Test("hostile traces are left out, never crash: two roots, a cycle, a missing parent, duplicates; 100,000 levels deep is fine")
    func hostileTraces() throws {
        let twoRoots = [Self.span(1, "a", 0, 1, trace: 1), Self.span(2, "b", 0, 1, trace: 1)]
        let cycle = [Self.span(1, "root", 0, 1, trace: 2), Self.span(2, parent: 3, "x", 0, 1, trace: 2), Self.span(3, parent: 2, "y", 0, 1, trace: 2)]
        let orphan = [Self.span(1, "root", 0, 1, trace: 3), Self.span(2, parent: 9, "lost", 0, 1, trace: 3)]
        let selfParent = [Self.span(1, "root", 0, 1, trace: 4), Self.span(2, parent: 2, "me", 0, 1, trace: 4)]
        #expect(TraceAnalytics.analyse(spans: twoRoots + cycle + orphan + selfParent).criticalPath == nil)

        // Duplicates count once; a child starting before its parent or ending before it starts is clamped.
        let skewed = [Self.span(1, "root", 10, 20, trace: 5), Self.span(1, "root", 10, 20, trace: 5), Self.span(2, parent: 1, "early", 0, 15, trace: 5),
                      Self.span(3, parent: 1, "backwards", 18, 12, trace: 5)]
        let path = try #require(TraceAnalytics.analyse(spans: skewed).criticalPath)
        #expect(abs(path.segments.values.map(\.share.estimate).reduce(0, +) - 1) < 1e-9)
        #expect(abs(Self.share(path, "svc/early") - 0.5) < 1e-9)

        let deep = (UInt64(1) ... 100_000).map { Self.span($0, parent: $0 - 1, "level", Double($0) * 0.001, 200, trace: 6) }
        let analytics = TraceAnalytics.analyse(spans: deep)
        #expect(analytics.criticalPath?.traces == 1 && abs(Self.share(analytics.criticalPath, "svc/level") - 1) < 1e-9)
    }

    @Test("only the traces the run owns are analysed; bands split the traces by end-to-end rank")
    func ownedTracesAndBands() throws {
        var spans: [ReceivedSpan] = []
        for trace in UInt64(1) ... 100 {
            let slow = trace > 90
            spans += [Self.span(1, "job", 0, slow ? 100 : 10, trace: trace),
                      Self.span(2, parent: 1, slow ? "slow-step" : "step", 0, slow ? 90 : 5, trace: trace)]
        }
        let analytics = TraceAnalytics.analyse(spans: spans, owned: { $0.low <= 100 && $0.low != 7 })
        let path = try #require(analytics.criticalPath)
        #expect(path.traces == 99)
        let top = try #require(path.bands.last)
        #expect(top.band == "p99-p100" && top.traces == 1 && abs((top.shares["svc/slow-step"] ?? 0) - 0.9) < 1e-9)
        #expect(path.bands.first?.shares["svc/slow-step"] == nil)
        let slowShare = try #require(path.segments["svc/slow-step"]?.share)
        #expect(slowShare.ciLow < 10.0 * 0.9 / 99 && 10.0 * 0.9 / 99 < slowShare.ciHigh && slowShare.ciLow > 0)
    }
}
