/// Which routes can be used right now: a hosted route is skipped while its model's key variable is unset or empty.
///
/// The policy stays valid when a key is missing; the route simply drops out of every rule's
/// candidates and fallbacks until the variable is set (the gateway re-checks on reload).
public struct RouteAvailability: Sendable, Equatable {
    /// Names of the routes that can be used.
    public var available: Set<String>
    /// Names of the routes skipped, with the environment variable each one is waiting for.
    public var skipped: [String: String]

    /// Works out availability from an environment (pass `ProcessInfo.processInfo.environment`).
    public init(policy: PolicyDocument, environment: [String: String]) {
        var available: Set<String> = []
        var skipped: [String: String] = [:]
        for route in policy.routes {
            guard let model = policy.model(named: route.model) else { continue }
            if case .hosted(let hosted) = model.provider, (environment[hosted.apiKeyEnv] ?? "").isEmpty {
                skipped[route.name] = hosted.apiKeyEnv
            } else {
                available.insert(route.name)
            }
        }
        self.available = available
        self.skipped = skipped
    }

    /// The rule's candidates that can be used, in the rule's order.
    public func candidates(of rule: RuleSpec) -> [String] { rule.candidates.filter(available.contains) }

    /// The rule's fallbacks that can be used, in the rule's order.
    public func fallbacks(of rule: RuleSpec) -> [String] { rule.fallbacks.filter(available.contains) }
}
