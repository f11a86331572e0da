import Policy

/// What the tuner may choose from for one class: the matching rule's candidates and constraints.
public struct TuningTarget: Sendable, Equatable {
    /// The class key.
    public var classKey: String
    /// The rule's candidate routes, in preference order.
    public var candidates: [String]
    /// The rule's cost limit per request, in USD.
    public var maxCostUSD: Double?
    /// The rule's latency objective, in milliseconds.
    public var latencySLOMS: Double?

    /// Creates a target.
    public init(classKey: String, candidates: [String], maxCostUSD: Double? = nil, latencySLOMS: Double? = nil) {
        self.classKey = classKey; self.candidates = candidates; self.maxCostUSD = maxCostUSD; self.latencySLOMS = latencySLOMS
    }

    /// The target of a class under a policy (`domain/task/difficulty` → the first matching rule), or nil when no rule matches.
    /// `local_only` rules keep only local candidates.
    public init?(classKey: String, policy: PolicyDocument) {
        let parts = classKey.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3, let rule = policy.rule(domain: parts[0], task: parts[1], difficulty: parts[2]) else { return nil }
        let candidates = rule.candidates.filter { name in
            guard rule.constraints.localOnly else { return true }
            return policy.route(named: name).flatMap { policy.model(named: $0.model) }?.isLocal ?? false
        }
        self.init(classKey: classKey, candidates: candidates, maxCostUSD: rule.constraints.maxCostUSD,
                  latencySLOMS: rule.constraints.latencySLOMS.map(Double.init))
    }
}

/// Turns estimates into routing weights: per class, the route of highest estimated utility among
/// those meeting the constraints gets 1 − ε·(K − 1), every other candidate keeps the floor ε
/// (bounded exploration, so the logs keep supporting off-policy evaluation of every candidate).
///
/// Candidates breaking a constraint (estimated cost above `maxCostUSD`, p95 above the SLO) get 0,
/// unless every candidate breaks one: then all are kept and the class is reported as relaxed.
public struct WeightOptimizer: Sendable, Equatable {
    /// The objective.
    public var utility: UtilityWeights
    /// The exploration floor ε per candidate, clamped to at most 1/K.
    public var explorationFloor: Double

    /// Creates an optimizer.
    public init(utility: UtilityWeights, explorationFloor: Double) {
        self.utility = utility; self.explorationFloor = max(explorationFloor, 0)
    }

    /// The weights of one class, with the name of the best route and whether constraints were relaxed.
    public func weights(for target: TuningTarget, estimates: RouteEstimates) -> (weights: [String: Double], best: String?, relaxed: Bool) {
        let cells = target.candidates.map { estimates.estimate(classKey: target.classKey, route: $0) }
        var eligible = cells.filter { cell in
            (target.maxCostUSD.map { cell.costUSD <= $0 } ?? true) && (target.latencySLOMS.map { cell.p95LatencyMS <= $0 } ?? true)
        }
        let relaxed = eligible.isEmpty && !cells.isEmpty
        if relaxed { eligible = cells }
        guard let best = eligible.max(by: { value(of: $0) < value(of: $1) }) else { return ([:], nil, false) }
        let floor = min(explorationFloor, 1 / Double(eligible.count))
        var weights: [String: Double] = [:]
        for cell in cells { weights[cell.route] = 0 }
        for cell in eligible { weights[cell.route] = floor }
        weights[best.route] = 1 - floor * Double(eligible.count - 1)
        return (weights, best.route, relaxed)
    }

    /// A whole tuned state for these targets.
    public func state(version: Int64, targets: [TuningTarget], estimates: RouteEstimates) -> TunedRoutingState {
        var classes: [String: [String: Double]] = [:]
        for target in targets { classes[target.classKey] = weights(for: target, estimates: estimates).weights }
        return TunedRoutingState(version: version, classes: classes)
    }

    /// The estimated utility of one cell.
    public func value(of estimate: RouteEstimate) -> Double {
        utility.utility(quality: estimate.quality, costUSD: estimate.costUSD, latencyMS: estimate.p95LatencyMS)
    }
}
