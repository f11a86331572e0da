/// One point of a cost–quality curve: a routing mix and what it achieves per prompt.
public struct CurvePoint: Sendable, Equatable, Codable {
    /// Share of prompts sent to the strong model, in [0, 1].
    public var strongShare: Double
    /// Mean quality per prompt.
    public var meanQuality: Double
    /// Mean cost per prompt, in USD.
    public var meanCostUSD: Double
    /// Performance gap recovered: (quality − weak) / (strong − weak).
    public var pgr: Double

    /// Creates a point.
    public init(strongShare: Double, meanQuality: Double, meanCostUSD: Double, pgr: Double) {
        self.strongShare = strongShare; self.meanQuality = meanQuality; self.meanCostUSD = meanCostUSD; self.pgr = pgr
    }
}

/// The field's metrics of cost–quality curves for a strong/weak pair.
///
/// RouteLLM (Ong et al., 2024): PGR(point) = (q − q_weak) / (q_strong − q_weak);
/// APGR = (AUC − q_weak·R) / ((q_strong − q_weak)·R), AUC the trapezoid area under quality over
/// strong-call share, R the share range (1 for a full sweep), which is the mean PGR over the sweep;
/// CPT(x) = the smallest strong-call share at which the curve, linearly interpolated, reaches
/// PGR = x. RouterBench (Hu et al., 2024): AIQ = the area under the non-decreasing convex hull of
/// the (cost, quality) points, divided by the cost range.
public enum TradeoffMetrics {
    /// Average performance gap recovered of a curve; nil when strong and weak perform alike.
    public static func apgr(_ points: [CurvePoint], weakQuality: Double, strongQuality: Double) -> Double? {
        let gap = strongQuality - weakQuality
        let sorted = points.sorted { $0.strongShare < $1.strongShare }
        guard gap != 0, let first = sorted.first, let last = sorted.last, last.strongShare > first.strongShare else { return nil }
        var area = 0.0
        for (a, b) in zip(sorted, sorted.dropFirst()) {
            area += (b.strongShare - a.strongShare) * (a.meanQuality + b.meanQuality) / 2
        }
        let range = last.strongShare - first.strongShare
        return (area - weakQuality * range) / (gap * range)
    }

    /// Call-performance threshold: the smallest strong-call share reaching `pgr`, or nil if the curve never does.
    public static func cpt(_ points: [CurvePoint], pgr target: Double) -> Double? {
        let sorted = points.sorted { $0.strongShare < $1.strongShare }
        guard let first = sorted.first else { return nil }
        if first.pgr >= target { return first.strongShare }
        for (a, b) in zip(sorted, sorted.dropFirst()) where b.pgr >= target {
            let t = (target - a.pgr) / (b.pgr - a.pgr)
            return a.strongShare + t * (b.strongShare - a.strongShare)
        }
        return nil
    }

    /// Average improvement in quality: area under the non-decreasing convex hull of (cost, quality), over the cost range.
    /// A single point (no cost range) gives its quality.
    public static func aiq(_ points: [(cost: Double, quality: Double)]) -> Double? {
        let sorted = points.sorted { $0.cost < $1.cost || ($0.cost == $1.cost && $0.quality < $1.quality) }
        guard let first = sorted.first, let last = sorted.last else { return nil }
        guard last.cost > first.cost else { return sorted.map(\.quality).max() }
        // Upper convex hull (monotone chain), left to right.
        var hull: [(cost: Double, quality: Double)] = []
        for point in sorted {
            while hull.count >= 2 {
                let a = hull[hull.count - 2], b = hull[hull.count - 1]
                let cross = (b.cost - a.cost) * (point.quality - a.quality) - (b.quality - a.quality) * (point.cost - a.cost)
                if cross >= 0 { hull.removeLast() } else { break }
            }
            hull.append(point)
        }
        // Non-decreasing: past the hull's highest point, quality stays at that height.
        var area = 0.0
        var best = hull[0].quality
        for (a, b) in zip(hull, hull.dropFirst()) {
            let qa = max(a.quality, best), qb = max(b.quality, qa)
            area += (b.cost - a.cost) * (qa + qb) / 2
            best = qb
        }
        return area / (last.cost - first.cost)
    }
}
