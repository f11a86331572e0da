import Foundation
import Synchronization

/// One call made to an upstream (a first try or a retry).
public struct ProviderAttempt: Sendable, Equatable {
    public var startedAt: Date
    public var latencyMS: Double
    /// The upstream's HTTP status, when it answered.
    public var status: Int?
    /// Why the attempt failed (``ProviderError/code``), nil when it succeeded.
    public var errorCode: String?

    public init(startedAt: Date, latencyMS: Double, status: Int?, errorCode: String?) {
        self.startedAt = startedAt; self.latencyMS = latencyMS; self.status = status; self.errorCode = errorCode
    }
}

/// Collects the attempts of one request's provider calls, in order.
public final class ProviderAttemptLog: Sendable {
    private let entries = Mutex<[ProviderAttempt]>([])

    public init() {}

    /// Adds an attempt.
    public func append(_ attempt: ProviderAttempt) { entries.withLock { $0.append(attempt) } }

    /// Every attempt so far.
    public var attempts: [ProviderAttempt] { entries.withLock { $0 } }
}
