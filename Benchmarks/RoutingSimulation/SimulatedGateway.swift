import Foundation
import GatewayServer
import GatewayTesting
import Logging
import Policy
import PostgresNIO
import Store
import Tuner

/// A real gateway for simulations and multi-gateway tests: served on a free port of 127.0.0.1, writing
/// request rows through the Store's ``MetricsWriter``, storing feedback, and planning with the newest
/// routing state its own ``RoutingStateListener`` loaded (at start and on every NOTIFY).
public struct SimulatedGateway: Sendable {
    /// The client key the gateway accepts (`Authorization: Bearer`, role `client`).
    public static let clientKey = "sk-simulation-client"

    /// The running gateway's parts a caller drives.
    public struct Running: Sendable {
        /// `http://127.0.0.1:PORT`.
        public var url: String
        /// The gateway's metrics writer (flush it before reading `requests`).
        public var writer: MetricsWriter
        /// The gateway's routing-state listener.
        public var listener: RoutingStateListener
    }

    /// The policy served.
    public var policy: PolicyDocument
    /// Environment the hosted models' API keys are read from.
    public var environment: [String: String]
    /// Where the gateway logs.
    public var logger: Logger

    /// A gateway serving `policy`.
    public init(policy: PolicyDocument, environment: [String: String], logger: Logger) {
        self.policy = policy; self.environment = environment; self.logger = logger
    }

    /// Runs the gateway while `body` runs.
    /// - Parameters:
    ///   - database: How the routing-state listener connects.
    ///   - client: A running client on the same database (metrics writer and feedback).
    public func run<Value: Sendable>(database: PostgresConfig, client: PostgresClient,
                                     _ body: @Sendable (Running) async throws -> Value) async throws -> Value {
        let spill = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-simulation-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: spill) }
        var writerConfiguration = MetricsWriterConfiguration(spillFolder: spill)
        writerConfiguration.flushInterval = .milliseconds(100)
        let writer = try MetricsWriter(client: client, configuration: writerConfiguration, logger: logger)
        let listener = RoutingStateListener(config: database, logger: logger)
        let dependencies = GatewayDependencies(
            authenticator: StaticAPIKeyAuthenticator(keys: [Self.clientKey: AuthenticatedKey(id: UUID(), name: "simulation", role: "client")]),
            recordSink: writer, readiness: AlwaysReady(), services: [writer, listener], environment: environment, logger: logger)
        let app = buildApplication(
            GatewayConfiguration(policy: policy, host: "127.0.0.1", port: 0, policySource: "simulation.yaml"),
            dependencies: dependencies, routing: RoutingInputs(policy: policy, tunedState: RoutingStateSource { listener.current?.state }),
            feedback: StoreFeedbackRecorder(client: client, logger: logger))
        return try await withLiveServer(app) { port in
            try await body(Running(url: "http://127.0.0.1:\(port)", writer: writer, listener: listener))
        }
    }
}
