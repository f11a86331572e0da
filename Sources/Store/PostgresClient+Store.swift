import Foundation
import Logging
import PostgresNIO

extension PostgresClient {
    /// A client for `config` whose background logs go to `logger`; run it as a `Service` (one per process).
    public convenience init(_ config: PostgresConfig, logger: Logger = Logger(label: "switchyard.postgres")) {
        self.init(configuration: config.clientConfiguration(), backgroundLogger: logger)
    }

    /// The readiness ping: `SELECT 1` within `timeout`; false on any failure.
    public func isReachable(timeout: Duration = .seconds(2)) async -> Bool {
        do {
            return try await withTimeout(timeout, operation: "readiness ping") {
                let rows = try await self.query("SELECT 1::int4")
                for try await value in rows.decode(Int32.self) { return value == 1 }
                return false
            }
        } catch {
            return false
        }
    }
}

/// Runs `body`, cancelling it and throwing `StoreError.timedOut` when it takes longer than `limit`.
func withTimeout<T: Sendable>(
    _ limit: Duration, operation: String, _ body: @escaping @Sendable () async throws -> T
) async throws -> T {
    try await withThrowingTaskGroup(of: T.self) { group in
        group.addTask { try await body() }
        group.addTask {
            try await Task.sleep(for: limit)
            let seconds = Double(limit.components.seconds) + Double(limit.components.attoseconds) / 1e18
            throw StoreError.timedOut(operation: operation, seconds: seconds)
        }
        defer { group.cancelAll() }
        guard let first = try await group.next() else { throw CancellationError() }
        return first
    }
}

extension StoreError {
    /// Wraps a PostgresNIO error (or any other) into a `queryFailed` naming the operation.
    static func wrapping(_ error: any Error, operation: String) -> StoreError {
        if let storeError = error as? StoreError { return storeError }
        if let psql = error as? PSQLError {
            return .queryFailed(
                operation: operation,
                sqlState: psql.serverInfo?[.sqlState],
                message: psql.serverInfo?[.message] ?? "\(psql.code)"
            )
        }
        return .queryFailed(operation: operation, sqlState: nil, message: "\(error)")
    }

    /// The SQLSTATE of a PostgresNIO server error, if any.
    static func sqlState(of error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }
}
