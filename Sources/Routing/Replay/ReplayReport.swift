/// Everything `switchyard replay` reports, per benchmark of the test set and over all of it.
public struct ReplayReport: Sendable, Equatable, Codable {
    /// Prompts the router was trained on.
    public var trainPrompts: Int
    /// Prompts it was evaluated on.
    public var testPrompts: Int
    /// The strong model of the pair.
    public var strongModel: String
    /// The weak (cheap) model of the pair.
    public var weakModel: String
    /// Results per benchmark, then `all`.
    public var benchmarks: [BenchmarkReport]

    /// The report of one benchmark, if present.
    public func benchmark(_ name: String) -> BenchmarkReport? { benchmarks.first { $0.name == name } }
}

/// Results on one benchmark's test prompts.
public struct BenchmarkReport: Sendable, Equatable, Codable {
    /// The benchmark (category prefix) or `all`.
    public var name: String
    /// Test prompts in it.
    public var prompts: Int
    /// Every model answering every prompt.
    public var singleModels: [RoutedPoint]
    /// The trained router's sweep of the strong-call share.
    public var router: CurveSummary
    /// Random routing at the same shares (expected values: the straight line from weak to strong).
    public var random: CurveSummary
    /// The oracle's sweep: prompts sent to the strong model in order of their true quality gain.
    public var oracle: CurveSummary
    /// The model of best mean training quality per category (ties to the cheaper).
    public var bestPerCategory: RoutedPoint
    /// Per prompt, the best model (ties to the cheaper): the ceiling of any router.
    public var oracleBest: RoutedPoint
}

/// A fixed routing and what it achieves per prompt.
public struct RoutedPoint: Sendable, Equatable, Codable {
    /// What was routed: a model name or a baseline's name.
    public var label: String
    /// Mean quality per prompt.
    public var meanQuality: Double
    /// Mean cost per prompt, in USD.
    public var meanCostUSD: Double
    /// Share of prompts sent to the strong model.
    public var strongShare: Double
}

/// A cost–quality curve and its metrics.
public struct CurveSummary: Sendable, Equatable, Codable {
    /// The points, by increasing strong-call share.
    public var points: [CurvePoint]
    /// Average performance gap recovered (RouteLLM).
    public var apgr: Double?
    /// Strong-call share needed for 50% of the gap (RouteLLM's CPT(50%)).
    public var cpt50: Double?
    /// Strong-call share needed for 80% of the gap (CPT(80%)).
    public var cpt80: Double?
    /// Average improvement in quality over the cost range (RouterBench).
    public var aiq: Double?

    /// Summarizes points of a strong/weak pair.
    init(points: [CurvePoint], weakQuality: Double, strongQuality: Double) {
        self.points = points.sorted { $0.strongShare < $1.strongShare }
        apgr = TradeoffMetrics.apgr(points, weakQuality: weakQuality, strongQuality: strongQuality)
        cpt50 = TradeoffMetrics.cpt(points, pgr: 0.5)
        cpt80 = TradeoffMetrics.cpt(points, pgr: 0.8)
        aiq = TradeoffMetrics.aiq(points.map { ($0.meanCostUSD, $0.meanQuality) })
    }
}
