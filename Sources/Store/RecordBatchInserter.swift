import Foundation
import Logging
import PostgresNIO
import Synchronization
import SwitchyardTypes

/// Writes batches of request records (and their model calls) in one transaction, idempotently.
///
/// Each table gets one `INSERT ... SELECT * FROM unnest($1::uuid[], $2::timestamptz[], ...)
/// ON CONFLICT DO NOTHING` with one binary array parameter per column (``ColumnBatch``), so writing a
/// batch twice (a replay after a crash, or after a timeout that was in fact a success) leaves exactly
/// one copy of each row, and the server parses no text. (COPY cannot skip conflicts, and
/// PostgresNIO's COPY can hang on a connection the server closed mid-outage.)
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
        var requestRows = ColumnBatch(columns: RecordRows.requestColumns, reservingRows: records.count)
        var callRows = ColumnBatch(columns: RecordRows.modelCallColumns, reservingRows: records.count)
        for record in records {
            RecordRows.appendRequest(record, to: &requestRows)
            RecordRows.appendModelCalls(of: record, to: &callRows)
        }
        let requestBinds = requestRows.bindings
        let callBinds = callRows.isEmpty ? nil : callRows.bindings
        let logger = self.logger
        do {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(PostgresQuery(unsafeSQL: Self.insertRequests, binds: requestBinds), logger: logger)
                if let callBinds {
                    try await connection.query(PostgresQuery(unsafeSQL: Self.insertModelCalls, binds: callBinds), logger: logger)
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

    // MARK: Statements

    private static let insertRequests = ColumnBatch.insertStatement(table: "requests", columns: RecordRows.requestColumns)
    private static let insertModelCalls = ColumnBatch.insertStatement(table: "model_calls", columns: RecordRows.modelCallColumns)

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
