import Foundation

/// A named arm: a model plus optional augmentations and a reasoning strategy (an entry of section `routes`).
public struct RouteSpec: Sendable, Equatable {
    /// The name rules refer to (the key under `routes`).
    public var name: String
    /// The model that answers (`model`).
    public var model: String
    /// The system instruction style (`reasoning`).
    public var reasoning: ReasoningStrategy
    /// A local domain model that writes background knowledge prepended for the answering model (`blade`).
    public var bladeModel: String?
    /// Whether retrieved passages are re-ranked and formatted for the model (`bridge`).
    public var bridge: Bool

    /// Creates a route.
    public init(name: String, model: String, reasoning: ReasoningStrategy = .direct, bladeModel: String? = nil, bridge: Bool = false) {
        self.name = name; self.model = model; self.reasoning = reasoning; self.bladeModel = bladeModel; self.bridge = bridge
    }
}

/// How the answering model is told to reason (Orca 2 style system instructions).
public enum ReasoningStrategy: String, Sendable, Equatable, CaseIterable {
    /// Answer at once.
    case direct
    /// Think step by step, then answer.
    case stepByStep = "step_by_step"
    /// Recall the relevant facts first, then answer.
    case recallThenAnswer = "recall_then_answer"
}
