/// Synthetic spans sent straight to the collector (or the embedded sink) over OTLP (HTTP or gRPC) at a constant rate, with no
/// Redis pipeline: the OpenTelemetry Collector testbed's kind of load, to push a collector to 10k–100k+ spans/s.
public struct FirehoseSpec: Codable, Sendable, Equatable {
    public var spansPerSecond: Double
    public var spansPerTrace: Int
    /// Spans per export request.
    public var batchSpans: Int
    /// Most requests in flight; a batch due while all are busy is dropped and counted, never delayed.
    public var concurrency: Int
    /// String attributes per span, each value `attributeBytes` long.
    public var attributes: Int
    public var attributeBytes: Int
    /// Share of spans marked ERROR.
    public var errorRatio: Double
    /// `http/protobuf` (POST /v1/traces) or `grpc` (TraceService/Export).
    public var `protocol`: TracingSpec.WireProtocol

    public init(spansPerSecond: Double = 1000, spansPerTrace: Int = 5, batchSpans: Int = 500, concurrency: Int = 4,
                attributes: Int = 5, attributeBytes: Int = 16, errorRatio: Double = 0, protocol: TracingSpec.WireProtocol = .httpProtobuf) {
        self.protocol = `protocol`
        self.spansPerSecond = spansPerSecond
        self.spansPerTrace = spansPerTrace
        self.batchSpans = batchSpans
        self.concurrency = concurrency
        self.attributes = attributes
        self.attributeBytes = attributeBytes
        self.errorRatio = errorRatio
    }
}

/// A capacity sweep: firehose steps at rising spans/s until a limit breaks; the knee is the highest passing rate.
public struct CapacitySpec: Codable, Sendable, Equatable {
    public var startSpansPerSecond: Double
    /// Each step's rate is the previous one's times this.
    public var stepFactor: Double
    public var maxSteps: Int
    public var stepSeconds: Double
    /// A step fails when more than this share of spans is lost…
    public var maxDropRatio: Double
    /// …or the p99 from span end to arrival at the sink exceeds this…
    public var maxVisibilityP99Seconds: Double
    /// …or the collector's average CPU exceeds this (percent of one core)…
    public var maxCollectorCPUPercent: Double
    /// …or the collector's RSS exceeds this.
    public var maxCollectorRSSMiB: Double
    /// The plan: collectors needed for this many traces per minute.
    public var targetTracesPerMinute: Double

    /// What is stepped: synthetic spans into the collector (`firehose`), or jobs through the whole traced pipeline.
    public enum Mode: String, Codable, Sendable, CaseIterable { case firehose, jobs }
    public var mode = Mode.firehose
    /// Jobs mode: the first step's offered jobs/s (constant arrivals, the scenario's workers and job mix).
    public var startJobsPerSecond = 25.0
    /// Jobs mode: a step fails when queue wait p99, end-to-end p99 or an SDK process's RSS goes over these, or
    /// arrivals are dropped, spans are dropped, or jobs are left pending.
    public var maxQueueWaitP99Ms = 1_000.0
    public var maxEndToEndP99Ms = 10_000.0
    public var maxSDKRSSMiB = 256.0
    /// Jobs mode: the plan's target (workers needed for it).
    public var targetJobsPerMinute = 6_000.0

    public init(startSpansPerSecond: Double = 5000, stepFactor: Double = 2, maxSteps: Int = 6, stepSeconds: Double = 8,
                maxDropRatio: Double = 0.001, maxVisibilityP99Seconds: Double = 10, maxCollectorCPUPercent: Double = 100,
                maxCollectorRSSMiB: Double = 100, targetTracesPerMinute: Double = 500) {
        self.startSpansPerSecond = startSpansPerSecond
        self.stepFactor = stepFactor
        self.maxSteps = maxSteps
        self.stepSeconds = stepSeconds
        self.maxDropRatio = maxDropRatio
        self.maxVisibilityP99Seconds = maxVisibilityP99Seconds
        self.maxCollectorCPUPercent = maxCollectorCPUPercent
        self.maxCollectorRSSMiB = maxCollectorRSSMiB
        self.targetTracesPerMinute = targetTracesPerMinute
    }
}
