import Foundation
import TracebenchProcess
import TracebenchJudge
import TracebenchResults

/// Facts about the machine and build, recorded in every results file.
enum EnvironmentProbe {
    static let version = "0.1.0"

    /// The swift-otel release Package.swift pins (`exact:`); a test checks the two agree.
    static let swiftOTelVersion = "1.6.0"

    /// The facts, gathered on a thread of their own (two child processes: `git`, `swift --version`).
    static func current() async -> EnvironmentInfo {
        await OwnThread.run { gather() }
    }

    private static func gather() -> EnvironmentInfo {
        var info = EnvironmentInfo()
        info.gitRevision = run("/usr/bin/git", ["rev-parse", "--short=12", "HEAD"]) ?? "unknown"
        info.swiftVersion = swiftVersion()
        info.cpuCount = ProcessInfo.processInfo.activeProcessorCount
        info.host = ProcessInfo.processInfo.hostName
        info.os = ProcessInfo.processInfo.operatingSystemVersionString
        info.tracebenchVersion = version
        info.swiftOTelVersion = swiftOTelVersion
        info.cpuModel = procField("/proc/cpuinfo", "model name") ?? "unknown"
        info.memoryBytes = procField("/proc/meminfo", "MemTotal").flatMap { UInt64($0.split(separator: " ").first ?? "") }.map { $0 * 1024 } ?? 0
        info.kernel = (try? String(contentsOfFile: "/proc/sys/kernel/osrelease", encoding: .utf8))?.trimmingCharacters(in: .whitespacesAndNewlines) ?? "unknown"
        info.hostFingerprint = EnvironmentInfo.fingerprint(cpuModel: info.cpuModel, cpuCount: info.cpuCount, memoryBytes: info.memoryBytes, kernel: info.kernel)
        return info
    }

    /// The value of the first `key: value` line of a /proc file.
    static func procField(_ path: String, _ key: String) -> String? {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return nil }
        for line in text.split(separator: "\n") where line.hasPrefix(key) {
            guard let colon = line.firstIndex(of: ":") else { continue }
            return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        return nil
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
