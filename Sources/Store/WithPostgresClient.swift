import Logging
import PostgresNIO

/// Runs `body` with a started client for `config`, shutting the client down afterwards.
///
/// For commands and tests; a long-running server puts its client into its `ServiceGroup` instead.
public func withPostgresClient<T: Sendable>(
    _ config: PostgresConfig,
    logger: Logger = quietPostgresLogger(),
    _ body: @Sendable (PostgresClient) async throws -> T
) async throws -> T {
    let client = PostgresClient(config, logger: logger)
    return try await withThrowingTaskGroup(of: Void.self) { group in
        // Started at once (not merely scheduled), so the client counts as running before `body` leases a
        // connection; otherwise PostgresNIO may warn "PostgresClient.run() hasn't been called yet".
        if #available(macOS 26.0, *) {
            group.addImmediateTask { await client.run() }
        } else {
            group.addTask { await client.run() }
        }
        defer { group.cancelAll() }
        return try await body(client)
    }
}

/// A logger for the client's background work that only reports errors
/// (connection attempts during an outage are otherwise logged on every retry).
public func quietPostgresLogger(label: String = "switchyard.postgres") -> Logger {
    var logger = Logger(label: label)
    logger.logLevel = .error
    return logger
}
