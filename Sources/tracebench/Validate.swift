import ArgumentParser
import Foundation
import TracebenchResults
import TracebenchScenario

/// `tracebench validate SCENARIO…`: check scenario files without running anything.
struct Validate: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Check scenario files; print every problem with file, line and key path.")

    @Argument(help: "Scenario files.")
    var scenarios: [String]

    func run() throws {
        var failed = false
        for path in scenarios {
            do {
                let scenario = try ScenarioLoader.load(path: path)
                print("\(path): ok (\(scenario.name), \(scenario.jobs.count) job types, \(scenario.durationSeconds) s)")
            } catch {
                FileHandle.standardError.write(Data("\(error.description)\n".utf8))
                failed = true
            }
        }
        if failed { throw CLIError.failed(.invalidInput) }
    }
}
