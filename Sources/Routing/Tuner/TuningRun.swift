import Foundation
import Policy

/// One tuning pass over logged outcomes: estimates, new weights, and the off-policy estimate of the change.
public struct TuningResult: Sendable, Equatable {
    /// Per tuned class, its candidates' estimates, best route and whether constraints were relaxed.
    public var classes: [ClassTuning]
    /// The new weights (version 0 until written).
    public var state: TunedRoutingState
    /// The expected utility of the new weights against the logged one.
    public var offPolicy: OffPolicyEstimate
}

/// The tuner's work on one class.
public struct ClassTuning: Sendable, Equatable {
    /// The class key.
    public var classKey: String
    /// The candidates' estimates, in the rule's order.
    public var estimates: [RouteEstimate]
    /// The route of highest utility among those meeting the constraints.
    public var best: String?
    /// Whether every candidate broke a constraint, so all were kept.
    public var relaxed: Bool
}

/// Runs the tuner's math from value types; the database part only has to fill the outcomes.
public enum TuningRun {
    /// Tunes every logged class the policy has a rule for.
    /// - Parameters:
    ///   - outcomes: logged requests with propensities (scored or not).
    ///   - policy: the policy in force (rules, candidates, constraints, objective).
    ///   - explorationFloor: the weight every eligible candidate keeps.
    /// - Throws: ``RoutingError`` for out-of-range inputs or no scored outcome.
    public static func run(outcomes: [LoggedOutcome], policy: PolicyDocument, explorationFloor: Double) throws(RoutingError) -> TuningResult {
        let estimates = try RouteEstimates(outcomes: outcomes)
        let utility = UtilityWeights(costWeight: policy.objective.costWeight, latencyWeight: policy.objective.latencyWeight)
        let optimizer = WeightOptimizer(utility: utility, explorationFloor: explorationFloor)
        let targets = estimates.classKeys.compactMap { TuningTarget(classKey: $0, policy: policy) }
        var classes: [ClassTuning] = []
        var weights: [String: [String: Double]] = [:]
        for target in targets {
            let result = optimizer.weights(for: target, estimates: estimates)
            weights[target.classKey] = result.weights
            classes.append(ClassTuning(classKey: target.classKey,
                                       estimates: target.candidates.map { estimates.estimate(classKey: target.classKey, route: $0) },
                                       best: result.best, relaxed: result.relaxed))
        }
        let state = TunedRoutingState(version: 0, classes: weights)
        let offPolicy = try OffPolicyEvaluator(utility: utility).evaluate(outcomes: outcomes, target: state, model: estimates)
        return TuningResult(classes: classes, state: state, offPolicy: offPolicy)
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
