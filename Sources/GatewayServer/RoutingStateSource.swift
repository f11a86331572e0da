import Routing

/// Where the gateway reads the newest tuned routing state from (e.g. the Tuner's `RoutingStateListener`).
///
/// ```swift
/// let source = RoutingStateSource { listener.current?.state }
/// ```
public struct RoutingStateSource: Sendable {
    private let read: @Sendable () -> TunedRoutingState?

    /// A source that calls `read` once per planned request; it must return at once.
    public init(_ read: @escaping @Sendable () -> TunedRoutingState?) { self.read = read }

    /// No tuned state: bandit rules use their untuned probabilities.
    public static let none = RoutingStateSource { nil }

    /// The state to plan with now.
    public var current: TunedRoutingState? { read() }
}
