import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// Builds the gateway: router, middleware, providers over one `HTTPClient`, and every service it runs.
///
/// `switchyard serve` calls this and runs the result; tests call it too, with fakes in `dependencies`.
/// ```swift
/// let app = try buildApplication(configuration, dependencies: dependencies)
/// try await app.runService()   // until SIGTERM / SIGINT, then a graceful shutdown
/// ```
public func buildApplication(_ configuration: GatewayConfiguration, dependencies: GatewayDependencies) -> some ApplicationProtocol {
    let client = HTTPClientService.makeClient(
        connectTimeout: configuration.upstreamConnectTimeout, idleTimeout: configuration.upstreamIdleTimeout,
        maxConnectionsPerHost: max(8, configuration.maxConcurrentRequests))
    let catalog = ModelCatalog(configuration: configuration, dependencies: dependencies, client: client)
    let metrics = GatewayMetrics(knownModels: catalog.names)
    let recorder = RequestRecorder(sink: dependencies.recordSink, metrics: metrics, policyHash: configuration.policyHash)
    let authenticator = CachingAPIKeyAuthenticator(dependencies.authenticator, ttl: configuration.apiKeyCacheTTL)

    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: OpenAIErrorMiddleware())
    OperationalRoutes(readiness: dependencies.readiness, metrics: metrics, policyLoaded: true).register(on: router)

    let chat = ChatCompletionsHandler(catalog: catalog, recorder: recorder, maxBodyBytes: configuration.maxBodyBytes)
    let models = ModelsHandler(catalog: catalog, created: Int(Date().timeIntervalSince1970))
    let v1 = router.group("v1")
        .add(middleware: APIKeyMiddleware(authenticator: authenticator, limiter: ConcurrencyLimiter(limit: configuration.maxConcurrentRequests), recorder: recorder))
    v1.post("chat/completions", use: chat.handle)
    v1.get("models", use: models.handle)

    var logger = dependencies.logger
    logger[metadataKey: "component"] = "gateway"
    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "switchyard"),
        services: dependencies.services + [HTTPClientService(client: client)],
        logger: logger)
}
