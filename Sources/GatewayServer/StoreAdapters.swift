import PostgresNIO
import Store

/// API keys from the Store's `api_keys` table (hashed lookup).
public struct StoreAPIKeyAuthenticator: APIKeyAuthenticator {
    private let store: APIKeyStore
    public init(store: APIKeyStore) { self.store = store }

    public func authenticate(bearer: String) async throws -> AuthenticatedKey? {
        guard let record = try await store.authenticate(bearer: bearer) else { return nil }
        return AuthenticatedKey(id: record.id, name: record.name, role: record.role.rawValue)
    }
}

/// Ready while the database answers a ping.
public struct PostgresReadiness: ReadinessCheck {
    private let client: PostgresClient
    public init(client: PostgresClient) { self.client = client }

    public func unreadyReason() async -> String? {
        await client.isReachable(timeout: .seconds(2)) ? nil : "the database is unreachable"
    }
}
