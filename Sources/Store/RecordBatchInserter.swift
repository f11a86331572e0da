import Foundation
import Logging
import PostgresNIO
import Synchronization
import SwitchyardTypes

/// Writes batches of request records (and their model calls) in one transaction, idempotently.
///
/// Rows are streamed with COPY into session-local staging tables and moved with
/// `INSERT ... SELECT ... ON CONFLICT DO NOTHING`, so writing a batch twice (a replay after a
/// crash, or after a timeout that was in fact a success) leaves exactly one copy of each row.
/// Missing daily partitions are created first.
public final class RecordBatchInserter: Sendable {
    private let client: PostgresClient
    private let logger: Logger
    private let partitions: PartitionMaintainer
    private let knownDays = Mutex<Set<Int64>>([])

    /// An inserter writing through `client`.
    public init(client: PostgresClient, logger: Logger = Logger(label: "switchyard.metrics")) {
        self.client = client
        self.logger = logger
        self.partitions = PartitionMaintainer(client: client, logger: logger)
    }

    /// Inserts `records` and their model calls; rows already present are left alone.
    /// - Throws: `StoreError.queryFailed` when the database refuses or is unreachable.
    public func insert(_ records: [RequestRecord]) async throws {
        guard !records.isEmpty else { return }
        try await ensurePartitions(for: records)
        var requestRows = CopyTextRow(into: ByteBuffer())
        var callRows = CopyTextRow(into: ByteBuffer())
        var callCount = 0
        for record in records {
            RecordRows.appendRequest(record, to: &requestRows)
            RecordRows.appendModelCalls(of: record, to: &callRows)
            callCount += record.modelCalls.count
        }
        let requestData = requestRows.buffer
        let callData = callRows.buffer
        let logger = self.logger
        let hasCalls = callCount > 0
        do {
            try await client.withConnection { connection in
                try await Self.prepareStaging(on: connection, logger: logger)
                try await connection.query("BEGIN", logger: logger)
                do {
                    try await connection.copyFrom(table: "switchyard_staging_requests", columns: RecordRows.requestColumns, logger: logger) { writer in
                        try await writer.write(requestData)
                    }
                    if hasCalls {
                        try await connection.copyFrom(table: "switchyard_staging_model_calls", columns: RecordRows.modelCallColumns, logger: logger) { writer in
                            try await writer.write(callData)
                        }
                    }
                    let requestColumns = RecordRows.requestColumns.joined(separator: ", ")
                    try await connection.query("""
                        INSERT INTO requests (\(unescaped: requestColumns))
                        SELECT \(unescaped: requestColumns) FROM switchyard_staging_requests
                        ON CONFLICT DO NOTHING
                        """, logger: logger)
                    if hasCalls {
                        let callColumns = RecordRows.modelCallColumns.joined(separator: ", ")
                        try await connection.query("""
                            INSERT INTO model_calls (\(unescaped: callColumns))
                            SELECT \(unescaped: callColumns) FROM switchyard_staging_model_calls
                            ON CONFLICT DO NOTHING
                            """, logger: logger)
                    }
                    try await connection.query("COMMIT", logger: logger)
                } catch {
                    _ = try? await connection.query("ROLLBACK", logger: logger)
                    throw error
                }
            }
        } catch {
            if StoreError.sqlState(of: error) == "23514" {
                // No partition for a row: forget what we believed about partitions so the next try re-checks.
                knownDays.withLock { $0.removeAll() }
            }
            throw StoreError.wrapping(error, operation: "write \(records.count) request records")
        }
    }

    /// Creates the per-session staging tables once per connection (they live until it closes).
    private static func prepareStaging(on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query(
            "SELECT to_regclass('pg_temp.switchyard_staging_model_calls') IS NOT NULL", logger: logger)
        var exists = false
        for try await value in rows.decode(Bool.self) { exists = value }
        guard !exists else { return }
        try await connection.query("""
            CREATE TEMP TABLE IF NOT EXISTS switchyard_staging_requests (LIKE requests) ON COMMIT DELETE ROWS
            """, logger: logger)
        try await connection.query("""
            CREATE TEMP TABLE IF NOT EXISTS switchyard_staging_model_calls (LIKE model_calls) ON COMMIT DELETE ROWS
            """, logger: logger)
    }

    private func ensurePartitions(for records: [RequestRecord]) async throws {
        let days = Set(records.map { PostgresTimestamp.day($0.startedAt) })
        let missing = knownDays.withLock { known in days.subtracting(known) }
        guard !missing.isEmpty else { return }
        for day in missing.sorted() {
            try await partitions.ensure(firstDay: day, lastDay: day)
        }
        knownDays.withLock { $0.formUnion(missing) }
    }
}
