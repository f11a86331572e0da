import Store

/// The LISTEN/NOTIFY channel new `routing_state` versions are announced on; the payload is the version number.
public enum RoutingStateChannel {
    /// `switchyard_routing_state`, the Store's ``RoutingStateStore/notifyChannel``.
    public static let name = RoutingStateStore.notifyChannel
}
