import Foundation
import Logging
import PostgresNIO

/// Creates daily partitions of `requests` and `model_calls` ahead of time and drops old ones.
///
/// `serve` calls ``createAhead(days:)`` at start; `switchyard db partitions` runs both from cron.
public struct PartitionMaintainer: Sendable {
    private let client: PostgresClient
    private let logger: Logger

    /// A maintainer for the database `client` connects to.
    public init(client: PostgresClient, logger: Logger = Logger(label: "switchyard.partitions")) {
        self.client = client
        self.logger = logger
    }

    /// Makes sure partitions exist from yesterday to `days` days ahead (UTC); returns how many were created.
    @discardableResult
    public func createAhead(days: Int, now: Date = Date()) async throws -> Int {
        let today = PostgresTimestamp.day(now)
        return try await ensure(firstDay: today - 1, lastDay: today + Int64(max(0, days)))
    }

    /// Makes sure partitions exist for the UTC days `firstDay...lastDay` (days since 1970-01-01).
    @discardableResult
    public func ensure(firstDay: Int64, lastDay: Int64) async throws -> Int {
        let first = PostgresTimestamp.dateText(day: firstDay)
        let last = PostgresTimestamp.dateText(day: lastDay)
        do {
            let rows = try await client.query(
                "SELECT switchyard_ensure_partitions(\(first)::date, \(last)::date)", logger: logger)
            var created = 0
            for try await count in rows.decode(Int32.self) { created = Int(count) }
            return created
        } catch {
            throw StoreError.wrapping(error, operation: "create partitions \(first)...\(last)")
        }
    }

    /// Drops whole partitions for days older than `retentionDays` before today; returns the dropped table names.
    @discardableResult
    public func dropOlderThan(retentionDays: Int, now: Date = Date()) async throws -> [String] {
        let cutoff = PostgresTimestamp.dateText(day: PostgresTimestamp.day(now) - Int64(retentionDays))
        do {
            let rows = try await client.query("SELECT switchyard_drop_partitions_before(\(cutoff)::date)", logger: logger)
            var dropped: [String] = []
            for try await name in rows.decode(String.self) { dropped.append(name) }
            if !dropped.isEmpty { logger.info("dropped partitions", metadata: ["count": "\(dropped.count)", "before": "\(cutoff)"]) }
            return dropped
        } catch {
            throw StoreError.wrapping(error, operation: "drop partitions before \(cutoff)")
        }
    }

    /// The days (as `YYYY-MM-DD`) that have a `requests` partition, ascending.
    public func existingDays() async throws -> [String] {
        do {
            let rows = try await client.query("""
                SELECT to_char(to_date(right(c.relname, 8), 'YYYYMMDD'), 'YYYY-MM-DD')
                FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
                WHERE p.relname = 'requests' AND c.relname ~ '_p[0-9]{8}$' ORDER BY 1
                """, logger: logger)
            var days: [String] = []
            for try await day in rows.decode(String.self) { days.append(day) }
            return days
        } catch {
            throw StoreError.wrapping(error, operation: "list partitions")
        }
    }
}
