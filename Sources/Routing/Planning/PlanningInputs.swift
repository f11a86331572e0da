import SwitchyardTypes

/// Token counts the planner prices a request with: the prompt's, and the answer's expected length.
public struct TokenEstimate: Sendable, Equatable {
    /// Tokens of the prompt (all messages).
    public var inputTokens: Int
    /// Expected answer tokens (the request's `max_tokens`, or a typical answer length).
    public var outputTokens: Int

    /// Creates an estimate.
    public init(inputTokens: Int, outputTokens: Int) {
        self.inputTokens = inputTokens; self.outputTokens = outputTokens
    }
}

/// What the gateway currently knows about one route's health (circuit breaker and recent latency).
public struct RouteLiveStats: Sendable, Equatable {
    /// False while the route's circuit is open or its key is unset: it is not tried.
    public var isAvailable: Bool
    /// 95th percentile of recent end-to-end latency, in milliseconds; nil when too few calls were seen.
    public var p95LatencyMS: Double?
    /// CPU-seconds a local or worker model spent per token recently; nil to use the planner's default.
    public var cpuSecondsPerToken: Double?

    /// Creates live stats; by default the route is available and nothing is known of it.
    public init(isAvailable: Bool = true, p95LatencyMS: Double? = nil, cpuSecondsPerToken: Double? = nil) {
        self.isAvailable = isAvailable; self.p95LatencyMS = p95LatencyMS; self.cpuSecondsPerToken = cpuSecondsPerToken
    }
}

/// Everything the planner needs to know about one request.
public struct PlanningRequest: Sendable, Equatable {
    /// The classifier's verdict.
    public var requestClass: RequestClassRecord
    /// Token counts to price the routes with.
    public var tokens: TokenEstimate
    /// Live stats per route name; a route absent here is taken as available with unknown latency.
    public var liveStats: [String: RouteLiveStats]

    /// Creates a planning request.
    public init(requestClass: RequestClassRecord, tokens: TokenEstimate, liveStats: [String: RouteLiveStats] = [:]) {
        self.requestClass = requestClass; self.tokens = tokens; self.liveStats = liveStats
    }

    /// The key the tuned state uses for this request's class.
    public var classKey: String { ClassKey.make(requestClass) }
}

/// The string key of a class in tuned states and tuner inputs: `domain/task/difficulty`.
public enum ClassKey {
    /// The key of a logged or live class.
    public static func make(_ requestClass: RequestClassRecord) -> String {
        make(domain: requestClass.domain, task: requestClass.task, difficulty: requestClass.difficulty)
    }

    /// The key of a class given by its parts.
    public static func make(domain: String, task: String, difficulty: String) -> String {
        "\(domain)/\(task)/\(difficulty)"
    }
}

/// Knobs of the planner that the policy file does not carry.
public struct PlannerSettings: Sendable, Equatable {
    /// CPU-seconds per token assumed for local and worker models when live stats have none.
    public var defaultCPUSecondsPerToken: Double

    /// Creates settings.
    public init(defaultCPUSecondsPerToken: Double = 0.01) {
        self.defaultCPUSecondsPerToken = defaultCPUSecondsPerToken
    }
}
