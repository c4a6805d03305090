import ServiceLifecycle
import TracebenchScenario
import TracebenchVocabulary
import Tracing

/// The tracers of one pipeline process, one per arm.
///
/// A normal run has one arm (the scenario's `tracing.mode`). An overhead run has one per `overhead.arms` entry
/// (e.g. off, sdk, otlp) in the same process; each job carries its arm index, and the API and workers scope
/// that arm's tracer to the job with `withTracer`, so arms share the machine's state and drift alike.
public struct TracingArms: Sendable {
    /// One arm: its mode and its tracer.
    public struct Arm: Sendable {
        public let mode: TracingSpec.Mode
        public let tracer: any Tracer
    }

    public let arms: [Arm]
    /// The batch processors and exporters of the instrumented arms (run them in the ServiceGroup).
    public let services: [any Service]

    /// Builds every arm's backend for one service.
    public static func make(scenario: Scenario, role: TracingSpec.ServiceRole, serviceName: String, endpoint: String,
                            extraResource: [String: String]) throws -> TracingArms {
        let modes = scenario.overhead?.arms ?? [scenario.tracing.mode]
        var arms: [Arm] = []
        var services: [any Service] = []
        for mode in modes {
            var spec = scenario.tracing.forService(role)
            spec.mode = mode
            let backend = try TracingBackend.make(spec: spec, serviceName: serviceName, endpoint: endpoint,
                                                  extraResource: extraResource.merging([ResourceAttribute.arm: mode.rawValue]) { _, new in new })
            arms.append(Arm(mode: mode, tracer: backend.tracer))
            if let service = backend.service { services.append(service) }
        }
        return TracingArms(arms: arms, services: services)
    }

    /// The arm numbered `index`, or the first for an index out of range.
    public func arm(_ index: Int) -> Arm {
        arms.indices.contains(index) ? arms[index] : arms[0]
    }
}
