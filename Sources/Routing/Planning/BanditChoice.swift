/// The bandit strategy's choice rule: tuned weights mixed with uniform exploration, so every
/// eligible candidate keeps a probability of at least `exploration / K` and the propensity is exact.
///
/// p(route) = (1 − ε) · w(route) + ε / K, where w are the tuned weights restricted to the eligible
/// candidates and renormalized; without tuned weights for the class, w puts all its mass on the
/// first eligible candidate (the rule's preference order).
public struct BanditChoice: Sendable, Equatable {
    /// The exploration share ε in [0, 1].
    public var exploration: Double

    /// Creates the choice rule.
    public init(exploration: Double) { self.exploration = min(max(exploration, 0), 1) }

    /// The probability of each candidate, in the candidates' order (sums to 1).
    /// - Parameters:
    ///   - candidates: eligible route names, in the rule's preference order (not empty).
    ///   - tunedWeights: the tuned state's weights for the class, if any.
    public func probabilities(candidates: [String], tunedWeights: [String: Double]?) -> [Double] {
        let count = candidates.count
        guard count > 0 else { return [] }
        var base = candidates.map { max(tunedWeights?[$0] ?? 0, 0) }
        let total = base.reduce(0, +)
        if total > 0 {
            base = base.map { $0 / total }
        } else {
            base = candidates.indices.map { $0 == 0 ? 1 : 0 }
        }
        let floor = exploration / Double(count)
        return base.map { (1 - exploration) * $0 + floor }
    }

    /// Draws one index by inverse CDF; returns it with its exact probability.
    public func draw<R: RandomNumberGenerator>(from probabilities: [Double], using random: inout R) -> (index: Int, propensity: Double) {
        let u = random.nextUnitInterval()
        var cumulative = 0.0
        for (index, p) in probabilities.enumerated() {
            cumulative += p
            if u < cumulative { return (index, p) }
        }
        let last = probabilities.lastIndex { $0 > 0 } ?? probabilities.count - 1
        return (last, probabilities[last])
    }
}
