// swift-tools-version:6.2
// (package-benchmark's `traits:` on its .package line needs tools version ≥ 6.1.)
import PackageDescription

/// tracebench's micro-benchmarks: a package of its own, so package-benchmark and its dependencies never slow the
/// main build. Run from this folder: `swift package --disable-sandbox benchmark` (see README.md).
let package = Package(
    name: "TracebenchBenchmarks",
    platforms: [.macOS(.v15)],
    dependencies: [
        // Named, so the identity is "tracebench" whatever the clone's folder is called.
        .package(name: "tracebench", path: ".."),
        // ordo-one/benchmark (formerly package-benchmark; the old identifier draws a deprecation warning). Explicit
        // traits replace its defaults: MallocInterposer (the malloc metrics) on, and
        // RuntimeInterposer (ARC metrics on Linux + Swift 6.3, needs ordo-one/swift-runtime-interposer) off.
        .package(url: "https://github.com/ordo-one/benchmark", from: "1.38.1", traits: ["MallocInterposer"]),
        .package(url: "https://github.com/swift-otel/swift-otel", exact: "1.6.0", traits: ["OTLPHTTP"]),
        .package(url: "https://github.com/apple/swift-distributed-tracing", from: "1.7.3"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.13.0"),
        .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", from: "0.2.0"),
        // Hummingbird, NIO, Log: only for the in-process OTLP receiver that captures real swift-otel export bodies
        // (the sink decode cases). All of them are in the main package's graph already, so they add no build.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
    ],
    targets: [
        .executableTarget(
            name: "TracebenchBenchmarks",
            dependencies: [
                .product(name: "Benchmark", package: "benchmark"),
                .product(name: "TracebenchPipeline", package: "tracebench"),
                .product(name: "TracebenchSink", package: "tracebench"),
                .product(name: "TracebenchAnalysis", package: "tracebench"),
                .product(name: "TracebenchMeasure", package: "tracebench"),
                .product(name: "TracebenchScenario", package: "tracebench"),
                .product(name: "TracebenchVocabulary", package: "tracebench"),
                .product(name: "OTel", package: "swift-otel"),
                .product(name: "Tracing", package: "swift-distributed-tracing"),
                .product(name: "Instrumentation", package: "swift-distributed-tracing"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "Histogram", package: "hdrhistogram-swift"),
            ],
            // package-benchmark finds benchmark targets whose folder sits in a folder named `Benchmarks`: this
            // package's root is /work/main/Benchmarks, so TracebenchBenchmarks/ qualifies as it is.
            path: "TracebenchBenchmarks",
            plugins: [
                .plugin(name: "BenchmarkPlugin", package: "benchmark"),
            ]
        ),
    ],
    swiftLanguageModes: [.v6]
)
