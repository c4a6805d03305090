import Foundation
import Hummingbird
import Logging
import ServiceLifecycle
import TracebenchRedis
import TracebenchScenario
import TracebenchVocabulary
import Tracing

/// Entry points of the pipeline's child processes (`tracebench api`, `tracebench worker`).
///
/// Each process bootstraps its own tracer (own `service.name`, own memory), runs its services in a ServiceGroup
/// that shuts down gracefully on SIGTERM/SIGINT (the server or worker loop first, then the span exporter, which
/// flushes), and prints one `READY …` line on stdout when it can take work.
public enum PipelineProcess {
    /// `service.name` of the API process.
    public static let apiServiceName = ServiceName.api
    /// `service.name` of worker processes.
    public static let workerServiceName = ServiceName.worker

    /// Runs the API server until SIGTERM. Prints `READY <port>` once listening on 127.0.0.1.
    public static func runAPI(configuration: ChildConfiguration) async throws {
        let arms = try bootstrapTracing(configuration, role: .api, serviceName: apiServiceName, instance: "api")
        let redis = try await EventLoopRedisPool.connect(url: try RedisURL(parsing: configuration.redisURL))
        defer { redis.close() }
        let api = APIService(scenario: configuration.scenario, redis: redis, arms: arms, runID: configuration.runID)
        let app = Application(
            router: api.router(),
            configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                announceReady(String(channel.localAddress?.port ?? 0))
            },
            logger: quietLogger("api")
        )
        try await runGroup(arms.services + [app], label: "api", workDirectory: configuration.workDirectory)
    }

    /// Runs worker number `index` until SIGTERM. Prints `READY worker-<index>` once its claim loop starts.
    public static func runWorker(configuration: ChildConfiguration, index: Int) async throws {
        let workerID = "worker-\(index)"
        let arms = try bootstrapTracing(configuration, role: .worker, serviceName: workerServiceName, instance: workerID)
        let processor = JobProcessor(scenario: configuration.scenario, arms: arms, workerID: workerID, machineID: machineID())
        let worker = try await WorkerService(
            scenario: configuration.scenario, processor: processor,
            redisURL: try RedisURL(parsing: configuration.redisURL), runID: configuration.runID, workerID: workerID
        )
        announceReady(workerID)
        try await runGroup(arms.services + [worker], label: workerID, workDirectory: nil)
    }

    /// Builds every arm's tracer; the first arm's becomes the process's global tracer (the others are scoped
    /// per job with `withTracer`).
    static func bootstrapTracing(_ configuration: ChildConfiguration, role: TracingSpec.ServiceRole, serviceName: String,
                                 instance: String) throws -> TracingArms {
        let arms = try TracingArms.make(
            scenario: configuration.scenario, role: role, serviceName: serviceName, endpoint: configuration.otlpEndpoint,
            extraResource: [
                ResourceAttribute.machineID: machineID(), ResourceAttribute.serviceInstanceID: instance,
                ResourceAttribute.runID: configuration.runID,
            ]
        )
        InstrumentationSystem.bootstrap(arms.arm(0).tracer)
        return arms
    }

    /// Runs services in order; shutdown runs in reverse, so the exporters (first) flush after the rest stopped.
    /// A ``ParentWatch`` comes last (so it is asked to stop first) and shuts the group down when the coordinator
    /// is gone.
    static func runGroup(_ services: [any Service], label: String, workDirectory: String?) async throws {
        let watch = ServiceGroupConfiguration.ServiceConfiguration(
            service: ParentWatch(workDirectory: workDirectory),
            successTerminationBehavior: .gracefullyShutdownGroup
        )
        let group = ServiceGroup(configuration: .init(
            services: services.map { .init(service: $0) } + [watch],
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: quietLogger(label)
        ))
        try await group.run()
    }

    /// `MACHINE_ID` from the environment, else `tracebench-<hostname>`.
    static func machineID() -> String {
        ProcessInfo.processInfo.environment["MACHINE_ID"] ?? "tracebench-\(ProcessInfo.processInfo.hostName)"
    }

    static func announceReady(_ detail: String) {
        FileHandle.standardOutput.write(Data("READY \(detail)\n".utf8))
    }

    static func quietLogger(_ label: String) -> Logger {
        var logger = Logger(label: label) { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        return logger
    }
}
