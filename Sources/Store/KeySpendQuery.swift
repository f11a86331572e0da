import Foundation
import Logging
import PostgresNIO

/// What a key spent, for budget enforcement (uses the `requests_key_time` index).
public struct KeySpendQuery: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    /// A query over the database `client` connects to.
    public init(client: PostgresClient, logger: Logger = Logger(label: "switchyard.spend")) {
        self.client = client
        self.logger = logger
    }

    /// The SQL the gateway runs (also checked with EXPLAIN in the tests).
    public static let sql = "SELECT coalesce(sum(cost_usd), 0)::float8 FROM requests WHERE api_key_id = $1 AND started_at >= $2"

    /// Total cost in USD of the key's requests since `since`.
    public func spend(apiKeyID: UUID, since: Date) async throws -> Double {
        do {
            let rows = try await client.query("""
                SELECT coalesce(sum(cost_usd), 0)::float8 FROM requests WHERE api_key_id = \(apiKeyID) AND started_at >= \(since)
                """, logger: logger)
            for try await total in rows.decode(Double.self) { return total }
            return 0
        } catch {
            throw StoreError.wrapping(error, operation: "read key spend")
        }
    }
}
