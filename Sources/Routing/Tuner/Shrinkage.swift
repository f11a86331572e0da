/// Empirical-Bayes shrinkage of group means toward a prior mean.
///
/// A group of n observations with mean x̄ is estimated as (n · x̄ + k · prior) / (n + k), where
/// the prior strength k = σ²_within / τ²_between is estimated by the method of moments from all
/// groups: σ² is the pooled within-group variance and τ² the variance of the group means minus
/// the part explained by sampling noise (σ² / n averaged over groups). k is clamped to
/// [`minStrength`, `maxStrength`] so a handful of groups cannot yield 0 or infinity.
public struct Shrinkage: Sendable, Equatable {
    /// Smallest prior strength, in pseudo-observations.
    public var minStrength: Double
    /// Largest prior strength, in pseudo-observations.
    public var maxStrength: Double

    /// Creates a shrinkage rule.
    public init(minStrength: Double = 1, maxStrength: Double = 200) {
        self.minStrength = minStrength; self.maxStrength = maxStrength
    }

    /// Summary statistics of one group.
    public struct Group: Sendable, Equatable {
        /// Observations.
        public var count: Int
        /// Their mean.
        public var mean: Double
        /// Their sum of squared deviations from the mean.
        public var squaredDeviations: Double

        /// Summarizes values.
        public init(values: [Double]) {
            count = values.count
            mean = values.isEmpty ? 0 : values.reduce(0, +) / Double(values.count)
            let m = mean
            squaredDeviations = values.reduce(0) { $0 + ($1 - m) * ($1 - m) }
        }
    }

    /// The prior strength k for these groups (method of moments, clamped).
    public func strength(of groups: [Group]) -> Double {
        let filled = groups.filter { $0.count > 0 }
        let total = filled.reduce(0) { $0 + $1.count }
        guard filled.count >= 2, total > filled.count else { return maxStrength }
        let within = filled.reduce(0) { $0 + $1.squaredDeviations } / Double(total - filled.count)
        let grand = filled.reduce(0) { $0 + Double($1.count) * $1.mean } / Double(total)
        let spread = filled.reduce(0) { $0 + ($1.mean - grand) * ($1.mean - grand) } / Double(filled.count - 1)
        let noise = filled.reduce(0) { $0 + within / Double($1.count) } / Double(filled.count)
        let between = spread - noise
        guard between > 0 else { return maxStrength }
        return min(max(within / between, minStrength), maxStrength)
    }

    /// The shrunk estimate of one group's mean.
    public static func shrink(mean: Double, count: Int, toward prior: Double, strength: Double) -> Double {
        (Double(count) * mean + strength * prior) / (Double(count) + strength)
    }
}
