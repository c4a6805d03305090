// swift-tools-version:6.2
import PackageDescription

/// Swift settings shared by every target. Strict concurrency needs no setting: tools version 6.2 builds every target in
/// the Swift 6 language mode, which checks data races completely. What is added: `any` must be written for existentials.
let strict: [SwiftSetting] = [
    .enableUpcomingFeature("ExistentialAny"),
]

/// The run module holds the load generator's hot path (send loops, connections, the response reader). Its release build
/// leaves out the dynamic exclusivity checks (`-enforce-exclusivity=unchecked`): each mutation of a class's stored
/// property otherwise costs a call into the runtime and a thread-local lookup, and the callgrind profile of one request
/// went from 23,500 to 17,000 instructions without them. Every debug build keeps the checks, and the whole test suite
/// (CI) runs on a debug build, so an overlapping access on any tested path still traps there.
let generatorHotPath: [SwiftSetting] = [
    .unsafeFlags(["-enforce-exclusivity=unchecked"], .when(configuration: .release)),
]

let package = Package(
    name: "tracebench",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "tracebench", targets: ["tracebench"]),
        // Libraries for Benchmarks/ (a separate package, so its dependencies never slow this build).
        .library(name: "TracebenchPipeline", targets: ["TracebenchPipeline"]),
        .library(name: "TracebenchSink", targets: ["TracebenchSink"]),
        .library(name: "TracebenchMeasure", targets: ["TracebenchMeasure"]),
        .library(name: "TracebenchScenario", targets: ["TracebenchScenario"]),
        .library(name: "TracebenchResults", targets: ["TracebenchResults"]),
        .library(name: "TracebenchJudge", targets: ["TracebenchJudge"]),
        .library(name: "TracebenchReport", targets: ["TracebenchReport"]),
        .library(name: "TracebenchVocabulary", targets: ["TracebenchVocabulary"]),
        .library(name: "TracebenchAnalysis", targets: ["TracebenchAnalysis"]),
    ],
    dependencies: [
        .package(url: "https://github.com/swift-otel/swift-otel", exact: "1.6.0", traits: ["OTLPHTTP", "OTLPGRPC"]),
        .package(url: "https://github.com/grpc/grpc-swift-2", from: "2.4.3"),
        .package(url: "https://github.com/grpc/grpc-swift-nio-transport", from: "2.9.2"),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/apple/swift-service-context", from: "1.2.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.37.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-http-types", from: "1.0.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
    ],
    targets: [
        // MARK: System libraries
        .systemLibrary(
            name: "CHiredis",
            path: "Sources/CHiredis",
            pkgConfig: "hiredis",
            providers: [.apt(["libhiredis-dev"])]
        ),
        // prctl(PR_SET_PDEATHSIG) for processes tracebench execs (collectors, redis-server) and the send loops' timer
        // slack (variadic in C); epoll and eventfd for the send loops (outside Swift's Glibc module).
        .systemLibrary(
            name: "CSystemShims",
            path: "Sources/CSystemShims"
        ),
        .systemLibrary(
            name: "CZlib",
            path: "Sources/CZlib",
            pkgConfig: "zlib",
            providers: [.apt(["zlib1g-dev"])]
        ),

        // MARK: Library modules, in the order data flows
        .target(
            // Bounded reading of every file a user names (regular files only, never blocking, size-capped).
            name: "TracebenchInput",
            swiftSettings: strict
        ),
        .target(
            name: "TracebenchMetrics",
            swiftSettings: strict
        ),
        .target(
            name: "TracebenchScenario",
            dependencies: ["TracebenchInput", "TracebenchRedis", "TracebenchMeasure", "TracebenchMetrics", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            // Supervision of child processes: launching from one long-lived thread (parent-death signals), READY
            // lines, graceful stop, log tails. Shared by redis-server, the pipeline, collectors and targets.
            name: "TracebenchProcess",
            swiftSettings: strict
        ),
        .target(
            name: "TracebenchRedis",
            dependencies: [
                "CHiredis", "TracebenchProcess",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TracebenchMeasure",
            dependencies: ["CZlib", .product(name: "Histogram", package: "hdrhistogram-swift")],
            swiftSettings: strict
        ),
        .target(
            name: "TracebenchPipeline",
            dependencies: [
                "TracebenchScenario", "TracebenchRedis", "TracebenchMeasure", "TracebenchVocabulary",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "ServiceContextModule", package: "swift-service-context"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HTTPTypes", package: "swift-http-types"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            name: "TracebenchSink",
            dependencies: [
                "CZlib", "TracebenchMeasure", "TracebenchVocabulary",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict
        ),
        .target(
            // The pipeline's shared words: span names, attribute keys, job statuses, headers. No dependencies.
            name: "TracebenchVocabulary",
            swiftSettings: strict
        ),
        .target(
            // Received spans checked against the ledger: trace completeness, retention, sampling figures; and where
            // the time and the errors go (topology, critical path, root causes), written as the results' own figures.
            name: "TracebenchAnalysis",
            dependencies: ["TracebenchSink", "TracebenchMeasure", "TracebenchVocabulary", "TracebenchResults"],
            swiftSettings: strict
        ),
        .target(
            // The results schema: every kind of results file, read at any version, and the figures in it.
            // No TracebenchScenario (it links hiredis): results are read by tools that never run a pipeline.
            name: "TracebenchResults",
            dependencies: ["TracebenchInput", "TracebenchMeasure", "TracebenchMetrics", "TracebenchVocabulary", .product(name: "Yams", package: "Yams")],
            swiftSettings: strict
        ),
        .target(
            // Judgement of results: metric reader, thresholds and Holm, windows, compare, noise, history, change points.
            name: "TracebenchJudge",
            dependencies: ["TracebenchInput", "TracebenchResults", "TracebenchMeasure", "TracebenchMetrics"],
            swiftSettings: strict
        ),
        .target(
            // What people read: the run summary, gate tables, JUnit, Markdown, HTML and SVG. Depends on results and
            // judgement, never the reverse.
            name: "TracebenchReport",
            dependencies: ["TracebenchResults", "TracebenchJudge", "TracebenchMeasure", "TracebenchMetrics"],
            swiftSettings: strict
        ),
        .target(
            name: "TracebenchRun",
            dependencies: [
                "TracebenchInput", "TracebenchScenario", "TracebenchProcess", "TracebenchRedis", "TracebenchPipeline", "TracebenchSink", "TracebenchAnalysis",
                "TracebenchMeasure", "TracebenchResults", "TracebenchJudge", "TracebenchMetrics", "TracebenchVocabulary", "CSystemShims",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "GRPCCore", package: "grpc-swift-2"),
                .product(name: "GRPCNIOTransportHTTP2", package: "grpc-swift-nio-transport"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strict + generatorHotPath
        ),

        // MARK: The thin CLI
        .executableTarget(
            name: "tracebench",
            dependencies: [
                "TracebenchRun", "TracebenchPipeline", "TracebenchScenario", "TracebenchResults", "TracebenchJudge", "TracebenchReport",
                "TracebenchMetrics", "CSystemShims",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            swiftSettings: strict
        ),

        // MARK: Tests
        .testTarget(
            name: "TracebenchTests",
            dependencies: [
                "TracebenchScenario", "TracebenchProcess", "TracebenchRedis", "TracebenchMeasure", "TracebenchPipeline",
                "TracebenchSink", "TracebenchResults", "TracebenchJudge", "TracebenchReport", "TracebenchRun", "TracebenchMetrics", "TracebenchAnalysis", "TracebenchVocabulary", "TracebenchInput",
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOEmbedded", package: "swift-nio"),
                // The library LatencyHistogram's figures must equal.
                .product(name: "Histogram", package: "hdrhistogram-swift"),
                // NIO's HTTP/1 decoder (llhttp): the independent reader the load generators' response reader is checked against.
                .product(name: "NIOHTTP1", package: "swift-nio"),
            ],
            exclude: ["Fixtures"],
            swiftSettings: strict
        ),
    ],
    swiftLanguageModes: [.v6]
)
