import Foundation

/// By class, which routes may answer and how one is chosen (an entry of section `rules`).
public struct RuleSpec: Sendable, Equatable {
    /// The rule's name, logged with each decision.
    public var name: String
    /// Which classes the rule applies to.
    public var match: RuleMatch
    /// Routes that may answer, in preference order (`candidates`).
    public var candidates: [String]
    /// How a candidate is chosen.
    public var strategy: RoutingStrategy
    /// Limits every choice must respect.
    public var constraints: RuleConstraints
    /// Routes tried in order when every candidate failed (`fallbacks`).
    public var fallbacks: [String]

    /// Creates a rule.
    public init(name: String, match: RuleMatch = RuleMatch(), candidates: [String], strategy: RoutingStrategy = .fixed,
                constraints: RuleConstraints = RuleConstraints(), fallbacks: [String] = []) {
        self.name = name; self.match = match; self.candidates = candidates; self.strategy = strategy
        self.constraints = constraints; self.fallbacks = fallbacks
    }
}

/// Which classes a rule applies to; each field is a list of names, or `*` for any.
public struct RuleMatch: Sendable, Equatable {
    /// Domains matched; nil means `*`.
    public var domains: [String]?
    /// Tasks matched; nil means `*`.
    public var tasks: [String]?
    /// Difficulties matched; nil means `*`.
    public var difficulties: [String]?

    /// Creates a match; nil fields match anything.
    public init(domains: [String]? = nil, tasks: [String]? = nil, difficulties: [String]? = nil) {
        self.domains = domains; self.tasks = tasks; self.difficulties = difficulties
    }

    /// Whether the rule applies to a request of this class.
    public func matches(domain: String, task: String, difficulty: String) -> Bool {
        (domains?.contains(domain) ?? true) && (tasks?.contains(task) ?? true)
            && (difficulties?.contains(difficulty) ?? true)
    }

    /// Whether the match accepts every class.
    public var isCatchAll: Bool { domains == nil && tasks == nil && difficulties == nil }
}

/// How a rule chooses among its candidates (`strategy.kind`).
public enum RoutingStrategy: Sendable, Equatable {
    /// Always the first available candidate.
    case fixed
    /// Try candidates in order; accept an answer when its confidence passes the thresholds, else escalate.
    case cascade(CascadeAcceptance)
    /// Choose by tuned estimates, exploring the others with some probability.
    case bandit(BanditSettings)

    /// The word used in the file and in logs: `fixed`, `cascade`, `bandit`.
    public var kind: String {
        switch self {
        case .fixed: return "fixed"
        case .cascade: return "cascade"
        case .bandit: return "bandit"
        }
    }
}

/// When a cascade accepts a (local) answer instead of escalating; every given threshold must pass.
public struct CascadeAcceptance: Sendable, Equatable {
    /// Lowest accepted mean token logprob (`min_mean_logprob`, ≤ 0).
    public var minMeanLogprob: Double?
    /// Lowest accepted single-token logprob (`min_token_logprob`, ≤ 0).
    public var minTokenLogprob: Double?
    /// Highest accepted mean entropy in nats (`max_mean_entropy`, ≥ 0).
    public var maxMeanEntropy: Double?

    /// Creates thresholds; nil ones are not checked.
    public init(minMeanLogprob: Double? = nil, minTokenLogprob: Double? = nil, maxMeanEntropy: Double? = nil) {
        self.minMeanLogprob = minMeanLogprob; self.minTokenLogprob = minTokenLogprob; self.maxMeanEntropy = maxMeanEntropy
    }

    /// Whether an answer with these signals is accepted.
    public func accepts(meanLogprob: Double, minLogprob: Double, meanEntropy: Double) -> Bool {
        (minMeanLogprob.map { meanLogprob >= $0 } ?? true) && (minTokenLogprob.map { minLogprob >= $0 } ?? true)
            && (maxMeanEntropy.map { meanEntropy <= $0 } ?? true)
    }
}

/// Settings of a bandit rule.
public struct BanditSettings: Sendable, Equatable {
    /// Probability mass spread over the non-best candidates, in [0, 1] (`exploration`).
    public var exploration: Double

    /// Creates bandit settings.
    public init(exploration: Double) { self.exploration = exploration }
}

/// Limits a rule's choices must respect (`constraints`).
public struct RuleConstraints: Sendable, Equatable {
    /// Largest expected cost of one request in USD (`max_cost_usd`).
    public var maxCostUSD: Double?
    /// Latency objective in milliseconds (`latency_slo_ms`).
    public var latencySLOMS: Int?
    /// Only local or worker models may see the request (`local_only`), e.g. for medical or legal text.
    public var localOnly: Bool

    /// Creates constraints; by default none apply.
    public init(maxCostUSD: Double? = nil, latencySLOMS: Int? = nil, localOnly: Bool = false) {
        self.maxCostUSD = maxCostUSD; self.latencySLOMS = latencySLOMS; self.localOnly = localOnly
    }
}
