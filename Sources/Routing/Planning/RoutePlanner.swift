import Policy
import SwitchyardTypes

/// Decides, per request, which routes to try and in what order: f(class, policy, tuned state, live health, tokens).
///
/// Pure and deterministic given the random generator: the gateway passes
/// `SystemRandomNumberGenerator`, tests a ``SeededGenerator``.
///
/// ```swift
/// let planner = RoutePlanner(policy: policy, state: tunedState)
/// var random = SystemRandomNumberGenerator()
/// let decision = try planner.plan(for: request, using: &random)
/// // call decision.first; on failure, decision.nextRoute(after: decision.first.route, failure: .timeout)
/// ```
public struct RoutePlanner: Sendable {
    /// The policy in force.
    public var policy: PolicyDocument
    /// The newest tuned state, if the tuner has written one.
    public var state: TunedRoutingState?
    /// Knobs the policy does not carry.
    public var settings: PlannerSettings

    /// Creates a planner.
    public init(policy: PolicyDocument, state: TunedRoutingState? = nil, settings: PlannerSettings = PlannerSettings()) {
        self.policy = policy; self.state = state; self.settings = settings
    }

    /// The decision for one request.
    /// - Throws: ``RoutingError/noMatchingRule(domain:task:difficulty:)`` when no rule applies,
    ///   ``RoutingError/noEligibleRoute(rule:exclusions:)`` when every route is excluded,
    ///   ``RoutingError/unknownRoute(rule:route:)`` for a policy that names undeclared routes.
    public func plan<R: RandomNumberGenerator>(for request: PlanningRequest, using random: inout R) throws(RoutingError) -> Decision {
        let requestClass = request.requestClass
        guard let rule = policy.rule(domain: requestClass.domain, task: requestClass.task, difficulty: requestClass.difficulty) else {
            throw .noMatchingRule(domain: requestClass.domain, task: requestClass.task, difficulty: requestClass.difficulty)
        }
        let screening = RouteScreening(policy: policy, costs: CostEstimator(defaultCPUSecondsPerToken: settings.defaultCPUSecondsPerToken))
        let (candidates, candidateReasons) = try screening.screen(rule.candidates, rule: rule, request: request)
        let (fallbacks, fallbackReasons) = try screening.screen(rule.fallbacks, rule: rule, request: request)
        var reasons = candidateReasons + fallbackReasons.map { "fallback " + $0 }

        var plan: [PlannedRoute]
        var propensity = 1.0
        var probabilities: [String: Double] = [:]
        var usedState = false
        if candidates.isEmpty {
            guard let first = fallbacks.first else { throw .noEligibleRoute(rule: rule.name, exclusions: reasons) }
            reasons.append("every candidate excluded; starting with fallback \(first.spec.name)")
            plan = []
            probabilities[first.spec.name] = 1
        } else {
            switch rule.strategy {
            case .fixed:
                plan = [candidates[0].planned(as: .primary)] + candidates.dropFirst().map { $0.planned(as: .alternative) }
                probabilities[candidates[0].spec.name] = 1
                reasons.append("fixed: first eligible candidate \(candidates[0].spec.name)")
            case .cascade:
                plan = [candidates[0].planned(as: .primary)] + candidates.dropFirst().map { $0.planned(as: .escalation) }
                probabilities[candidates[0].spec.name] = 1
                reasons.append("cascade: start with \(candidates[0].spec.name), escalate on low confidence")
            case .bandit(let settings):
                let names = candidates.map(\.spec.name)
                let tuned = state?.weights(forClass: request.classKey)
                usedState = tuned != nil
                let choice = BanditChoice(exploration: settings.exploration)
                let p = choice.probabilities(candidates: names, tunedWeights: tuned)
                let (index, chosenP) = choice.draw(from: p, using: &random)
                propensity = chosenP
                for (name, value) in zip(names, p) { probabilities[name] = value }
                let others = candidates.indices.filter { $0 != index }.sorted { p[$0] > p[$1] || (p[$0] == p[$1] && $0 < $1) }
                plan = [candidates[index].planned(as: .primary)] + others.map { candidates[$0].planned(as: .alternative) }
                reasons.append("bandit: drew \(names[index]) with probability \(p[index])"
                               + (usedState ? " from tuned weights" : " (no tuned weights for \(request.classKey))"))
            }
        }
        let planned = Set(plan.map(\.route))
        plan += fallbacks.filter { !planned.contains($0.spec.name) }.map { $0.planned(as: .fallback) }
        if plan[0].role != .primary { plan[0].role = .primary }
        return Decision(plan: plan, strategy: rule.strategy, propensity: propensity, choiceProbabilities: probabilities,
                        rule: rule.name, reasons: reasons, stateVersion: usedState ? state?.version : nil)
    }
}
