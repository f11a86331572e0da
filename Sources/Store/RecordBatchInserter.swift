import Foundation
import Logging
import PostgresNIO
import Synchronization
import SwitchyardTypes

/// Writes batches of request records (and their model calls) in one transaction, idempotently.
///
/// Each table gets one `INSERT ... SELECT ... FROM json_populate_recordset($1) ON CONFLICT DO NOTHING`
/// with the whole batch as one JSON parameter, so writing a batch twice (a replay after a crash, or
/// after a timeout that was in fact a success) leaves exactly one copy of each row. (COPY would be
/// faster, but it cannot skip conflicts and PostgresNIO's COPY can hang on a connection the server
/// closed mid-outage, which took the writer down with it.)
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
        var requestRows = JSONRows(columns: RecordRows.requestColumns, reservingRows: records.count)
        var callRows = JSONRows(columns: RecordRows.modelCallColumns, reservingRows: records.count)
        for record in records {
            RecordRows.appendRequest(record, to: &requestRows)
            RecordRows.appendModelCalls(of: record, to: &callRows)
        }
        let requestJSON = requestRows.text
        let callJSON = callRows.isEmpty ? nil : callRows.text
        let logger = self.logger
        do {
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query(PostgresQuery(
                    unsafeSQL: Self.insertRequests, binds: Self.binding(requestJSON)), logger: logger)
                if let callJSON {
                    try await connection.query(PostgresQuery(
                        unsafeSQL: Self.insertModelCalls, binds: Self.binding(callJSON)), logger: logger)
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

    private static let insertRequests: String = {
        let columns = RecordRows.requestColumns.joined(separator: ", ")
        return "INSERT INTO requests (\(columns)) SELECT \(columns) FROM json_populate_recordset(NULL::requests, $1::json) ON CONFLICT DO NOTHING"
    }()

    private static let insertModelCalls: String = {
        let columns = RecordRows.modelCallColumns.joined(separator: ", ")
        return "INSERT INTO model_calls (\(columns)) SELECT \(columns) FROM json_populate_recordset(NULL::model_calls, $1::json) ON CONFLICT DO NOTHING"
    }()

    private static func binding(_ json: String) -> PostgresBindings {
        var binds = PostgresBindings()
        binds.append(json)
        return binds
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
