import Foundation
import HTTPTypes
import Hummingbird

/// Per-request state: the request id, the arrival time, and the API key once authenticated.
public struct GatewayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The request's id (`x-switchyard-request-id`, `requests.id`).
    public let requestID: UUID
    /// When the request arrived.
    public let startedAt: Date
    /// For durations: the arrival on the monotonic clock.
    public let startInstant: ContinuousClock.Instant
    /// The key the request was made with, set by ``APIKeyMiddleware``.
    public var apiKey: AuthenticatedKey?

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestID = UUID()
        startedAt = Date()
        startInstant = .now
    }

    /// Bodies are read explicitly with the configured limit.
    public var maxUploadSize: Int { 64 << 20 }
}

extension HTTPField.Name {
    static let switchyardRequestID = HTTPField.Name("x-switchyard-request-id")!
    static let switchyardRoute = HTTPField.Name("x-switchyard-route")!
    static let switchyardCostUSD = HTTPField.Name("x-switchyard-cost-usd")!
}

extension ContinuousClock.Instant {
    /// Milliseconds from this instant to now.
    var millisecondsSince: Double {
        let elapsed = ContinuousClock.now - self
        return Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15
    }
}
