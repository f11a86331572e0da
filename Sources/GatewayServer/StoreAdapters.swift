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

/// Ready while the database answers a ping and, when given, the metrics writer can still spill (its disk is not full).
public struct PostgresReadiness: ReadinessCheck {
    private let client: PostgresClient
    private let writer: MetricsWriter?
    public init(client: PostgresClient, writer: MetricsWriter? = nil) { self.client = client; self.writer = writer }

    public func unreadyReason() async -> String? {
        let reasons = [await client.isReachable(timeout: .seconds(2)) ? nil : "the database is unreachable", writer?.unreadyReason()]
        let found = reasons.compactMap { $0 }
        return found.isEmpty ? nil : found.joined(separator: "; ")
    }
}
