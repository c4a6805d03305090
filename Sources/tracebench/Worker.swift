import ArgumentParser
import TracebenchPipeline

/// `tracebench worker`: one of the pipeline's worker processes (started by `run`).
struct Worker: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "(internal) A worker process; started by `tracebench run`.")

    @Option(help: "Child configuration file written by `tracebench run`.")
    var config: String

    @Option(help: "Worker number (worker.id = worker-<index>).")
    var index = 0

    func run() async throws {
        try await PipelineProcess.runWorker(configuration: try ChildConfiguration.read(from: config), index: index)
    }
}
