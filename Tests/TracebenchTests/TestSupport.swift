import Foundation
import Testing
import TracebenchRedis
import TracebenchScenario

/// Helpers shared by the integration and end-to-end tests.
enum TestSupport {
    /// The package root (two levels above this file's directory).
    static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// The `tracebench` executable built next to the test bundle (`swift build --build-tests` builds it).
    static var tracebenchBinary: String {
        let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: selfPath).deletingLastPathComponent()
        // Inside an .xctest bundle directory on some layouts: walk up until the binary is found.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("tracebench").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return packageRoot + "/.build/debug/tracebench"
    }

    /// A scenario from `scenarios/`.
    static func scenario(_ name: String) throws -> Scenario {
        try ScenarioLoader.load(path: "\(packageRoot)/scenarios/\(name).yaml")
    }

    /// A fresh temporary file path.
    static func temporaryPath(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tracebench-test-\(UUID().uuidString)\(suffix)").path
    }
}

/// One invalid scenario file and where its problem must be reported (the loader's table tests).
struct InvalidCase: Sendable, CustomTestStringConvertible {
    let label: String
    let yaml: String
    let keyPath: String
    let line: Int
    let message: String
    var testDescription: String { label }

    /// Expects a problem at `keyPath` on `line` whose message contains `message`, in file `test.yaml`.
    func check(_ found: [ScenarioProblem]) {
        let match = found.first { $0.keyPath == keyPath }
        #expect(match != nil, "no problem at \(keyPath); got:\n\(ScenarioError(problems: found))")
        guard let match else { return }
        #expect(match.line == line, "\(match)")
        #expect(match.column >= 1, "\(match)")
        #expect(match.file == "test.yaml")
        #expect(match.message.contains(message), "\(match)")
    }
}
