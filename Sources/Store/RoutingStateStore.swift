import Foundation
import Logging
import PostgresNIO

/// One version of the tuned routing state.
public struct RoutingStateVersion: Sendable, Equatable {
    public var version: Int64
    public var createdAt: Date
    public var policyHash: String
    /// JSON text of the weights the router uses.
    public var weightsJSON: String
    /// JSON text of the estimates behind the weights.
    public var estimatesJSON: String
    public var note: String?
}

/// Versioned tuned routing state (table `routing_state`): the tuner appends, gateways read the latest.
public struct RoutingStateStore: Sendable {
    /// The channel a new version is announced on (`NOTIFY switchyard_routing_state, '<version>'`).
    public static let notifyChannel = "switchyard_routing_state"

    private let client: PostgresClient
    private let logger: Logger

    /// A store over the database `client` connects to.
    public init(client: PostgresClient, logger: Logger = Logger(label: "switchyard.routing-state")) {
        self.client = client
        self.logger = logger
    }

    /// Writes a new version and announces it; returns its number.
    public func publish(policyHash: String, weightsJSON: String, estimatesJSON: String = "{}", note: String? = nil) async throws -> Int64 {
        do {
            return try await client.withTransaction(logger: logger) { connection in
                let rows = try await connection.query("""
                    INSERT INTO routing_state (policy_hash, weights, estimates, note)
                    VALUES (\(policyHash), \(weightsJSON)::jsonb, \(estimatesJSON)::jsonb, \(note))
                    RETURNING version
                    """, logger: logger)
                var version: Int64 = 0
                for try await value in rows.decode(Int64.self) { version = value }
                try await connection.query("SELECT pg_notify(\(Self.notifyChannel), \(String(version)))", logger: logger)
                return version
            }
        } catch {
            throw StoreError.wrapping(error, operation: "publish routing state")
        }
    }

    /// The newest version, or nil before the first tuning run.
    public func latest() async throws -> RoutingStateVersion? {
        do {
            let rows = try await client.query("""
                SELECT version, created_at, policy_hash, weights::text, estimates::text, note
                FROM routing_state ORDER BY version DESC LIMIT 1
                """, logger: logger)
            for try await (version, createdAt, hash, weights, estimates, note) in rows.decode((Int64, Date, String, String, String, String?).self) {
                return RoutingStateVersion(version: version, createdAt: createdAt, policyHash: hash,
                                           weightsJSON: weights, estimatesJSON: estimates, note: note)
            }
            return nil
        } catch {
            throw StoreError.wrapping(error, operation: "read routing state")
        }
    }
}
