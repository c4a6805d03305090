import ArgumentParser
import TracebenchScenario

/// `tracebench schema`: the scenario format as a JSON Schema (draft 2020-12), generated from the registry the loader
/// checks, for editors (`# yaml-language-server: $schema=…`) and validators.
struct Schema: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the JSON Schema (draft 2020-12) of scenario files, or of thresholds files with --thresholds."
    )

    @Flag(help: "The schema of a thresholds file (tracebench gate --thresholds) instead of a scenario.")
    var thresholds = false

    func run() {
        print(JSONSchemaWriter.document(thresholdsFile: thresholds), terminator: "")
    }
}
