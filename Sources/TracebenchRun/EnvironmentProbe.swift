import Foundation
import TracebenchResults

/// Facts about the machine and build, recorded in every results file.
enum EnvironmentProbe {
    static let version = "0.1.0"

    static func current() -> EnvironmentInfo {
        EnvironmentInfo(
            gitRevision: run("/usr/bin/git", ["rev-parse", "--short=12", "HEAD"]) ?? "unknown",
            swiftVersion: swiftVersion(),
            cpuCount: ProcessInfo.processInfo.activeProcessorCount,
            host: ProcessInfo.processInfo.hostName,
            os: ProcessInfo.processInfo.operatingSystemVersionString,
            tracebenchVersion: version
        )
    }

    /// The installed toolchain (`swift --version`), else the compiler that built this binary.
    static func swiftVersion() -> String {
        if let line = run("/usr/bin/env", ["swift", "--version"])?.split(separator: "\n").first(where: { $0.contains("Swift version") }) {
            return String(line)
        }
        #if compiler(>=6.3)
        return "6.3+"
        #elseif compiler(>=6.2)
        return "6.2"
        #else
        return "older than 6.2"
        #endif
    }

    static func run(_ executable: String, _ arguments: [String]) -> String? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return nil }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else { return nil }
        return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
    }
}
