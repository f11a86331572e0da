import Routing

/// Knobs of a tuning run that the policy file does not carry.
public struct TunerSettings: Sendable, Equatable {
    /// The exploration floor ε each eligible candidate keeps in the written weights (Routing's
    /// ``WeightOptimizer``); the planner adds the rule's own `exploration` on top.
    public var explorationFloor: Double
    /// Bounds of the empirical-Bayes prior strength.
    public var shrinkage: Shrinkage

    /// A 2 % floor and Routing's default shrinkage bounds.
    public static let standard = TunerSettings(checkedFloor: 0.02, shrinkage: Shrinkage())

    private init(checkedFloor: Double, shrinkage: Shrinkage) {
        self.explorationFloor = checkedFloor; self.shrinkage = shrinkage
    }

    /// Creates settings.
    /// - Throws: ``TunerError/invalidSetting(field:reason:)`` for a floor outside [0, 0.5].
    public init(explorationFloor: Double = 0.02, shrinkage: Shrinkage = Shrinkage()) throws(TunerError) {
        guard explorationFloor.isFinite, (0...0.5).contains(explorationFloor) else {
            throw .invalidSetting(field: "explorationFloor", reason: "\(explorationFloor) is outside [0, 0.5]")
        }
        self.explorationFloor = explorationFloor; self.shrinkage = shrinkage
    }
}
