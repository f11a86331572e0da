import Policy

/// What the gateway routes by beyond its configuration: the policy (classes, routes, rules) and the
/// source of the tuned routing state. Without a policy every request names its model (or `auto` for
/// the configured default models).
public struct RoutingInputs: Sendable {
    /// The policy the configuration came from; nil to serve named models only.
    public var policy: PolicyDocument?
    /// The newest tuned routing state (e.g. `RoutingStateSource { listener.current?.state }`).
    public var tunedState: RoutingStateSource

    /// Creates routing inputs; by default no policy and no tuned state.
    public init(policy: PolicyDocument? = nil, tunedState: RoutingStateSource = .none) {
        self.policy = policy; self.tunedState = tunedState
    }
}
