import Policy
import Routing

/// The pure half of a tuning run: from ``TunerInputs`` and a policy to a ``TuningResult`` (nothing written).
///
/// Per logged class whose rule is a bandit (the only strategy that reads tuned weights): Routing's
/// ``RouteEstimates`` (empirical-Bayes shrinkage), then ``WeightOptimizer`` (best eligible route,
/// exploration floor for the others). The value of the new state is estimated off-policy by
/// ``OffPolicyEvaluator`` against what the planner will really do: the weights mixed with the
/// rule's exploration, p = (1 − ε)·w + ε/K (``BanditChoice``).
public struct TuningPlanner: Sendable {
    /// The run's knobs.
    public var settings: TunerSettings

    /// Creates a planner.
    public init(settings: TunerSettings) { self.settings = settings }

    /// The new weights and their expected effect.
    /// - Throws: ``TunerError/noScoredRequests(windowStart:windowEnd:requests:)`` when nothing is scored,
    ///   ``TunerError/invalidInputs(reason:)`` when Routing's math rejects a logged value.
    public func plan(inputs: TunerInputs, policy: PolicyDocument) throws(TunerError) -> TuningResult {
        guard inputs.scoredCount > 0 else {
            throw .noScoredRequests(windowStart: inputs.window.start, windowEnd: inputs.window.end, requests: inputs.outcomes.count)
        }
        let utility = UtilityWeights(costWeight: policy.objective.costWeight, latencyWeight: policy.objective.latencyWeight)
        let estimates: RouteEstimates
        do { estimates = try RouteEstimates(outcomes: inputs.outcomes, shrinkage: settings.shrinkage) } catch {
            throw .invalidInputs(reason: error.description)
        }
        let optimizer = WeightOptimizer(utility: utility, explorationFloor: settings.explorationFloor)
        let logged = Dictionary(inputs.cells.map { ("\($0.classKey)\u{0}\($0.route)", $0) }, uniquingKeysWith: { first, _ in first })

        var classes: [ClassTuning] = []
        var skipped: [SkippedClass] = []
        var written: [String: [String: Double]] = [:]
        var deployed: [String: [String: Double]] = [:]
        for classKey in estimates.classKeys {
            guard let rule = Self.rule(for: classKey, in: policy) else {
                skipped.append(SkippedClass(classKey: classKey, reason: "no rule of the policy matches the class"))
                continue
            }
            guard case .bandit(let bandit) = rule.strategy else {
                skipped.append(SkippedClass(classKey: classKey, reason: "rule '\(rule.name)' is \(rule.strategy.kind); only bandit rules read tuned weights"))
                continue
            }
            guard let target = TuningTarget(classKey: classKey, policy: policy), !target.candidates.isEmpty else {
                skipped.append(SkippedClass(classKey: classKey, reason: "rule '\(rule.name)' has no candidate the class may use"))
                continue
            }
            let (weights, best, relaxed) = optimizer.weights(for: target, estimates: estimates)
            let probabilities = BanditChoice(exploration: bandit.exploration)
                .probabilities(candidates: target.candidates, tunedWeights: weights)
            written[classKey] = weights
            deployed[classKey] = Dictionary(uniqueKeysWithValues: zip(target.candidates, probabilities))
            let candidates = zip(target.candidates, probabilities).map { route, probability in
                let estimate = estimates.estimate(classKey: classKey, route: route)
                return CandidateTuning(route: route, estimate: estimate, utility: optimizer.value(of: estimate),
                                       weight: weights[route] ?? 0, deployedProbability: probability,
                                       logged: logged["\(classKey)\u{0}\(route)"])
            }
            classes.append(ClassTuning(classKey: classKey, rule: rule.name, ruleExploration: bandit.exploration,
                                       best: best, relaxed: relaxed, candidates: candidates))
        }

        let offPolicy: OffPolicyEstimate
        do {
            offPolicy = try OffPolicyEvaluator(utility: utility)
                .evaluate(outcomes: inputs.outcomes, target: TunedRoutingState(classes: deployed), model: estimates)
        } catch {
            throw .invalidInputs(reason: error.description)
        }
        return TuningResult(window: inputs.window, policyHash: policy.hash, requests: inputs.outcomes.count,
                            scored: inputs.scoredCount, classes: classes, skipped: skipped, offPolicy: offPolicy,
                            state: TunedRoutingState(classes: written), writtenVersion: nil)
    }

    /// The first rule matching a `domain/task/difficulty` key.
    static func rule(for classKey: String, in policy: PolicyDocument) -> RuleSpec? {
        let parts = classKey.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count == 3 else { return nil }
        return policy.rule(domain: parts[0], task: parts[1], difficulty: parts[2])
    }
}
