import Foundation
import Hummingbird
import ServiceLifecycle
import Testing
import TracebenchJudge
import TracebenchReport
import TracebenchResults
@testable import TracebenchRun
import TracebenchScenario
import TracebenchSink

/// A collector's own span counters from its Prometheus endpoint (`metrics_url`).
@Suite("Collector metrics")
struct CollectorMetricsTests {
    /// The shape otelcol-contrib serves on :8888/metrics (0.9x names, and the `_total` names of newer versions).
    static let otelcolText = """
    # HELP otelcol_receiver_accepted_spans Number of spans successfully pushed into the pipeline.
    # TYPE otelcol_receiver_accepted_spans counter
    otelcol_receiver_accepted_spans{receiver="otlp",service_instance_id="a b}c",transport="grpc"} 1200
    otelcol_receiver_accepted_spans{receiver="otlp",service_instance_id="x\\"y",transport="http"} 300 1700000000000
    otelcol_receiver_refused_spans{receiver="otlp",transport="grpc"} 5
    otelcol_exporter_sent_spans_total{exporter="otlphttp/tracebench"} 1490
    otelcol_exporter_send_failed_spans_total{exporter="otlphttp/tracebench"} 10
    otelcol_exporter_queue_size{exporter="otlphttp/tracebench"} 3
    otelcol_process_uptime 12.5
    not a sample
    """

    @Test func otelcolCountersAreSummedOverLabels() {
        let counters = PrometheusText.counters(Self.otelcolText)
        #expect(counters == CollectorCounters(acceptedSpans: 1500, refusedSpans: 5, sentSpans: 1490, sendFailedSpans: 10))
        #expect(PrometheusText.sample("otelcol_process_uptime 12.5")! == ("otelcol_process_uptime", 12.5))
        #expect(PrometheusText.sample("# TYPE x counter") == nil && PrometheusText.sample("x{a=\"unterminated} 1") == nil)
    }

    @Test func aRestartedCollectorCountsFromZero() {
        let before = CollectorCounters(acceptedSpans: 100, refusedSpans: 1, sentSpans: 90, sendFailedSpans: 0)
        let after = CollectorCounters(acceptedSpans: 150, refusedSpans: 1, sentSpans: 20, sendFailedSpans: 2)
        #expect(after.since(before) == CollectorCounters(acceptedSpans: 50, refusedSpans: 0, sentSpans: 20, sendFailedSpans: 2))
    }

    @Test("an attached collector's counters are read before and after the run; its own drops are reported")
    func attachedCollectorIsScraped() async throws {
        // The attached "collector" is a real OTLP receiver (tracebench's sink, standing alone); its metrics
        // endpoint reports what that receiver really accepted, plus a baseline, and claims it lost 7 spans.
        let receiver = OTLPSink()
        let otlpPort = try await receiver.start()
        let router = Router()
        router.get("/metrics") { _, _ in
            let received = receiver.store.spanCount
            return """
            otelcol_receiver_accepted_spans{receiver="otlp"} \(1000 + received)
            otelcol_receiver_refused_spans{receiver="otlp"} \(received > 0 ? 5 : 3)
            otelcol_exporter_sent_spans{exporter="otlp"} \(990 + max(0, received - 7))
            """
        }
        let (ports, portReady) = AsyncStream.makeStream(of: Int.self)
        let server = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                                 onServerRunning: { portReady.yield($0.localAddress?.port ?? 0); portReady.finish() })
        let group = ServiceGroup(configuration: .init(services: [server], logger: .init(label: "metrics")))
        let serving = Task { try await group.run() }
        var metricsPort = 0
        for await port in ports { metricsPort = port }

        var scenario = try TestSupport.scenario("firehose-rotel")
        scenario.durationSeconds = 2
        scenario.firehose.spansPerSecond = 2000
        scenario.collector = CollectorSpec(attach: .init(endpoint: "http://127.0.0.1:\(otlpPort)/v1/traces",
                                                         metricsURL: "http://127.0.0.1:\(metricsPort)/metrics"))
        let out = TestSupport.temporaryPath(".json")
        defer { TestSupport.discard(out) }
        let outcome = try await TestSupport.runSystem(scenario: scenario, options: RunOptions(outputPath: out, executablePath: TestSupport.tracebenchBinary, progress: false))
        await group.triggerGracefulShutdown()
        _ = try? await serving.value
        await receiver.stop()

        let r = outcome.results
        let c = try #require(r.collector)
        let sent = try #require(r.firehose).spansSent
        #expect(sent > 0 && receiver.store.spanCount == sent)
        #expect(c.reported == CollectorCounters(acceptedSpans: Double(sent), refusedSpans: 2, sentSpans: Double(sent - 7), sendFailedSpans: 0),
                "problems: \(r.problems.map(\.message))")
        #expect(c.measured == false && c.spansIn == sent && c.spansOut == sent - 7 && c.dropped == 7)
    }
}
