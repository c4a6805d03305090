import ArgumentParser
import TracebenchPipeline

/// `tracebench api`: the pipeline's API process (started by `run`).
struct API: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(internal) The job API process; started by `tracebench run`.")

    @Option(help: "Child configuration file written by `tracebench run`.")
    var config: String

    func run() async throws {
        try await PipelineProcess.runAPI(configuration: try ChildConfiguration.read(from: config))
    }
}
