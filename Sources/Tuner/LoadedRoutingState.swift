import Foundation
import Routing

/// A `routing_state` row as the gateway's planner needs it.
public struct LoadedRoutingState: Sendable, Equatable {
    /// The row's version (also in `state.version`).
    public var version: Int64
    /// When the tuner wrote it.
    public var createdAt: Date
    /// The policy the weights were computed for.
    public var policyHash: String
    /// The weights, ready for ``RoutePlanner``.
    public var state: TunedRoutingState

    /// Creates a loaded state.
    public init(version: Int64, createdAt: Date, policyHash: String, state: TunedRoutingState) {
        self.version = version; self.createdAt = createdAt; self.policyHash = policyHash; self.state = state
    }
}
