#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// The one way tracebench reads a file a user names — a scenario, a thresholds file, results files, noise profiles,
/// collector config templates: regular files only, opened without blocking, read up to a size cap.
///
/// `FileManager.contents(atPath:)` and `FileHandle(forReadingAtPath:)` block forever on a named pipe with no writer
/// and read `/dev/zero` until memory runs out; here a FIFO, a socket, a device or a directory is refused by name
/// before anything is read, the open cannot block (`O_NONBLOCK`), and the kind is checked again on the open file
/// (the path may have been swapped in between).
public enum InputFile {
    /// Largest file read unless a caller says otherwise.
    public static let defaultLimit = 64 << 20

    /// The whole file at `path`, or an error saying what the path is and why it cannot be read; a file larger than
    /// `limit` bytes is refused.
    public static func read(_ path: String, limit: Int = defaultLimit) throws(InputFileError) -> Data {
        let prefix = try readPrefix(path, limit: limit)
        guard prefix.complete else { throw InputFileError(path: path, problem: .tooLarge(limit: limit)) }
        return prefix.data
    }

    /// The file's first `limit` bytes and whether that is all of it (a caller that wants to say where the limit was
    /// crossed reads the prefix).
    public static func readPrefix(_ path: String, limit: Int) throws(InputFileError) -> (data: Data, complete: Bool) {
        func fail(_ problem: InputFileError.Problem) -> InputFileError { InputFileError(path: path, problem: problem) }
        var status = stat()
        guard stat(path, &status) == 0 else { throw fail(.cannotOpen(errno)) }
        if let kind = FileKind(mode: status.st_mode), kind != .regular { throw fail(.notRegular(kind)) }
        let descriptor = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY)
        guard descriptor >= 0 else { throw fail(.cannotOpen(errno)) }
        defer { close(descriptor) }
        guard fstat(descriptor, &status) == 0 else { throw fail(.cannotRead(errno)) }
        if let kind = FileKind(mode: status.st_mode), kind != .regular { throw fail(.notRegular(kind)) }

        var data = Data()
        let chunk = 1 << 16
        var buffer = [UInt8](repeating: 0, count: chunk)
        while data.count <= limit {
            let wanted = min(chunk, limit + 1 - data.count)
            let count = buffer.withUnsafeMutableBytes { Glibc.read(descriptor, $0.baseAddress, wanted) }
            if count < 0 {
                if errno == EINTR { continue }
                throw fail(.cannotRead(errno))
            }
            if count == 0 { return (data, true) }
            data.append(contentsOf: buffer[0..<count])
        }
        return (data.prefix(limit), false)
    }

    /// The file at `path` as UTF-8 text.
    public static func readText(_ path: String, limit: Int = defaultLimit) throws(InputFileError) -> String {
        let data = try read(path, limit: limit)
        guard let text = String(data: data, encoding: .utf8) else { throw InputFileError(path: path, problem: .notText) }
        return text
    }
}

/// What kind of thing a path names, for the message that refuses it.
public enum FileKind: String, Sendable {
    case regular = "a regular file"
    case directory = "a directory"
    case fifo = "a named pipe (FIFO)"
    case socket = "a socket"
    case characterDevice = "a character device"
    case blockDevice = "a block device"
    case symbolicLink = "a symbolic link"

    /// The kind in a `stat` mode (`S_IFMT` bits), or nil for one this list does not know.
    init?(mode: mode_t) {
        switch mode & 0o170000 {
        case 0o100000: self = .regular
        case 0o040000: self = .directory
        case 0o010000: self = .fifo
        case 0o140000: self = .socket
        case 0o020000: self = .characterDevice
        case 0o060000: self = .blockDevice
        case 0o120000: self = .symbolicLink
        default: return nil
        }
    }
}

/// A path that could not be read, and why, in words a user can act on.
public struct InputFileError: Error, CustomStringConvertible, Sendable {
    /// Why the file was not read.
    public enum Problem: Sendable, Equatable {
        /// `stat` or `open` failed with this errno.
        case cannotOpen(Int32)
        /// Not a regular file.
        case notRegular(FileKind)
        /// `read` failed with this errno.
        case cannotRead(Int32)
        /// Larger than the cap.
        case tooLarge(limit: Int)
        /// Not valid UTF-8.
        case notText
    }

    public let path: String
    public let problem: Problem

    public init(path: String, problem: Problem) {
        self.path = path
        self.problem = problem
    }

    /// The reason alone, without the path: "it is a named pipe (FIFO), not a regular file".
    public var reason: String {
        switch problem {
        case let .cannotOpen(code):
            switch code {
            case ENOENT: return "no such file"
            case EACCES, EPERM: return "permission denied"
            case ENOTDIR: return "a component of the path is not a directory"
            case ELOOP: return "too many symbolic links"
            case ENAMETOOLONG: return "the path is too long"
            default: return "cannot open it (\(String(cString: strerror(code))))"
            }
        case let .notRegular(kind): return "it is \(kind.rawValue), not a regular file"
        case let .cannotRead(code): return "cannot read it (\(String(cString: strerror(code))))"
        case let .tooLarge(limit): return "it is larger than \(InputFileError.size(limit))"
        case .notText: return "it is not UTF-8 text"
        }
    }

    public var description: String { "\(path): \(reason)" }

    static func size(_ bytes: Int) -> String {
        bytes >= 1 << 20 && bytes % (1 << 20) == 0 ? "\(bytes >> 20) MiB" : "\(bytes) bytes"
    }
}
