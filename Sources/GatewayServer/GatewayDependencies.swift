import Logging
import PostgresNIO
import Prometheus
import Providers
import ServiceLifecycle
import Store
import SwitchyardTypes

/// The parts `buildApplication` plugs in: production passes the Store's, tests pass fakes.
public struct GatewayDependencies: Sendable {
    /// Looks up bearer keys.
    public var authenticator: any APIKeyAuthenticator
    /// Receives one record per request.
    public var recordSink: any RequestRecordSink
    /// Says whether the database answers (`/readyz`).
    public var readiness: any ReadinessCheck
    /// Long-lived services to run beside the server (the Store's client and metrics writer).
    public var services: [any Service]
    /// Providers for models the gateway does not call over HTTP (`local`, `worker`), by model name.
    /// A local model missing here is unavailable.
    public var localProviders: [String: any ChatProvider]
    /// Loads the local and worker models of a reloaded policy (so a reload can add one); without it a
    /// reload serves only `localProviders`.
    public var localModels: (any LocalModelLoader)?
    /// Where API keys of hosted models are read (normally the process environment).
    public var environment: [String: String]
    public var logger: Logger
    /// The registry `/metrics` prints; services built before the gateway (the metrics writer)
    /// report into it too.
    public var metricsRegistry: PrometheusCollectorRegistry

    public init(
        authenticator: any APIKeyAuthenticator, recordSink: any RequestRecordSink, readiness: any ReadinessCheck,
        services: [any Service] = [], localProviders: [String: any ChatProvider] = [:],
        environment: [String: String], logger: Logger = Logger(label: "switchyard.gateway"),
        metricsRegistry: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
        localModels: (any LocalModelLoader)? = nil
    ) {
        self.authenticator = authenticator; self.recordSink = recordSink; self.readiness = readiness
        self.services = services; self.localProviders = localProviders; self.environment = environment; self.logger = logger
        self.metricsRegistry = metricsRegistry
        self.localModels = localModels
    }
}

extension GatewayDependencies {
    /// The dependencies `switchyard serve` runs with: API keys and readiness from PostgreSQL through
    /// `client`, and a metrics writer whose series (`switchyard_metrics_*`) go to the same Prometheus
    /// registry as the gateway's, so `/metrics` prints both.
    ///
    /// The services are `client`, then the writer (so at shutdown the writer flushes before the client
    /// stops), then `services`. `client` must not be running yet: the gateway's service group runs it.
    /// - Throws: `StoreError.spillFolderUnusable` when the writer's spill folder cannot be used.
    public static func serving(
        client: PostgresClient, writerConfiguration: MetricsWriterConfiguration, services: [any Service] = [],
        localProviders: [String: any ChatProvider] = [:], localModels: (any LocalModelLoader)? = nil,
        environment: [String: String], logger: Logger
    ) throws -> (dependencies: GatewayDependencies, writer: MetricsWriter) {
        let registry = PrometheusCollectorRegistry()
        let writer = try MetricsWriter(client: client, configuration: writerConfiguration, logger: logger,
                                       metricsFactory: PrometheusMetricsFactory(registry: registry))
        let dependencies = GatewayDependencies(
            authenticator: StoreAPIKeyAuthenticator(store: APIKeyStore(client: client, logger: logger)),
            recordSink: writer, readiness: PostgresReadiness(client: client, writer: writer),
            services: [client, writer] + services, localProviders: localProviders,
            environment: environment, logger: logger, metricsRegistry: registry, localModels: localModels)
        return (dependencies, writer)
    }
}

/// Answers whether what the gateway needs (the database) is reachable.
public protocol ReadinessCheck: Sendable {
    /// Returns nil when ready, or what is not.
    func unreadyReason() async -> String?
}

/// A readiness check that always passes (for tests that have no database).
public struct AlwaysReady: ReadinessCheck {
    public init() {}
    public func unreadyReason() async -> String? { nil }
}
