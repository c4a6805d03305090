import Foundation

/// Reading and writing results files.
public enum ResultsFile {
    /// The JSON encoder every results file is written with (snake_case keys, sorted, pretty).
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// `<directory>/<scenario>-<UTC yyyyMMdd-HHmmss>.json`.
    public static func defaultPath(directory: String, scenarioName: String, date: Date = Date()) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd-HHmmss"
        let safeName = scenarioName.map { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" ? $0 : "_" }
        return "\(directory)/\(String(safeName))-\(formatter.string(from: date))Z.json"
    }

    /// Writes `results` (a run's, or a summary of several) to `path`, creating the directory.
    public static func write(_ results: some Encodable, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        var data = try encoder().encode(results)
        data.append(contentsOf: [0x0A])
        try data.write(to: url, options: .atomic)
    }

    /// Reads a results file.
    public static func read(from path: String) throws -> RunResults {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try decoder.decode(RunResults.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
    }

    /// An ISO-8601 UTC timestamp.
    public static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(.iso8601)
    }
}
