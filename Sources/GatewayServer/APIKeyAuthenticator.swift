import Foundation
import Synchronization

/// The API key a request was made with, as the key table knows it (never the key itself).
public struct AuthenticatedKey: Sendable, Equatable {
    public var id: UUID
    public var name: String
    /// `client` or `admin`.
    public var role: String
    public init(id: UUID, name: String, role: String) { self.id = id; self.name = name; self.role = role }
}

/// Looks up a bearer key; the Store's key table in production.
public protocol APIKeyAuthenticator: Sendable {
    /// The key's record, or nil when the key is unknown or revoked.
    /// - Throws: when the lookup itself failed (the database is down).
    func authenticate(bearer: String) async throws -> AuthenticatedKey?
}

/// A fixed set of keys (tests and local development).
public struct StaticAPIKeyAuthenticator: APIKeyAuthenticator {
    private let keys: [String: AuthenticatedKey]
    public init(keys: [String: AuthenticatedKey]) { self.keys = keys }
    public func authenticate(bearer: String) async throws -> AuthenticatedKey? { keys[bearer] }
}

/// Remembers lookups for a short time so a hot key costs no database round trip per request.
///
/// Unknown keys are remembered too (briefly), so a flood of bad keys does not reach the database;
/// the cache is emptied when it grows past ``maxEntries``.
public final class CachingAPIKeyAuthenticator: APIKeyAuthenticator {
    /// Most keys remembered at once.
    public static let maxEntries = 10_000
    private struct Entry { var key: AuthenticatedKey?; var expires: ContinuousClock.Instant }
    private let base: any APIKeyAuthenticator
    private let ttl: Duration
    private let negativeTTL: Duration
    private let entries = Mutex<[String: Entry]>([:])

    public init(_ base: any APIKeyAuthenticator, ttl: Duration, negativeTTL: Duration = .seconds(2)) {
        self.base = base; self.ttl = ttl; self.negativeTTL = negativeTTL
    }

    public func authenticate(bearer: String) async throws -> AuthenticatedKey? {
        let now = ContinuousClock.now
        if let cached = entries.withLock({ $0[bearer] }), cached.expires > now { return cached.key }
        let key = try await base.authenticate(bearer: bearer)
        let expires = now + (key == nil ? negativeTTL : ttl)
        entries.withLock { entries in
            if entries.count >= Self.maxEntries { entries.removeAll(keepingCapacity: true) }
            entries[bearer] = Entry(key: key, expires: expires)
        }
        return key
    }
}
