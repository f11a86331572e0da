import Foundation
import Logging
import PostgresNIO

/// API keys in the `api_keys` table: create (secret shown once), authenticate, list, revoke.
///
/// ```swift
/// let keys = APIKeyStore(client: client)
/// let created = try await keys.create(name: "ci", role: .client)
/// print(created.secret)                                      // only time it is visible
/// let record = try await keys.authenticate(bearer: created.secret)
/// ```
public struct APIKeyStore: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    /// A store over the database `client` connects to.
    public init(client: PostgresClient, logger: Logger = Logger(label: "switchyard.keys")) {
        self.client = client
        self.logger = logger
    }

    /// Creates a key and returns its secret (the only time it exists outside the client).
    public func create(name: String, role: APIKeyRole, budgetUSD: Double? = nil, rateLimitPerMinute: Int? = nil) async throws -> CreatedAPIKey {
        let secret = APIKeySecret.generate()
        let hash = ByteBuffer(bytes: APIKeySecret.hash(secret))
        let id = UUID()
        let prefix = APIKeySecret.displayPrefix(of: secret)
        let rows: PostgresRowSequence
        do {
            rows = try await client.query("""
                INSERT INTO api_keys (id, name, role, key_hash, display_prefix, budget_usd, rate_limit_per_minute)
                VALUES (\(id), \(name), \(role.rawValue), \(hash), \(prefix), \(budgetUSD), \(rateLimitPerMinute))
                RETURNING created_at
                """, logger: logger)
            for try await createdAt in rows.decode(Date.self) {
                let record = APIKeyRecord(id: id, name: name, role: role, displayPrefix: prefix, budgetUSD: budgetUSD,
                                          rateLimitPerMinute: rateLimitPerMinute, createdAt: createdAt, revokedAt: nil)
                return CreatedAPIKey(secret: secret, record: record)
            }
        } catch {
            throw StoreError.wrapping(error, operation: "create API key")
        }
        throw StoreError.queryFailed(operation: "create API key", sqlState: nil, message: "no row returned")
    }

    /// The active key whose secret is `bearer`, or nil (unknown, revoked or malformed).
    public func authenticate(bearer: String) async throws -> APIKeyRecord? {
        guard bearer.hasPrefix(APIKeySecret.prefix), bearer.utf8.count <= 256 else { return nil }
        let hash = ByteBuffer(bytes: APIKeySecret.hash(bearer))
        do {
            let rows = try await client.query("""
                SELECT \(unescaped: Self.columns) FROM api_keys WHERE key_hash = \(hash) AND revoked_at IS NULL
                """, logger: logger)
            for try await row in rows { return try Self.decode(row) }
            return nil
        } catch {
            throw StoreError.wrapping(error, operation: "authenticate API key")
        }
    }

    /// Every key, newest first (revoked ones included).
    public func list() async throws -> [APIKeyRecord] {
        do {
            let rows = try await client.query("SELECT \(unescaped: Self.columns) FROM api_keys ORDER BY created_at DESC, name", logger: logger)
            var records: [APIKeyRecord] = []
            for try await row in rows { records.append(try Self.decode(row)) }
            return records
        } catch {
            throw StoreError.wrapping(error, operation: "list API keys")
        }
    }

    /// Revokes the key with `id`; false when no active key has that id.
    @discardableResult
    public func revoke(id: UUID) async throws -> Bool {
        do {
            let rows = try await client.query(
                "UPDATE api_keys SET revoked_at = now() WHERE id = \(id) AND revoked_at IS NULL RETURNING id", logger: logger)
            for try await _ in rows { return true }
            return false
        } catch {
            throw StoreError.wrapping(error, operation: "revoke API key")
        }
    }

    // MARK: Rows

    private static let columns = "id, name, role, display_prefix, budget_usd::float8, rate_limit_per_minute, created_at, revoked_at"

    private static func decode(_ row: PostgresRow) throws -> APIKeyRecord {
        let (id, name, role, prefix, budget, rate, created, revoked) =
            try row.decode((UUID, String, String, String, Double?, Int?, Date, Date?).self)
        return APIKeyRecord(id: id, name: name, role: try APIKeyRole(parsing: role), displayPrefix: prefix,
                            budgetUSD: budget, rateLimitPerMinute: rate, createdAt: created, revokedAt: revoked)
    }
}
