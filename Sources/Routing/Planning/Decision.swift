import Policy
import SwitchyardTypes

/// The router's answer for one request: the ordered routes to try and why.
public struct Decision: Sendable, Equatable {
    /// Routes in the order they are tried: the first choice, then (cascade) escalation steps or
    /// (fixed, bandit) the other candidates, then the rule's fallbacks.
    public var plan: [PlannedRoute]
    /// The strategy of the rule that matched.
    public var strategy: RoutingStrategy
    /// The probability the strategy gave the first route (1 for deterministic choices).
    public var propensity: Double
    /// The probability of every candidate the strategy could have chosen first (sums to 1).
    public var choiceProbabilities: [String: Double]
    /// The name of the rule that matched.
    public var rule: String
    /// Why: which routes were dropped by which constraint, and how the first one was chosen.
    public var reasons: [String]
    /// The tuned-state version used, if any.
    public var stateVersion: Int64?

    /// Creates a decision.
    public init(plan: [PlannedRoute], strategy: RoutingStrategy, propensity: Double, choiceProbabilities: [String: Double],
                rule: String, reasons: [String], stateVersion: Int64?) {
        self.plan = plan; self.strategy = strategy; self.propensity = propensity
        self.choiceProbabilities = choiceProbabilities; self.rule = rule; self.reasons = reasons
        self.stateVersion = stateVersion
    }

    /// The route tried first.
    public var first: PlannedRoute { plan[0] }

    /// The decision as the metrics database logs it.
    public func record(policyHash: String) -> DecisionRecord {
        DecisionRecord(route: first.route, strategy: strategy.kind, propensity: propensity,
                       policyHash: policyHash, stateVersion: stateVersion, rule: rule)
    }
}

/// One route of a plan, with what the gateway needs to call it.
public struct PlannedRoute: Sendable, Equatable {
    /// Why this route is in the plan.
    public enum Role: String, Sendable, Equatable {
        /// The first choice.
        case primary
        /// A later step of a cascade, tried when the previous answer's confidence was too low.
        case escalation
        /// Another candidate of the rule, tried when an earlier one failed.
        case alternative
        /// One of the rule's fallbacks, tried when every candidate failed.
        case fallback
    }

    /// The route's name.
    public var route: String
    /// The model that answers.
    public var model: String
    /// Why this route is in the plan.
    public var role: Role
    /// What the route adds around the model call (reasoning instruction, BLADE knowledge, bridge).
    public var augmentations: Augmentations
    /// Whether the model runs on machines we run (local core or our workers).
    public var isLocal: Bool
    /// Estimated cost of the call in USD, from the token estimate and the model's prices.
    public var estimatedCostUSD: Double

    /// Creates a planned route.
    public init(route: String, model: String, role: Role, augmentations: Augmentations, isLocal: Bool, estimatedCostUSD: Double) {
        self.route = route; self.model = model; self.role = role; self.augmentations = augmentations
        self.isLocal = isLocal; self.estimatedCostUSD = estimatedCostUSD
    }
}

/// What a route adds around its model call, named by the route in the policy.
public struct Augmentations: Sendable, Equatable {
    /// The system instruction style.
    public var reasoning: ReasoningStrategy
    /// A local domain model that writes background knowledge for the answering model (BLADE).
    public var bladeModel: String?
    /// Whether retrieved passages are re-ranked and formatted for the model (bridge).
    public var bridge: Bool

    /// Creates augmentations; by default none.
    public init(reasoning: ReasoningStrategy = .direct, bladeModel: String? = nil, bridge: Bool = false) {
        self.reasoning = reasoning; self.bladeModel = bladeModel; self.bridge = bridge
    }

    /// The augmentations a policy route names.
    public init(route: RouteSpec) {
        self.init(reasoning: route.reasoning, bladeModel: route.bladeModel, bridge: route.bridge)
    }
}
