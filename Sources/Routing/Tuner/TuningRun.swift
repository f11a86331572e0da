import Foundation
import Policy

/// One tuning pass over logged outcomes: estimates, new weights, and the off-policy estimate of the change.
public struct TuningRunResult: Sendable, Equatable {
    /// Per tuned class, its candidates' estimates, best route and whether constraints were relaxed.
    public var classes: [TunedClass]
    /// Classes left alone, with the reason (no matching rule, or a rule that is not a bandit).
    public var skipped: [String: String]
    /// The new weights (version 0 until written).
    public var state: TunedRoutingState
    /// The expected utility of the new weights against the logged one.
    public var offPolicy: OffPolicyEstimate
}

/// The tuner's work on one class.
public struct TunedClass: Sendable, Equatable {
    /// The class key.
    public var classKey: String
    /// The policy rule the class falls under.
    public var rule: String
    /// The rule's `exploration`, which the planner mixes into the weights.
    public var ruleExploration: Double
    /// The candidates' estimates, in the rule's order.
    public var estimates: [RouteEstimate]
    /// The weights written to the state (best route 1 − ε·(K − 1), the floor ε for the other eligible ones).
    public var weights: [String: Double]
    /// The probability the planner will give each candidate: the weights mixed with the rule's exploration.
    public var deployed: [String: Double]
    /// The route of highest utility among those meeting the constraints.
    public var best: String?
    /// Whether every candidate broke a constraint, so all were kept.
    public var relaxed: Bool
}

/// Runs the tuner's math from value types; the database part only has to fill the outcomes.
///
/// The one implementation of a tuning pass: `switchyard tune --outcomes` calls it on an export, the
/// Tuner module's `TuningPlanner` on what it read from PostgreSQL.
public enum TuningRun {
    /// Tunes every logged class whose rule is a bandit (the only strategy that reads tuned weights).
    ///
    /// Per class: ``RouteEstimates`` (empirical-Bayes shrinkage), then ``WeightOptimizer`` (best
    /// eligible route, exploration floor for the others). The off-policy estimate compares the logged
    /// decisions with what the planner will really do: the new weights mixed with the rule's
    /// exploration, p = (1 − ε)·w + ε/K (``BanditChoice``).
    /// - Parameters:
    ///   - outcomes: logged requests with propensities (scored or not).
    ///   - policy: the policy in force (rules, candidates, constraints, objective).
    ///   - explorationFloor: the weight every eligible candidate keeps.
    ///   - shrinkage: bounds of the empirical-Bayes prior strength.
    /// - Throws: ``RoutingError`` for out-of-range inputs or no scored outcome.
    public static func run(outcomes: [LoggedOutcome], policy: PolicyDocument, explorationFloor: Double,
                           shrinkage: Shrinkage = Shrinkage()) throws(RoutingError) -> TuningRunResult {
        let estimates = try RouteEstimates(outcomes: outcomes, shrinkage: shrinkage)
        let utility = UtilityWeights(costWeight: policy.objective.costWeight, latencyWeight: policy.objective.latencyWeight)
        let optimizer = WeightOptimizer(utility: utility, explorationFloor: explorationFloor)
        var classes: [TunedClass] = []
        var skipped: [String: String] = [:]
        var weights: [String: [String: Double]] = [:]
        var deployed: [String: [String: Double]] = [:]
        for classKey in estimates.classKeys {
            let parts = classKey.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
            guard parts.count == 3, let rule = policy.rule(domain: parts[0], task: parts[1], difficulty: parts[2]) else {
                skipped[classKey] = "no rule of the policy matches the class"; continue
            }
            guard case .bandit(let bandit) = rule.strategy else {
                skipped[classKey] = "rule '\(rule.name)' is \(rule.strategy.kind); only bandit rules read tuned weights"; continue
            }
            guard let target = TuningTarget(classKey: classKey, policy: policy), !target.candidates.isEmpty else {
                skipped[classKey] = "rule '\(rule.name)' has no candidate the class may use"; continue
            }
            let result = optimizer.weights(for: target, estimates: estimates)
            let probabilities = BanditChoice(exploration: bandit.exploration).probabilities(candidates: target.candidates, tunedWeights: result.weights)
            weights[classKey] = result.weights
            deployed[classKey] = Dictionary(uniqueKeysWithValues: zip(target.candidates, probabilities))
            classes.append(TunedClass(classKey: classKey, rule: rule.name, ruleExploration: bandit.exploration,
                                      estimates: target.candidates.map { estimates.estimate(classKey: classKey, route: $0) },
                                      weights: result.weights, deployed: deployed[classKey]!, best: result.best, relaxed: result.relaxed))
        }
        let offPolicy = try OffPolicyEvaluator(utility: utility).evaluate(outcomes: outcomes, target: TunedRoutingState(classes: deployed), model: estimates)
        return TuningRunResult(classes: classes, skipped: skipped, state: TunedRoutingState(version: 0, classes: weights), offPolicy: offPolicy)
    }

    /// Reads logged outcomes exported as a JSON array or as JSON Lines
    /// (`{"class_key", "route", "propensity", "quality", "cost_usd", "latency_ms"}`).
    /// - Throws: ``RoutingError/invalidOutcomeLine(file:line:reason:)`` naming the bad line (1 for an array).
    public static func parseOutcomes(_ text: String, source: String) throws(RoutingError) -> [LoggedOutcome] {
        let decoder = JSONDecoder()
        if text.drop(while: \.isWhitespace).first == "[" {
            do { return try decoder.decode([LoggedOutcome].self, from: Data(text.utf8)) } catch {
                throw .invalidOutcomeLine(file: source, line: 1, reason: "not an array of logged outcomes")
            }
        }
        var outcomes: [LoggedOutcome] = []
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() where !line.allSatisfy(\.isWhitespace) {
            do { outcomes.append(try decoder.decode(LoggedOutcome.self, from: Data(line.utf8))) } catch {
                throw .invalidOutcomeLine(file: source, line: index + 1, reason: "not a logged outcome (class_key, route, propensity, quality, cost_usd, latency_ms)")
            }
        }
        return outcomes
    }
}
