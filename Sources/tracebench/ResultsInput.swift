import ArgumentParser
import Foundation
import TracebenchJudge
import TracebenchReport
import TracebenchResults
import TracebenchRun

/// Results files as the verbs after `run` take them: read, or exit 5 with the reason on stderr.
enum ResultsInput {
    static func document(_ path: String, verb: String) throws -> ResultsDocument {
        try readOrExit(verb) { () throws(ResultsReadError) in try ResultsFile.read(from: path) }
    }

    /// `read`'s value, or its error on stderr and exit 5.
    private static func readOrExit<T>(_ verb: String, _ read: () throws(ResultsReadError) -> T) throws -> T {
        do {
            return try read()
        } catch {
            throw CLIError.failed(.resultsUnreadable, "tracebench \(verb): \(error.description)")
        }
    }

    /// A noise profile (`compare --noise`, `report --noise`), or exit 5 with the reason on stderr.
    static func noiseProfile(_ path: String, verb: String) throws -> NoiseProfile {
        try readOrExit(verb) { () throws(ResultsReadError) in try ResultsFile.readNoiseProfile(from: path) }
    }

    /// A run's results (kind `run`); another kind is bad input.
    static func run(_ path: String, verb: String) throws -> (path: String, results: RunResults) {
        guard case .run(let results) = try document(path, verb: verb) else {
            throw CLIError.usage("\(path) is not a run's results file (\(verb) reads kind: run)")
        }
        return (path, results)
    }
}
