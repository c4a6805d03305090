import Foundation
import TracebenchScenario

/// Everything an API or worker process needs, handed over by the coordinator as a JSON file (mode 0600: it can
/// hold the Redis password and OTLP header secrets, so it is never printed and is deleted after the run).
public struct ChildConfiguration: Codable, Sendable {
    public var runID: String
    public var scenario: Scenario
    /// Full Redis URL, password included.
    public var redisURL: String
    /// OTLP traces endpoint (`http://127.0.0.1:PORT/v1/traces`).
    public var otlpEndpoint: String
    /// The run's work directory (removed by the API if the coordinator dies without removing it).
    public var workDirectory: String? = nil

    public init(runID: String, scenario: Scenario, redisURL: String, otlpEndpoint: String) {
        self.runID = runID
        self.scenario = scenario
        self.redisURL = redisURL
        self.otlpEndpoint = otlpEndpoint
    }

    /// Writes the configuration to `path`, readable by the owner only.
    public func write(to path: String) throws {
        let data = try JSONEncoder().encode(self)
        _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])  // the open below reports failure
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.write(contentsOf: data)
    }

    /// Reads a configuration written by ``write(to:)``.
    public static func read(from path: String) throws -> ChildConfiguration {
        try JSONDecoder().decode(ChildConfiguration.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }
}
