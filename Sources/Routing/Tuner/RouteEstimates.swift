/// The tuner's estimate for one class × route cell.
public struct RouteEstimate: Sendable, Equatable, Codable {
    /// The class key.
    public var classKey: String
    /// The route.
    public var route: String
    /// Logged requests in the cell.
    public var requests: Int
    /// Of those, requests with a quality score.
    public var scored: Int
    /// Shrunk mean quality in [0, 1].
    public var quality: Double
    /// Shrunk mean cost in USD.
    public var costUSD: Double
    /// Shrunk 95th-percentile latency in milliseconds.
    public var p95LatencyMS: Double

    /// Creates an estimate.
    public init(classKey: String, route: String, requests: Int, scored: Int, quality: Double, costUSD: Double, p95LatencyMS: Double) {
        self.classKey = classKey; self.route = route; self.requests = requests; self.scored = scored
        self.quality = quality; self.costUSD = costUSD; self.p95LatencyMS = p95LatencyMS
    }
}

/// Per class × route estimates of quality, cost and p95 latency with shrinkage toward the class and route means.
///
/// Quality and cost: a cell's mean is shrunk toward the additive prior
/// `class mean + route mean − grand mean`, where the class and route means are themselves shrunk
/// toward the grand mean; every prior strength comes from ``Shrinkage`` (empirical Bayes).
/// p95 latency: the cell's nearest-rank p95 is shrunk toward the route's p95 with
/// ``latencyStrength`` pseudo-observations (quantiles have no method-of-moments variance).
/// Cells never logged get their prior, so new routes and classes get estimates too.
public struct RouteEstimates: Sendable {
    /// Strength of the latency prior, in pseudo-observations.
    public static let latencyStrength = 20.0

    private let quality: AdditiveShrinkage
    private let cost: AdditiveShrinkage
    private let cellLatency: [CellKey: (count: Int, p95: Double)]
    private let routeLatency: [String: Double]
    private let grandLatency: Double
    private let counts: [CellKey: (requests: Int, scored: Int)]

    /// Estimates from logged outcomes.
    /// - Throws: ``RoutingError/invalidInput(field:reason:)`` for a quality outside [0, 1] or a negative cost or latency.
    public init(outcomes: [LoggedOutcome], shrinkage: Shrinkage = Shrinkage()) throws(RoutingError) {
        var qualityCells: [CellKey: [Double]] = [:]
        var costCells: [CellKey: [Double]] = [:]
        var latencyCells: [CellKey: [Double]] = [:]
        var latencyRoutes: [String: [Double]] = [:]
        var counts: [CellKey: (requests: Int, scored: Int)] = [:]
        for (index, outcome) in outcomes.enumerated() {
            let key = CellKey(classKey: outcome.classKey, route: outcome.route)
            if let q = outcome.quality {
                guard (0...1).contains(q) else { throw .invalidInput(field: "outcomes[\(index)].quality", reason: "\(q) is outside [0, 1]") }
                qualityCells[key, default: []].append(q)
            }
            guard outcome.costUSD >= 0 else { throw .invalidInput(field: "outcomes[\(index)].costUSD", reason: "negative") }
            guard outcome.latencyMS >= 0 else { throw .invalidInput(field: "outcomes[\(index)].latencyMS", reason: "negative") }
            costCells[key, default: []].append(outcome.costUSD)
            latencyCells[key, default: []].append(outcome.latencyMS)
            latencyRoutes[outcome.route, default: []].append(outcome.latencyMS)
            counts[key, default: (0, 0)].requests += 1
            if outcome.quality != nil { counts[key, default: (0, 0)].scored += 1 }
        }
        quality = AdditiveShrinkage(cells: qualityCells, shrinkage: shrinkage)
        cost = AdditiveShrinkage(cells: costCells, shrinkage: shrinkage)
        cellLatency = latencyCells.mapValues { ($0.count, Self.p95($0)) }
        routeLatency = latencyRoutes.mapValues(Self.p95)
        grandLatency = Self.p95(latencyRoutes.values.flatMap { $0 })
        self.counts = counts
    }

    /// The estimate for one cell, logged or not.
    public func estimate(classKey: String, route: String) -> RouteEstimate {
        let key = CellKey(classKey: classKey, route: route)
        let routeP95 = routeLatency[route] ?? grandLatency
        let latency = cellLatency[key].map {
            Shrinkage.shrink(mean: $0.p95, count: $0.count, toward: routeP95, strength: Self.latencyStrength)
        } ?? routeP95
        let count = counts[key] ?? (0, 0)
        return RouteEstimate(classKey: classKey, route: route, requests: count.requests, scored: count.scored,
                             quality: min(max(quality.estimate(key), 0), 1), costUSD: max(cost.estimate(key), 0),
                             p95LatencyMS: latency)
    }

    /// Every logged class key, sorted.
    public var classKeys: [String] { Set(counts.keys.map(\.classKey)).sorted() }

    /// Nearest-rank 95th percentile (0 for no values).
    static func p95(_ values: [Double]) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        let rank = Int((0.95 * Double(sorted.count)).rounded(.up))
        return sorted[max(rank - 1, 0)]
    }
}

/// A class × route cell.
struct CellKey: Hashable, Sendable {
    var classKey: String
    var route: String
}

/// Two-level shrinkage of cell means: cell → (class + route − grand) → grand.
struct AdditiveShrinkage: Sendable {
    private var grand: Double
    private var classMeans: [String: Double]
    private var routeMeans: [String: Double]
    private var cells: [CellKey: Shrinkage.Group]
    private var cellStrength: Double

    init(cells values: [CellKey: [Double]], shrinkage: Shrinkage) {
        let all = values.values.flatMap { $0 }
        grand = all.isEmpty ? 0 : all.reduce(0, +) / Double(all.count)
        let byClass = Dictionary(grouping: values, by: { $0.key.classKey }).mapValues { Shrinkage.Group(values: $0.flatMap(\.value)) }
        let byRoute = Dictionary(grouping: values, by: { $0.key.route }).mapValues { Shrinkage.Group(values: $0.flatMap(\.value)) }
        let classStrength = shrinkage.strength(of: Array(byClass.values))
        let routeStrength = shrinkage.strength(of: Array(byRoute.values))
        let g = grand
        classMeans = byClass.mapValues { Shrinkage.shrink(mean: $0.mean, count: $0.count, toward: g, strength: classStrength) }
        routeMeans = byRoute.mapValues { Shrinkage.shrink(mean: $0.mean, count: $0.count, toward: g, strength: routeStrength) }
        cells = values.mapValues { Shrinkage.Group(values: $0) }
        cellStrength = shrinkage.strength(of: Array(cells.values))
    }

    func prior(_ key: CellKey) -> Double {
        (classMeans[key.classKey] ?? grand) + (routeMeans[key.route] ?? grand) - grand
    }

    func estimate(_ key: CellKey) -> Double {
        guard let cell = cells[key] else { return prior(key) }
        return Shrinkage.shrink(mean: cell.mean, count: cell.count, toward: prior(key), strength: cellStrength)
    }
}
