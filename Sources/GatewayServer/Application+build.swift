import AsyncHTTPClient
import Foundation
import Hummingbird
import Logging
import Policy
import ServiceLifecycle
import SwitchyardTypes

/// Builds the gateway: router, middleware, providers over one `HTTPClient`, and every service it runs.
///
/// `switchyard serve` calls this and runs the result; tests call it too, with fakes in `dependencies`.
/// With `reload` (and a policy in `routing`), the policy file is watched and reloaded on change and
/// on SIGHUP, and `GET /admin/policy` reports it. With `feedback`, `POST /v1/feedback` stores scores,
/// and with `judge` too, a sample of answers is graded by a judge model in the background.
/// ```swift
/// let app = buildApplication(configuration, dependencies: dependencies, routing: RoutingInputs(policy: document),
///                            reload: PolicyReloadConfiguration(path: "policies/default.yaml"))
/// try await app.runService()   // until SIGTERM / SIGINT, then a graceful shutdown
/// ```
public func buildApplication(
    _ configuration: GatewayConfiguration, dependencies: GatewayDependencies, routing: RoutingInputs = RoutingInputs(),
    reload: PolicyReloadConfiguration? = nil, feedback: (any FeedbackRecorder)? = nil, judge: JudgeSettings? = nil
) -> some ApplicationProtocol {
    var logger = dependencies.logger
    logger[metadataKey: "component"] = "gateway"
    let client = HTTPClientService.makeClient(
        connectTimeout: configuration.upstreamConnectTimeout, idleTimeout: configuration.upstreamIdleTimeout,
        maxConnectionsPerHost: max(8, configuration.maxConcurrentRequests))
    let snapshots = GatewaySnapshotHolder(
        GatewaySnapshot(configuration: configuration, policy: routing.policy, dependencies: dependencies, client: client),
        tunedState: routing.tunedState)
    let metrics = GatewayMetrics(knownModels: snapshots.current.catalog.names, registry: dependencies.metricsRegistry)
    var services = dependencies.services + [HTTPClientService(client: client)]
    var sink = dependencies.recordSink
    var sampler: JudgeSampler?
    if let judge, let feedback {
        let judgeSampler = JudgeSampler(settings: judge, snapshots: snapshots, feedback: feedback, callSink: dependencies.recordSink,
                                        metrics: JudgeMetrics(registry: metrics.registry), logger: logger)
        sink = JudgeRecordingSink(base: sink, sampler: judgeSampler)
        services.append(judgeSampler)
        sampler = judgeSampler
    } else if judge != nil {
        logger.warning("judge sampling needs a feedback store; answers are not graded")
    }
    let recentRequests = FeedbackRecentRequests()
    if feedback != nil { sink = FeedbackRecordingSink(base: sink, recent: recentRequests) }
    let recorder = RequestRecorder(sink: sink, metrics: metrics, policyHash: configuration.policyHash)
    let authenticator = CachingAPIKeyAuthenticator(dependencies.authenticator, ttl: configuration.apiKeyCacheTTL)
    let limiter = ConcurrencyLimiter(limit: configuration.maxConcurrentRequests)

    let router = Router(context: GatewayRequestContext.self)
    router.add(middleware: OpenAIErrorMiddleware())
    OperationalRoutes(readiness: dependencies.readiness, metrics: metrics, policyLoaded: true).register(on: router)

    let chat = ChatCompletionsHandler(snapshots: snapshots, recorder: recorder, maxBodyBytes: configuration.maxBodyBytes)
    let models = ModelsHandler(snapshots: snapshots, created: Int(Date().timeIntervalSince1970))
    let v1 = router.group("v1")
        .add(middleware: APIKeyMiddleware(authenticator: authenticator, limiter: limiter, recorder: recorder))
    if let sampler {
        v1.group("chat").add(middleware: JudgeSamplingMiddleware(sampler: sampler, maxBodyBytes: configuration.maxBodyBytes))
            .post("completions", use: chat.handle)
    } else {
        v1.post("chat/completions", use: chat.handle)
    }
    v1.get("models", use: models.handle)
    if let feedback {
        v1.post("feedback", use: FeedbackHandler(recorder: feedback, recent: recentRequests, logger: logger).handle)
    }

    if let reload, let policy = routing.policy {
        let service = PolicyReloadService(
            store: PolicyStore(initial: policy), configuration: reload,
            metrics: PolicyReloadMetrics(registry: metrics.registry, hash: policy.hash), logger: logger
        ) { newPolicy in
            // Build everything first (loading local models the policy adds); a policy whose snapshot cannot be
            // built is refused and the old one stays.
            var reloaded = dependencies
            if let localModels = dependencies.localModels { reloaded.localProviders = try localModels.providers(for: newPolicy) }
            let snapshot = try GatewaySnapshot.build(policy: newPolicy, dependencies: reloaded, client: client)
            metrics.allowModels(snapshot.catalog.names)
            snapshots.replace(with: snapshot)
        }
        services.append(service)
        router.group("admin")
            .add(middleware: APIKeyMiddleware(authenticator: authenticator, limiter: limiter, recorder: recorder))
            .get("policy", use: AdminPolicyHandler(reload: service).handle)
    }

    return Application(
        router: router,
        configuration: .init(address: .hostname(configuration.host, port: configuration.port), serverName: "switchyard"),
        services: services,
        logger: logger)
}
