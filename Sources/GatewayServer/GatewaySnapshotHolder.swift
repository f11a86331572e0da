import Synchronization

/// Holds the gateway's current ``GatewaySnapshot`` and what outlives policy reloads: live route health
/// and the source of the tuned routing state.
///
/// Each request reads ``current`` once at its start; ``replace(with:)`` swaps in a new snapshot for the
/// requests that start after it, while in-flight ones finish under the one they began with.
public final class GatewaySnapshotHolder: Sendable {
    private let snapshot: Mutex<GatewaySnapshot>
    /// Recent latency and failures per model, kept across reloads.
    let health: RoutingHealthTracker
    /// The newest tuned routing state, read once per planned request.
    let tunedState: RoutingStateSource

    /// A holder starting with `snapshot`.
    public init(_ snapshot: GatewaySnapshot, tunedState: RoutingStateSource = .none) {
        self.snapshot = Mutex(snapshot)
        self.health = RoutingHealthTracker()
        self.tunedState = tunedState
    }

    /// The snapshot in force now.
    public var current: GatewaySnapshot { snapshot.withLock { $0 } }

    /// Makes `newSnapshot` the one requests starting from now on use.
    public func replace(with newSnapshot: GatewaySnapshot) { snapshot.withLock { $0 = newSnapshot } }
}
