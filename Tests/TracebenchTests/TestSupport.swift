import Foundation
import Synchronization
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Testing
import TracebenchProcess
import TracebenchRedis
import TracebenchRun
import TracebenchScenario

/// Helpers shared by the integration and end-to-end tests.
enum TestSupport {
    /// The package root (two levels above this file's directory).
    static let packageRoot: String = {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    }()

    /// The `tracebench` executable built next to the test bundle (`swift build --build-tests` builds it).
    static var tracebenchBinary: String {
        let selfPath = (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0]
        var directory = URL(fileURLWithPath: selfPath).deletingLastPathComponent()
        // Inside an .xctest bundle directory on some layouts: walk up until the binary is found.
        for _ in 0..<4 {
            let candidate = directory.appendingPathComponent("tracebench").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            directory.deleteLastPathComponent()
        }
        return packageRoot + "/.build/debug/tracebench"
    }

    /// A scenario from `scenarios/`.
    static func scenario(_ name: String) throws -> Scenario {
        try ScenarioLoader.load(path: "\(packageRoot)/scenarios/\(name).yaml")
    }

    /// The scenario files in `scenarios/` (file names, sorted): every `.yaml` there but the thresholds files that
    /// sit beside them (`promises.yaml`, marked by their `thresholds.schema.json` header).
    static func shippedScenarioFiles() throws -> [String] {
        let directory = packageRoot + "/scenarios"
        return try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".yaml") }.filter { name in
            let head = (try? String(contentsOfFile: "\(directory)/\(name)", encoding: .utf8))?.prefix(200) ?? ""
            return !head.contains("thresholds.schema.json")
        }.sorted()
    }

    /// A fresh temporary file path.
    static func temporaryPath(_ suffix: String) -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("tracebench-test-\(UUID().uuidString)\(suffix)").path
    }

    /// Removes a file or directory a test wrote; with `TRACEBENCH_TEST_KEEP=<dir>` set, moves it there instead, so the
    /// results files of a failing run can be read afterwards.
    static func discard(_ path: String) {
        if let keep = ProcessInfo.processInfo.environment["TRACEBENCH_TEST_KEEP"], FileManager.default.fileExists(atPath: path) {
            try? FileManager.default.createDirectory(atPath: keep, withIntermediateDirectories: true)
            if (try? FileManager.default.moveItem(atPath: path, toPath: keep + "/" + (path as NSString).lastPathComponent)) != nil { return }
        }
        try? FileManager.default.removeItem(atPath: path)
    }
}

/// One invalid scenario file and where its problem must be reported (the loader's table tests).
struct InvalidCase: Sendable, CustomTestStringConvertible {
    let label: String
    let yaml: String
    let keyPath: String
    let line: Int
    let message: String
    var testDescription: String { label }

    /// Expects a problem at `keyPath` on `line` whose message contains `message`, in file `test.yaml`.
    func check(_ found: [ScenarioProblem]) {
        let match = found.first { $0.keyPath == keyPath }
        #expect(match != nil, "no problem at \(keyPath); got:\n\(ScenarioError(problems: found))")
        guard let match else { return }
        #expect(match.line == line, "\(match)")
        #expect(match.column >= 1, "\(match)")
        #expect(match.file == "test.yaml")
        #expect(match.message.contains(message), "\(match)")
    }
}

extension TestSupport {
    /// Runs `python3 arguments…` with `input` on stdin; returns its exit status, stdout and stderr.
    static func python(_ arguments: [String], input: String = "") async throws -> (status: Int32, stdout: String, stderr: String) {
        try await run("/usr/bin/env", ["python3"] + arguments, input: input)
    }

    /// Runs `executable arguments…` from the package root with `input` on stdin; returns its exit status, stdout and
    /// stderr. It is waited for on a thread of its own (``OwnThread``): a test waiting on a child never holds one of the
    /// cooperative pool's two threads, which every whole-system run in the same test process needs.
    static func run(_ executable: String, _ arguments: [String], input: String = "") async throws -> (status: Int32, stdout: String, stderr: String) {
        try await OwnThread.run { () throws -> (status: Int32, stdout: String, stderr: String) in try runWaiting(executable, arguments, input: input) }
    }

    private static func runWaiting(_ executable: String, _ arguments: [String], input: String) throws -> (status: Int32, stdout: String, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        let stdin = Pipe(), stdout = TestSupport.temporaryPath(".out"), stderr = TestSupport.temporaryPath(".err")
        FileManager.default.createFile(atPath: stdout, contents: nil)
        FileManager.default.createFile(atPath: stderr, contents: nil)
        defer { try? FileManager.default.removeItem(atPath: stdout); try? FileManager.default.removeItem(atPath: stderr) }
        process.standardInput = stdin
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: stderr))
        try process.run()
        stdin.fileHandleForWriting.write(Data(input.utf8))
        try stdin.fileHandleForWriting.close()
        process.waitUntilExit()
        return (process.terminationStatus, (try? String(contentsOfFile: stdout, encoding: .utf8)) ?? "",
                (try? String(contentsOfFile: stderr, encoding: .utf8)) ?? "")
    }
}

extension TestSupport {
    /// POSTs an OTLP/HTTP protobuf body to a sink on 127.0.0.1:`port`; returns the HTTP status.
    static func postOTLP(_ body: [UInt8], port: Int, authorization: String? = nil, path: String = "/v1/traces",
                         contentType: String = "application/x-protobuf") async throws -> Int {
        var request = URLRequest(url: URL(string: "http://127.0.0.1:\(port)\(path)")!)
        request.httpMethod = "POST"
        request.setValue(contentType, forHTTPHeaderField: "Content-Type")
        if let authorization { request.setValue(authorization, forHTTPHeaderField: "Authorization") }
        request.httpBody = Data(body)
        return try await withCheckedThrowingContinuation { continuation in
            URLSession.shared.dataTask(with: request) { _, response, error in
                if let error { continuation.resume(throwing: error) } else {
                    continuation.resume(returning: (response as? HTTPURLResponse)?.statusCode ?? 0)
                }
            }.resume()
        }
    }

    /// `tracebench listen` on a free port, writing `out`: waits until the sink announces itself, lets `send` post to
    /// it (given the port), then ends the listening once `send` returned. No wall-clock window: a loaded host once
    /// delivered posts after a 3 s window had closed.
    static func listen(out: String, expect: [TargetSpec.Expectation]? = nil, _ send: (Int) async throws -> Void) async throws -> RunOutcome {
        var sink = SinkSpec()
        sink.port = FreePort.loopback()
        let announced = Mutex(false), sent = Mutex(false)
        var options = ListenSession.Options(seconds: 120, sink: sink, outputPath: out)
        options.expect = expect
        options.announce = { _ in announced.withLock { $0 = true } }
        options.endEarly = { sent.withLock { $0 } }
        let session = Task { [options] in try await ListenSession.run(options) }
        while !announced.withLock({ $0 }) { try await Task.sleep(for: .milliseconds(20)) }
        do {
            try await send(sink.port)
        } catch {
            sent.withLock { $0 = true }
            _ = try? await session.value
            throw error
        }
        sent.withLock { $0 = true }
        return try await session.value
    }
}
