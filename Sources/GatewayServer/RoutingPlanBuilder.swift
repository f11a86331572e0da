import Policy
import Routing
import SwitchyardTypes

/// How one request will be served: its class, the ordered routes to try, and the decision as logged.
struct RoutingPlan: Sendable {
    /// The classifier's verdict, nil when the gateway has no classifier.
    var requestClass: RequestClassRecord?
    /// The routes to try, in order, with the strategy that picked them.
    var decision: Decision
    /// `direct` for a request naming its model, else the rule's strategy (`fixed`, `bandit`, `cascade`).
    var strategyName: String
    /// The rule that matched, nil for direct requests.
    var rule: String?

    /// Whether answers are checked for confidence and escalated (cascade rules).
    var isCascade: Bool {
        if case .cascade = decision.strategy, strategyName != "direct" { return true }
        return false
    }

    /// The decision as the `requests` row stores it.
    func record(policyHash: String) -> DecisionRecord {
        DecisionRecord(route: decision.first.route, strategy: strategyName, propensity: decision.propensity,
                       policyHash: policyHash, stateVersion: decision.stateVersion, rule: rule)
    }

    /// The class as the `x-switchyard-class` header shows it: `domain/task/difficulty`.
    var classHeader: String? { requestClass.map(ClassKey.make) }
}

/// Turns a request into a ``RoutingPlan``: classifier → rule → planner, or straight to a named model.
///
/// `auto` goes through the planner. A request naming a route of the policy is served by that route
/// (with its augmentations); one naming a model goes straight to it (strategy `direct`), except when its
/// class falls under a `local_only` rule and the model is hosted: then the planner chooses among local routes.
struct RoutingPlanBuilder: Sendable {
    let snapshot: GatewaySnapshot
    let health: RoutingHealthTracker
    let tunedState: RoutingStateSource

    /// The plan for `request`, whose class (from ``classify(_:)``) is `requestClass`.
    /// - Throws: ``GatewayError/unknownModel(name:)``, ``GatewayError/noAvailableModel(requested:hint:)``.
    func plan(for request: ChatCompletionRequest, requestClass: RequestClassRecord?) throws(GatewayError) -> RoutingPlan {
        let name = request.model
        guard let planner = snapshot.planner, let policy = snapshot.policy else {
            let chosen = try snapshot.catalog.resolve(name)
            return direct(route: chosen.model.name, model: chosen.model, augmentations: Augmentations(), requestClass: requestClass)
        }
        let rule = requestClass.flatMap { policy.rule(domain: $0.domain, task: $0.task, difficulty: $0.difficulty) }
        if name != GatewayConfiguration.automaticModelName {
            if let route = policy.route(named: name), policy.model(named: name) == nil {
                guard let model = snapshot.catalog.model(named: route.model) else { throw .unknownModel(name: name) }
                if !(rule?.constraints.localOnly ?? false) || isLocal(model) {
                    return direct(route: route.name, model: model, augmentations: Augmentations(route: route), requestClass: requestClass)
                }
            } else {
                guard let model = snapshot.catalog.model(named: name) else { throw .unknownModel(name: name) }
                if !(rule?.constraints.localOnly ?? false) || isLocal(model) {
                    return direct(route: name, model: model, augmentations: Augmentations(), requestClass: requestClass)
                }
            }
        }
        let planning = PlanningRequest(
            requestClass: requestClass ?? Self.unknownClass, tokens: RoutingPrompt.tokenEstimate(request),
            liveStats: liveStats(policy))
        var routed = planner
        routed.state = tunedState.current
        var random = SystemRandomNumberGenerator()
        do {
            let decision = try routed.plan(for: planning, using: &random)
            return RoutingPlan(requestClass: requestClass, decision: decision, strategyName: decision.strategy.kind, rule: decision.rule)
        } catch {
            throw .noAvailableModel(requested: name, hint: error.description)
        }
    }

    /// The class of a request's prompt, nil without a classifier.
    func classify(_ request: ChatCompletionRequest) -> RequestClassRecord? {
        guard let classifier = snapshot.classifier else { return nil }
        let prompt = RoutingPrompt(request)
        let verdict = classifier.classify(system: prompt.system, user: prompt.lastUser)
        return RequestClassRecord(domain: verdict.domain, task: verdict.task, difficulty: verdict.difficulty, confidence: verdict.confidence)
    }

    /// Availability (key set or provider loaded, circuit closed) and recent p95 latency of every route.
    func liveStats(_ policy: PolicyDocument) -> [String: RouteLiveStats] {
        var stats: [String: RouteLiveStats] = [:]
        for route in policy.routes {
            let health = health.state(of: route.model)
            let callable = snapshot.catalog.available(route.model) != nil
            stats[route.name] = RouteLiveStats(isAvailable: callable && health.isAvailable, p95LatencyMS: health.p95LatencyMS)
        }
        return stats
    }

    private func direct(route: String, model: GatewayModel, augmentations: Augmentations, requestClass: RequestClassRecord?) -> RoutingPlan {
        let planned = PlannedRoute(route: route, model: model.name, role: .primary, augmentations: augmentations,
                                   isLocal: isLocal(model), estimatedCostUSD: 0)
        let decision = Decision(plan: [planned], strategy: .fixed, propensity: 1, choiceProbabilities: [route: 1],
                                rule: "", reasons: ["the request names \(route)"], stateVersion: nil)
        return RoutingPlan(requestClass: requestClass, decision: decision, strategyName: "direct", rule: nil)
    }

    private func isLocal(_ model: GatewayModel) -> Bool { model.kind == .local || model.kind == .worker }

    /// The class planned with when the gateway has a policy but no classifier.
    static let unknownClass = RequestClassRecord(domain: ClassCatalog.unknown, task: ClassCatalog.unknown, difficulty: "medium", confidence: 0)
}
