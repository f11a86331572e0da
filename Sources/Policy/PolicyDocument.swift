import Foundation

/// A validated policy: the models, classes, routes and rules one gateway runs under.
///
/// Built only by ``PolicyLoader`` (or ``PolicyParser``), so every cross-reference in it resolves:
/// each route names a declared model, each rule names declared routes and classes.
public struct PolicyDocument: Sendable, Equatable {
    /// The format version (always 1 for now).
    public var version: Int
    /// Limits the HTTP gateway enforces.
    public var server: ServerLimits
    /// Every model, in file order.
    public var models: [ModelSpec]
    /// Domains and tasks with their keywords and examples (the classifier's seed).
    public var classes: ClassCatalog
    /// Named arms, in file order.
    public var routes: [RouteSpec]
    /// Rules in file order; the first whose `match` fits a request's class wins.
    public var rules: [RuleSpec]
    /// The utility the router and tuner maximise.
    public var objective: Objective
    /// What request text may be stored.
    public var logging: LoggingPolicy
    /// Judge sampling (section `judge`); nil when the policy grades nothing.
    public var judge: JudgePolicy?
    /// Hex SHA-256 of the canonical bytes of every file the policy was read from (see ``PolicyHash``).
    public var hash: String
    /// The files the policy was read from, main file first.
    public var sourceFiles: [String]

    /// Creates a policy from already validated parts.
    public init(
        version: Int = 1, server: ServerLimits = ServerLimits(), models: [ModelSpec], classes: ClassCatalog,
        routes: [RouteSpec], rules: [RuleSpec], objective: Objective = Objective(),
        logging: LoggingPolicy = LoggingPolicy(), hash: String = "", sourceFiles: [String] = [], judge: JudgePolicy? = nil
    ) {
        self.version = version; self.server = server; self.models = models; self.classes = classes
        self.routes = routes; self.rules = rules; self.objective = objective; self.logging = logging
        self.hash = hash; self.sourceFiles = sourceFiles; self.judge = judge
    }

    /// The model with this name, if declared.
    public func model(named name: String) -> ModelSpec? { models.first { $0.name == name } }

    /// The route with this name, if declared.
    public func route(named name: String) -> RouteSpec? { routes.first { $0.name == name } }

    /// The first rule whose `match` fits the class; nil only if no rule matches (validation forbids that).
    public func rule(domain: String, task: String, difficulty: String) -> RuleSpec? {
        rules.first { $0.match.matches(domain: domain, task: task, difficulty: difficulty) }
    }
}

/// Limits the HTTP gateway enforces on every request (section `server`).
public struct ServerLimits: Sendable, Equatable {
    /// Largest accepted request body in bytes (413 above it).
    public var maxBodyBytes: Int
    /// Requests served at once before new ones get 429.
    public var maxConcurrentRequests: Int
    /// Wall-time budget of a whole request, in milliseconds (504 when exceeded).
    public var requestTimeoutMS: Int

    /// Creates limits; the defaults are the ones an absent `server` section gives.
    public init(maxBodyBytes: Int = 1_048_576, maxConcurrentRequests: Int = 256, requestTimeoutMS: Int = 120_000) {
        self.maxBodyBytes = maxBodyBytes; self.maxConcurrentRequests = maxConcurrentRequests
        self.requestTimeoutMS = requestTimeoutMS
    }
}

/// The router's utility: quality − cost_weight·cost_usd − latency_weight·latency_seconds (section `objective`).
public struct Objective: Sendable, Equatable {
    /// Utility lost per US dollar spent.
    public var costWeight: Double
    /// Utility lost per second of latency.
    public var latencyWeight: Double

    /// Creates an objective; the defaults are the ones an absent `objective` section gives.
    public init(costWeight: Double = 10, latencyWeight: Double = 0.01) {
        self.costWeight = costWeight; self.latencyWeight = latencyWeight
    }

    /// The utility of one outcome.
    public func utility(quality: Double, costUSD: Double, latencySeconds: Double) -> Double {
        quality - costWeight * costUSD - latencyWeight * latencySeconds
    }
}

/// How much prompt and answer text the metrics database may keep (section `logging`).
public struct LoggingPolicy: Sendable, Equatable {
    /// What is stored of prompt and answer text.
    public enum Content: String, Sendable, Equatable, CaseIterable {
        /// Nothing.
        case none
        /// A SHA-256 of the text only.
        case hash
        /// The text itself.
        case full
    }
    /// What is stored of prompt and answer text.
    public var content: Content

    /// Creates a logging policy; the default stores nothing.
    public init(content: Content = .none) { self.content = content }
}
