import TracebenchMeasure

/// One thing wrong with a scenario file: where it is (file, key path, line, column) and what is wrong.
///
/// `keyPath` names the offending value the way a person would write it, e.g. `load.rate_per_s` or
/// `jobs[0].steps[1].error_ratio`; `(root)` stands for the document itself. `line` and `column` count from 1;
/// `line` is 0 when the file could not be read at all.
public struct ScenarioProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var keyPath: String
    public var line: Int
    public var column: Int
    public var message: String

    public init(file: String, keyPath: String, line: Int, column: Int, message: String) {
        self.file = file
        self.keyPath = keyPath
        self.line = line
        self.column = column
        self.message = Redaction.maskingURLCredentials(message)
    }

    /// `<file>:<line>:<column>: <keyPath>: <message>`, the shape compilers use, so editors can jump to it.
    public var description: String {
        "\(file):\(line):\(column): \(keyPath): \(message)"
    }
}

/// Every problem found in a scenario file, in document order (the loader never stops at the first one).
public struct ScenarioError: Error, Sendable, CustomStringConvertible {
    public var problems: [ScenarioProblem]

    public init(problems: [ScenarioProblem]) {
        self.problems = problems
    }

    /// At most this many problems are printed (a file of 170,000 unknown keys says so in 101 lines, not 170,000).
    public static let printedProblems = 100

    /// One problem per line, the first ``printedProblems`` of them.
    public var description: String {
        var lines = problems.prefix(Self.printedProblems).map(\.description)
        if problems.count > Self.printedProblems {
            lines.append("… and \(problems.count - Self.printedProblems) more problems")
        }
        return lines.joined(separator: "\n")
    }
}
