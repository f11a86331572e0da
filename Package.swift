// swift-tools-version: 6.1
import PackageDescription

/// The inference core is compiled with optimizations even in debug builds, so the test suite
/// (which runs a real 135M-parameter model) stays quick without a release build of everything.
let optimizedInDebug: [SwiftSetting] = [.unsafeFlags(["-O"], .when(configuration: .debug))]

let package = Package(
    name: "switchyard",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "switchyard", targets: ["SwitchyardCLI"]),
    ],
    dependencies: [
        .package(url: "https://github.com/hummingbird-project/hummingbird.git", from: "2.28.0"),
        .package(url: "https://github.com/swift-server/async-http-client.git", from: "1.37.0"),
        .package(url: "https://github.com/vapor/postgres-nio.git", from: "1.33.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.0"),
        .package(url: "https://github.com/apple/swift-metrics.git", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus.git", from: "2.4.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.0"),
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.0"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.0"),
        .package(url: "https://github.com/apple/swift-http-types.git", from: "1.8.0"),
    ],
    targets: [
        // MARK: Shared vocabulary
        .target(name: "SwitchyardTypes"),

        // MARK: Pure parts (no I/O)
        // The C kernels are the hot loop of every test that runs the model: optimized in debug too.
        .target(name: "SLMKernelsC", cSettings: [.unsafeFlags(["-O2"], .when(configuration: .debug))]),
        .target(name: "SLMCore", dependencies: ["SLMKernelsC"], swiftSettings: optimizedInDebug),
        .target(name: "Policy", dependencies: ["SwitchyardTypes", .product(name: "Yams", package: "Yams")]),
        .target(name: "Classifier", dependencies: ["SwitchyardTypes"], swiftSettings: optimizedInDebug),
        .target(name: "Routing", dependencies: ["SwitchyardTypes", "Policy", "Classifier"], swiftSettings: optimizedInDebug),

        // MARK: I/O parts
        .target(name: "Providers", dependencies: [
            "SwitchyardTypes", "SLMCore",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .target(name: "Store", dependencies: [
            "SwitchyardTypes",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "Tuner", dependencies: [
            "Routing", "Store", "Policy",
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
        .target(name: "GatewayServer", dependencies: [
            "SwitchyardTypes", "Policy", "Classifier", "Routing", "Providers", "Store", "Tuner",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "Metrics", package: "swift-metrics"),
            .product(name: "Prometheus", package: "swift-prometheus"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "Logging", package: "swift-log"),
        ]),
        .executableTarget(name: "SwitchyardCLI", dependencies: [
            "GatewayServer", "SLMCore", "Policy", "Classifier", "Routing", "Store", "Tuner", "Providers",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
            .product(name: "Prometheus", package: "swift-prometheus"),
        ]),

        // MARK: Test support
        .target(name: "GatewayTesting", dependencies: [
            "SwitchyardTypes", "Store",
            .product(name: "Hummingbird", package: "hummingbird"),
            .product(name: "HummingbirdCore", package: "hummingbird"),
            .product(name: "HTTPTypes", package: "swift-http-types"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
        ]),

        // MARK: Benchmarks
        // The routing simulation: hosted models played by a fake server, classed traffic with feedback
        // through a real gateway and PostgreSQL, the tuner in the loop, utility against the oracle.
        .target(name: "RoutingSimulation", dependencies: [
            "GatewayServer", "GatewayTesting", "Tuner", "Store", "Policy", "Routing", "Classifier", "SwitchyardTypes",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "Logging", package: "swift-log"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            .product(name: "NIOCore", package: "swift-nio"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
        ], path: "Benchmarks/RoutingSimulation"),
        .executableTarget(name: "RoutingSimulationBenchmark", dependencies: [
            "RoutingSimulation",
            .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ], path: "Benchmarks/RoutingSimulationBenchmark"),

        // MARK: Tests
        .testTarget(name: "SLMCoreTests", dependencies: ["SLMCore"], swiftSettings: optimizedInDebug),
        .testTarget(name: "PolicyTests", dependencies: ["Policy", "SwitchyardTypes"], exclude: ["Fixtures"]),
        .testTarget(name: "ClassifierTests", dependencies: ["Classifier", "Policy"], exclude: ["Data"]),
        .testTarget(name: "RoutingTests", dependencies: ["Routing"]),
        .testTarget(name: "StoreTests", dependencies: ["Store", "GatewayTesting", "SwitchyardTypes"]),
        .testTarget(name: "TunerTests", dependencies: ["Tuner", "GatewayTesting"]),
        .testTarget(name: "RoutingSimulationTests", dependencies: [
            "RoutingSimulation", "GatewayTesting", "Store", .product(name: "Logging", package: "swift-log"),
        ]),
        .testTarget(name: "GatewayTests", dependencies: [
            "GatewayServer", "GatewayTesting", "Store",
            .product(name: "AsyncHTTPClient", package: "async-http-client"),
            .product(name: "HummingbirdTesting", package: "hummingbird"),
            .product(name: "NIOHTTP1", package: "swift-nio"),
            .product(name: "NIOPosix", package: "swift-nio"),
            .product(name: "PostgresNIO", package: "postgres-nio"),
            .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        ]),
    ]
)
