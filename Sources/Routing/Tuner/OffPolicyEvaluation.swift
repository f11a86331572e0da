/// Off-policy estimates of a new routing state's expected utility from logged decisions.
public struct OffPolicyEstimate: Sendable, Equatable, Codable {
    /// Scored outcomes used.
    public var samples: Int
    /// Mean utility of the logged decisions (the current policy's value, on-policy).
    public var loggedValue: Double
    /// Inverse propensity scoring: mean of (π/μ)·r.
    public var ips: Double
    /// Self-normalized IPS: Σ(π/μ)·r / Σ(π/μ).
    public var snips: Double
    /// Doubly robust: model estimate plus the IPS-weighted residual of the model.
    public var doublyRobust: Double
    /// Standard error of the IPS mean.
    public var ipsStandardError: Double
    /// Effective sample size (Σw)² / Σw², low when the new policy strays far from the logged one.
    public var effectiveSampleSize: Double

    /// Expected utility change per request by each estimator (estimate − logged value).
    public var changeIPS: Double { ips - loggedValue }
    /// Expected utility change per request, SNIPS.
    public var changeSNIPS: Double { snips - loggedValue }
    /// Expected utility change per request, doubly robust.
    public var changeDoublyRobust: Double { doublyRobust - loggedValue }
}

/// Estimates the value of a target routing state from logged outcomes and their propensities.
///
/// Only outcomes with a quality score count. For an outcome i with logged route aᵢ, propensity μᵢ
/// and utility rᵢ, the importance weight is wᵢ = π(aᵢ | xᵢ) / μᵢ, where π is the target state's
/// weight. Classes the target state does not cover keep the logged behaviour (wᵢ = 1 and the
/// model term is rᵢ). The doubly robust estimate uses the tuner's shrunk estimates as r̂:
/// V_DR = mean[ Σₐ π(a|xᵢ) r̂(xᵢ, a) + wᵢ (rᵢ − r̂(xᵢ, aᵢ)) ].
public struct OffPolicyEvaluator: Sendable, Equatable {
    /// The utility of an outcome.
    public var utility: UtilityWeights

    /// Creates an evaluator.
    public init(utility: UtilityWeights) { self.utility = utility }

    /// The estimates for `target`.
    /// - Parameter model: r̂ for the doubly robust estimate; without one, DR equals IPS.
    /// - Throws: ``RoutingError/invalidInput(field:reason:)`` for a propensity outside (0, 1],
    ///   ``RoutingError/insufficientData(reason:)`` when no outcome has a quality score.
    public func evaluate(outcomes: [LoggedOutcome], target: TunedRoutingState, model: RouteEstimates? = nil) throws(RoutingError) -> OffPolicyEstimate {
        var rewards: [Double] = []
        var weights: [Double] = []
        var drTerms: [Double] = []
        for (index, outcome) in outcomes.enumerated() {
            guard let quality = outcome.quality else { continue }
            guard outcome.propensity > 0, outcome.propensity <= 1 else {
                throw .invalidInput(field: "outcomes[\(index)].propensity", reason: "\(outcome.propensity) is outside (0, 1]")
            }
            let reward = utility.utility(quality: quality, costUSD: outcome.costUSD, latencyMS: outcome.latencyMS)
            rewards.append(reward)
            guard let policy = target.weights(forClass: outcome.classKey) else {
                weights.append(1); drTerms.append(reward); continue
            }
            let weight = (policy[outcome.route] ?? 0) / outcome.propensity
            weights.append(weight)
            if let model {
                let predicted = { (route: String) in self.value(model.estimate(classKey: outcome.classKey, route: route)) }
                let direct = policy.reduce(0) { $0 + $1.value * predicted($1.key) }
                drTerms.append(direct + weight * (reward - predicted(outcome.route)))
            } else {
                drTerms.append(weight * reward)
            }
        }
        guard !rewards.isEmpty else { throw .insufficientData(reason: "no logged outcome has a quality score") }
        let n = Double(rewards.count)
        let weighted = zip(weights, rewards).map { $0 * $1 }
        let ips = weighted.reduce(0, +) / n
        let variance = weighted.reduce(0) { $0 + ($1 - ips) * ($1 - ips) } / max(n - 1, 1)
        let weightSum = weights.reduce(0, +)
        let weightSquares = weights.reduce(0) { $0 + $1 * $1 }
        return OffPolicyEstimate(
            samples: rewards.count, loggedValue: rewards.reduce(0, +) / n, ips: ips,
            snips: weightSum > 0 ? weighted.reduce(0, +) / weightSum : 0,
            doublyRobust: drTerms.reduce(0, +) / n, ipsStandardError: (variance / n).squareRoot(),
            effectiveSampleSize: weightSquares > 0 ? weightSum * weightSum / weightSquares : 0)
    }

    private func value(_ estimate: RouteEstimate) -> Double {
        utility.utility(quality: estimate.quality, costUSD: estimate.costUSD, latencyMS: estimate.p95LatencyMS)
    }
}
