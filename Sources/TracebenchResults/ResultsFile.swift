import Foundation
import TracebenchInput
import TracebenchMeasure

/// The results schema's version: 2 added `kind`, typed problems, the user's scenario keys, histograms, series and
/// thresholds. Files of version 1 and 2 read; a newer version is refused (its keys may mean something else).
public enum ResultsSchema {
    /// The version this tracebench writes, and the newest it reads.
    public static let version = 2
}

/// What a results file holds.
public struct ResultsKind: OpenVocabulary {
    /// The kind as stored (`run`, `capacity`, …).
    public let rawValue: String
    /// The kind `rawValue`, known or not.
    public init(rawValue: String) { self.rawValue = rawValue }

    /// One `tracebench run`.
    public static let run = ResultsKind(rawValue: "run")
    /// A `tracebench capacity` summary.
    public static let capacity = ResultsKind(rawValue: "capacity")
    /// A `tracebench sink-speed` summary.
    public static let sinkSpeed = ResultsKind(rawValue: "sink_speed")
    /// A `tracebench listen` file: a run's schema, filled from what arrived at the sink alone.
    public static let listen = ResultsKind(rawValue: "listen")
    /// A `tracebench gate` verdict file.
    public static let gate = ResultsKind(rawValue: "gate")
    /// A `tracebench compare` report.
    public static let comparison = ResultsKind(rawValue: "comparison")
    /// A run-to-run noise profile (`tracebench noise`).
    public static let noise = ResultsKind(rawValue: "noise")
}

/// Any results file, read.
public enum ResultsDocument: Sendable {
    /// A `tracebench run` results file.
    case run(RunResults)
    /// A `tracebench capacity` summary.
    case capacity(CapacitySummary)
    /// A `tracebench sink-speed` summary.
    case sinkSpeed(SinkSpeedSummary)

    /// The kind of the file read.
    public var kind: ResultsKind {
        switch self {
        case .run: .run
        case .capacity: .capacity
        case .sinkSpeed: .sinkSpeed
        }
    }
}

/// Why a results file could not be read (exit code 5 in the CLI).
public struct ResultsReadError: Error, Sendable, CustomStringConvertible {
    /// The file that could not be read.
    public let path: String
    /// Why, in a few words.
    public let reason: String
    /// `path: reason`.
    public var description: String { "\(path): \(reason)" }
}

/// Reading and writing results files.
public enum ResultsFile {
    /// The JSON encoder every results file is written with (explicit snake_case keys, sorted, pretty).
    public static func encoder() -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
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
        var data = masked(try encoder().encode(results))
        data.append(contentsOf: [0x0A])
        try data.write(to: url, options: .atomic)
    }

    /// The encoded results with the credentials of every URL in them masked: the choke point behind the masking each
    /// message already gets when it is made, so a secret that slipped into any string (a problem's message, a
    /// recorded endpoint, a collector's log tail) never reaches the file.
    static func masked(_ data: Data) -> Data {
        guard data.contains(UInt8(ascii: "@")) else { return data }
        return Data(Redaction.maskingURLCredentials(String(decoding: data, as: UTF8.self)).utf8)
    }

    /// Why `path` cannot take a results file (a directory, a parent that cannot be created, no write permission),
    /// or nil when it can; creates the parent directory as a side effect, as ``write(_:to:)`` would.
    public static func unwritableReason(_ path: String) -> String? {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            if isDirectory.boolValue { return "it is a directory" }
            return FileManager.default.isWritableFile(atPath: path) ? nil : "the file is not writable"
        }
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        do {
            try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true)
        } catch {
            return "cannot create the directory \(parent)"
        }
        return FileManager.default.isWritableFile(atPath: parent) ? nil : "the directory \(parent) is not writable"
    }

    /// Reads a results file of any kind and schema version up to the current one.
    public static func read(from path: String) throws(ResultsReadError) -> ResultsDocument {
        try read(data: bytes(path), path: path)
    }

    /// The file's bytes through the one bounded reader, its refusal as a results read error.
    private static func bytes(_ path: String) throws(ResultsReadError) -> Data {
        do {
            return try InputFile.read(path, limit: maximumFileBytes)
        } catch {
            throw ResultsReadError(path: path, reason: error.reason)
        }
    }

    /// Largest results file read (a long soak's time series and histograms stay far below it).
    public static let maximumFileBytes = 512 << 20

    /// Reads a noise profile written by `tracebench noise` (for `compare --noise` and `report --noise`).
    public static func readNoiseProfile(from path: String) throws(ResultsReadError) -> NoiseProfile {
        let data = try bytes(path)
        do {
            return try JSONDecoder().decode(NoiseProfile.self, from: data)
        } catch {
            throw ResultsReadError(path: path, reason: "not a noise profile (\(describe(error)))")
        }
    }

    /// Reads results from bytes; `path` names them in errors.
    public static func read(data: Data, path: String) throws(ResultsReadError) -> ResultsDocument {
        struct Header: Decodable {
            var schemaVersion: Int?
            var kind: String?
            var steps: JSONValue?
            var rounds: JSONValue?
            enum CodingKeys: String, CodingKey { case schemaVersion = "schema_version", kind, steps, rounds }
        }
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let header: Header
        do {
            header = try decoder.decode(Header.self, from: data)
        } catch {
            throw ResultsReadError(path: path, reason: "not a tracebench results file (\(describe(error)))")
        }
        guard let version = header.schemaVersion else {
            throw ResultsReadError(path: path, reason: "not a tracebench results file (no schema_version)")
        }
        guard version >= 1, version <= ResultsSchema.version else {
            throw ResultsReadError(path: path, reason: "schema_version \(version) is not one this tracebench reads (1…\(ResultsSchema.version)); use a newer tracebench")
        }
        // Schema 1 had no `kind`: summaries are told apart by their lists.
        let kind = header.kind.map(ResultsKind.init(rawValue:))
            ?? (header.steps != nil ? .capacity : header.rounds != nil ? .sinkSpeed : .run)
        do {
            switch kind {
            case .run, .listen: return .run(try decoder.decode(RunResults.self, from: data))
            case .capacity: return .capacity(try decoder.decode(CapacitySummary.self, from: data))
            case .sinkSpeed: return .sinkSpeed(try decoder.decode(SinkSpeedSummary.self, from: data))
            default: throw ResultsReadError(path: path, reason: "kind '\(kind)' is not one this tracebench reads (run, listen, capacity, sink_speed)")
            }
        } catch let error as ResultsReadError {
            throw error
        } catch {
            throw ResultsReadError(path: path, reason: describe(error))
        }
    }

    /// A decoding error as one sentence naming the key path.
    static func describe(_ error: any Error) -> String {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().trimmingCharacters(in: CharacterSet(charactersIn: "."))
        }
        switch error as? DecodingError {
        case let .typeMismatch(type, context): return "\(path(context.codingPath)): expected \(type): \(context.debugDescription)"
        case let .valueNotFound(type, context): return "\(path(context.codingPath)): missing \(type)"
        case let .keyNotFound(key, context): return "\(path(context.codingPath + [key])): missing"
        case let .dataCorrupted(context): return "\(path(context.codingPath)): \(context.debugDescription)"
        default: return "\(error)"
        }
    }

    /// An ISO-8601 UTC timestamp.
    public static func timestamp(_ date: Date = Date()) -> String {
        date.formatted(.iso8601)
    }
}
