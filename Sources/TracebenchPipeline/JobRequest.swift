import TracebenchScenario

/// The body of `POST /jobs`: one synthetic job, fully determined by the coordinator's seeded choices.
public struct JobRequest: Codable, Sendable, Equatable {
    public var id: String
    /// Index into the scenario's `jobs` list.
    public var type: Int
    public var priority: Int
    /// Seed of this job's own random stream (durations, errors, context drop).
    public var seed: UInt64
    /// When the load generator intended to submit it (µs since the epoch).
    public var intendedStartMicros: Int64
    /// Overhead runs: the job's arm (index into `overhead.arms`); 0 otherwise.
    public var arm: Int

    public init(id: String, type: Int, priority: Int, seed: UInt64, intendedStartMicros: Int64, arm: Int = 0) {
        self.arm = arm
        self.id = id
        self.type = type
        self.priority = priority
        self.seed = seed
        self.intendedStartMicros = intendedStartMicros
    }
}

/// The body of a successful `POST /jobs` response.
public struct JobAccepted: Codable, Sendable, Equatable {
    public var id: String
    /// The API's trace id (empty when tracing is off or the root was not recorded).
    public var traceID: String

    public init(id: String, traceID: String) {
        self.id = id
        self.traceID = traceID
    }
}

extension JobRequest {
    /// The JSON body, written by hand for the load generator's hot path: the same object `JSONEncoder` writes (the
    /// same keys; the API decodes either), without an encoder per request.
    public var json: String {
        "{\"id\":\(JSONText.quoted(id)),\"type\":\(type),\"priority\":\(priority),\"seed\":\(seed),\"intendedStartMicros\":\(intendedStartMicros),\"arm\":\(arm)}"
    }
}
