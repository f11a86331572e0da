import AsyncHTTPClient
import Classifier
import Policy
import Routing

/// Everything the gateway derives from one policy: the document and its hash, the model catalog,
/// the classifier and the route planner. Built once per policy (start, reload), never per request.
///
/// A request reads the holder's snapshot once at its start and finishes under it, whatever reloads happen meanwhile.
/// ```swift
/// let snapshot = try GatewaySnapshot.build(policy: document, dependencies: dependencies, client: client)
/// holder.replace(with: snapshot)
/// ```
public struct GatewaySnapshot: Sendable {
    /// The policy in force; nil for a gateway configured with models only (every request then names its model).
    public let policy: PolicyDocument?
    /// Hash of the policy, logged with every decision (empty when none).
    public let policyHash: String
    /// What requests rows keep of prompt and answer text (the policy's `logging.content`; `none` without a policy).
    public let contentLogging: LoggingPolicy.Content
    /// Where the classifier came from (`model file ...` or `trained from the policy's seeds ...`), for logs.
    public let classifierSource: String?
    /// The models the gateway can call now, with their providers.
    let catalog: ModelCatalog
    /// Classes each request's prompt; nil without a policy.
    let classifier: RequestClassifier?
    /// Decides routes for `auto` requests; nil without a policy.
    let planner: RoutePlanner?
    /// Route and model names, the values the per-route metrics label may take.
    let routeNames: Set<String>

    /// The snapshot a policy describes: its models (hosted models with their keys from `dependencies.environment`,
    /// local ones from `dependencies.localProviders`), its classifier and its planner.
    /// - Throws: ``GatewaySnapshotError/classifierUnavailable(policySource:reason:)`` when the policy's classifier
    ///   can be neither loaded nor trained, so a reload keeps the old snapshot.
    public static func build(policy: PolicyDocument, dependencies: GatewayDependencies, client: HTTPClient) throws(GatewaySnapshotError) -> GatewaySnapshot {
        let source = policy.sourceFiles.first ?? "the policy"
        let configuration = GatewayConfiguration(policy: policy, host: "", port: 0, policySource: source)
        let loaded = try loadClassifier(policy, source: source)
        return GatewaySnapshot(policy: policy, configuration: configuration, classifier: loaded, dependencies: dependencies, client: client)
    }

    /// The snapshot of a start-up configuration, routed by `policy` when one is given.
    ///
    /// Never fails: a classifier that cannot be built leaves every request classed `unknown`, and the reason is logged.
    public init(configuration: GatewayConfiguration, policy: PolicyDocument?, dependencies: GatewayDependencies, client: HTTPClient) {
        var loaded: ClassifierLoader.Loaded?
        if let policy {
            do {
                loaded = try Self.loadClassifier(policy, source: configuration.policySource)
            } catch {
                dependencies.logger.warning("no classifier; requests are classed unknown", metadata: ["reason": "\(error)"])
            }
        }
        self.init(policy: policy, configuration: configuration, classifier: loaded, dependencies: dependencies, client: client)
    }

    private init(policy: PolicyDocument?, configuration: GatewayConfiguration, classifier: ClassifierLoader.Loaded?,
                 dependencies: GatewayDependencies, client: HTTPClient) {
        self.policy = policy
        self.policyHash = policy?.hash ?? configuration.policyHash
        self.contentLogging = policy?.logging.content ?? .none
        self.catalog = ModelCatalog(configuration: configuration, dependencies: dependencies, client: client)
        self.classifier = classifier?.classifier
        self.classifierSource = classifier?.source
        self.planner = policy.map { RoutePlanner(policy: $0) }
        self.routeNames = Set(configuration.models.map(\.name) + (policy?.routes.map(\.name) ?? []))
    }

    private static func loadClassifier(_ policy: PolicyDocument, source: String) throws(GatewaySnapshotError) -> ClassifierLoader.Loaded {
        let seeds = { (classes: [ClassDefinition]) in classes.map { ClassSeed(name: $0.name, keywords: $0.keywords, examples: $0.examples) } }
        do {
            return try ClassifierLoader.load(modelPath: policy.classes.modelPath, domainSeeds: seeds(policy.classes.domains),
                                             taskSeeds: seeds(policy.classes.tasks), unknownBelow: policy.classes.unknownBelow)
        } catch {
            throw .classifierUnavailable(policySource: source, reason: "\(error)")
        }
    }
}

/// Why a policy could not become a gateway snapshot.
public enum GatewaySnapshotError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The policy's classifier model could not be loaded and no classifier could be trained from its classes.
    case classifierUnavailable(policySource: String, reason: String)

    public var description: String {
        switch self {
        case .classifierUnavailable(let source, let reason):
            return "\(source): classes: no classifier could be loaded or trained: \(reason)"
        }
    }
}
