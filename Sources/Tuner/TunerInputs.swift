import Foundation
import Routing

/// Everything a tuning run reads from PostgreSQL for one window.
///
/// `outcomes` feed Routing's math (shrinkage needs each cell's spread, off-policy evaluation
/// needs each decision's propensity); `cells` are the same requests aggregated in SQL, for the
/// report and for checking the per-row read.
public struct TunerInputs: Sendable, Equatable {
    /// The window read.
    public var window: TuningWindow
    /// One per logged decision with a class, a route and a propensity in (0, 1].
    public var outcomes: [LoggedOutcome]
    /// Per class × route aggregates, sorted by class key then route.
    public var cells: [CellSummary]

    /// Creates inputs.
    public init(window: TuningWindow, outcomes: [LoggedOutcome], cells: [CellSummary]) {
        self.window = window; self.outcomes = outcomes; self.cells = cells
    }

    /// Outcomes that carry a quality score.
    public var scoredCount: Int { outcomes.reduce(0) { $0 + ($1.quality == nil ? 0 : 1) } }
}

/// One class × route cell of the window, aggregated in SQL.
public struct CellSummary: Sendable, Equatable, Codable {
    /// `domain/task/difficulty`.
    public var classKey: String
    /// The route chosen first.
    public var route: String
    /// Logged decisions.
    public var requests: Int
    /// Of those, with a quality score (any source, or a failure counted as 0).
    public var scored: Int
    /// Scored requests by the source that decided their quality (``QualitySource`` raw values).
    public var scoredBySource: [String: Int]
    /// Raw mean quality of the scored requests; nil when none is scored.
    public var meanQuality: Double?
    /// Total cost in USD (a missing cost counts as 0).
    public var costUSD: Double
    /// Mean cost per request in USD.
    public var meanCostUSD: Double
    /// Continuous 95th percentile of latency (`percentile_cont(0.95)`), in milliseconds.
    public var p95LatencyMS: Double
    /// Mean logged propensity of the choice.
    public var meanPropensity: Double

    /// Creates a cell summary.
    public init(classKey: String, route: String, requests: Int, scored: Int, scoredBySource: [String: Int], meanQuality: Double?,
                costUSD: Double, meanCostUSD: Double, p95LatencyMS: Double, meanPropensity: Double) {
        self.classKey = classKey; self.route = route; self.requests = requests; self.scored = scored
        self.scoredBySource = scoredBySource; self.meanQuality = meanQuality; self.costUSD = costUSD
        self.meanCostUSD = meanCostUSD; self.p95LatencyMS = p95LatencyMS; self.meanPropensity = meanPropensity
    }
}
