import Foundation
import Routing

/// What a tuning run found and (unless it was a dry run) wrote.
public struct TuningResult: Sendable, Equatable, Codable {
    /// The window learned from.
    public var window: TuningWindow
    /// The policy the weights were computed for (`policy.hash`).
    public var policyHash: String
    /// Logged decisions read.
    public var requests: Int
    /// Of those, with a quality score.
    public var scored: Int
    /// The classes that got weights, sorted by class key.
    public var classes: [ClassTuning]
    /// Logged classes left untouched, with the reason.
    public var skipped: [SkippedClass]
    /// The expected utility per request of the new state against the logged decisions.
    public var offPolicy: OffPolicyEstimate
    /// The weights written (or that would be written) to `routing_state.weights`.
    public var state: TunedRoutingState
    /// The `routing_state` version written; nil for a dry run.
    public var writtenVersion: Int64?
}

/// The new weights of one class and the estimates behind them.
public struct ClassTuning: Sendable, Equatable, Codable {
    /// `domain/task/difficulty`.
    public var classKey: String
    /// The policy rule the class falls under.
    public var rule: String
    /// The rule's `exploration` the planner mixes into the weights.
    public var ruleExploration: Double
    /// The candidate with the highest estimated utility among those meeting the constraints.
    public var best: String?
    /// Whether every candidate broke a constraint, so all were kept.
    public var relaxed: Bool
    /// One per candidate, in the rule's order.
    public var candidates: [CandidateTuning]
}

/// One candidate route of a tuned class.
public struct CandidateTuning: Sendable, Equatable, Codable {
    /// The route.
    public var route: String
    /// Shrunk estimates (requests and scored counts are the cell's own).
    public var estimate: RouteEstimate
    /// Estimated utility: quality − cost_weight · cost − latency_weight · p95 seconds.
    public var utility: Double
    /// The weight written to the state.
    public var weight: Double
    /// The probability the planner will give the route: (1 − ε) · weight + ε / K.
    public var deployedProbability: Double
    /// The SQL aggregates of the cell, when it was logged in the window.
    public var logged: CellSummary?
}

/// A logged class the run did not tune.
public struct SkippedClass: Sendable, Equatable, Codable {
    /// `domain/task/difficulty`.
    public var classKey: String
    /// Why: no matching rule, or a rule whose strategy does not read tuned weights.
    public var reason: String
}
