import Policy

/// Where the served policy comes from and how the gateway notices that it changed.
///
/// ```swift
/// let reload = PolicyReloadConfiguration(path: "policies/default.yaml")
/// let app = buildApplication(configuration, dependencies: dependencies, routing: RoutingInputs(policy: document), reload: reload)
/// ```
public struct PolicyReloadConfiguration: Sendable {
    /// The policy file, re-read on change and on SIGHUP.
    public var path: String
    /// Time between two looks at the file.
    public var pollInterval: Duration
    /// Whether SIGHUP triggers a reload (tests that run several gateways in one process turn it off).
    public var reloadOnSIGHUP: Bool

    /// A configuration watching `path` every `pollInterval`, reloading on SIGHUP too unless told otherwise.
    public init(path: String, pollInterval: Duration = .seconds(2), reloadOnSIGHUP: Bool = true) {
        self.path = path; self.pollInterval = pollInterval; self.reloadOnSIGHUP = reloadOnSIGHUP
    }
}
