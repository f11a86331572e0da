/// One logged request as the tuner sees it: its class, the route that answered first, the
/// propensity of that choice, and what it cost, how long it took and how good it was.
///
/// The database part fills these from `requests` joined with `feedback`; the tuner's math needs nothing else.
public struct LoggedOutcome: Sendable, Equatable, Codable {
    /// The class key (``ClassKey``).
    public var classKey: String
    /// The route chosen first.
    public var route: String
    /// The probability the logging policy gave that route, in (0, 1].
    public var propensity: Double
    /// Quality in [0, 1] from feedback or a judge; nil when no score arrived.
    public var quality: Double?
    /// What the request cost, in USD.
    public var costUSD: Double
    /// End-to-end latency in milliseconds.
    public var latencyMS: Double

    /// Creates an outcome.
    public init(classKey: String, route: String, propensity: Double, quality: Double?, costUSD: Double, latencyMS: Double) {
        self.classKey = classKey; self.route = route; self.propensity = propensity
        self.quality = quality; self.costUSD = costUSD; self.latencyMS = latencyMS
    }

    /// Export field names: `class_key`, `route`, `propensity`, `quality`, `cost_usd`, `latency_ms`.
    enum CodingKeys: String, CodingKey {
        case classKey = "class_key", route, propensity, quality, costUSD = "cost_usd", latencyMS = "latency_ms"
    }
}

/// The utility the tuner maximizes: quality − cost_weight · cost_usd − latency_weight · latency_seconds.
public struct UtilityWeights: Sendable, Equatable, Codable {
    /// Utility lost per USD.
    public var costWeight: Double
    /// Utility lost per second.
    public var latencyWeight: Double

    /// Creates weights (copy them from the policy's `objective`).
    public init(costWeight: Double, latencyWeight: Double) {
        self.costWeight = costWeight; self.latencyWeight = latencyWeight
    }

    /// The utility of one outcome.
    public func utility(quality: Double, costUSD: Double, latencyMS: Double) -> Double {
        quality - costWeight * costUSD - latencyWeight * latencyMS / 1000
    }
}
