import Foundation
import Logging
import PostgresNIO

/// Applies pending migrations, each in its own transaction, under a PostgreSQL advisory lock.
///
/// Two gateways starting at once serialize on the lock: the second finds everything applied.
/// Each applied migration is recorded in `schema_migrations` with its SHA-256; a recorded
/// migration whose file has since changed stops the run before anything is applied.
///
/// ```swift
/// let runner = MigrationRunner(client: client, folder: URL(fileURLWithPath: "migrations"))
/// let report = try await runner.migrate()
/// ```
public struct MigrationRunner: Sendable {
    /// What a run did.
    public struct Report: Sendable, Equatable {
        /// File names applied by this run, in order.
        public var applied: [String]
        /// How many migrations were already applied before this run.
        public var alreadyApplied: Int
    }

    /// The advisory lock key every Switchyard process uses for migrations.
    public static let advisoryLockKey: Int64 = 0x5357_4D49_4752_4154  // "SWMIGRAT"

    private let client: PostgresClient
    private let folder: URL
    private let logger: Logger

    /// A runner for the migrations in `folder` against the database `client` connects to.
    public init(client: PostgresClient, folder: URL, logger: Logger = Logger(label: "switchyard.migrations")) {
        self.client = client
        self.folder = folder
        self.logger = logger
    }

    /// Applies every pending migration.
    /// - Throws: `StoreError` naming the file when a migration fails or an applied file changed.
    @discardableResult
    public func migrate() async throws -> Report {
        let migrations = try Migration.load(from: folder)
        let logger = self.logger
        do {
            return try await client.withConnection { connection in
                try await connection.query("SELECT pg_advisory_lock(\(Self.advisoryLockKey))", logger: logger)
                do {
                    let report = try await Self.applyPending(migrations, on: connection, logger: logger)
                    try await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                    return report
                } catch {
                    _ = try? await connection.query("SELECT pg_advisory_unlock(\(Self.advisoryLockKey))", logger: logger)
                    throw error
                }
            }
        } catch {
            throw StoreError.wrapping(error, operation: "migrate")
        }
    }

    /// The migrations of the folder not yet applied to the database (checks checksums too).
    public func pending() async throws -> [Migration] {
        let migrations = try Migration.load(from: folder)
        let logger = self.logger
        do {
            return try await client.withConnection { connection in
                try await Self.createLedger(on: connection, logger: logger)
                let applied = try await Self.appliedChecksums(on: connection, logger: logger)
                try Self.verify(migrations, against: applied)
                return migrations.filter { applied[$0.version] == nil }
            }
        } catch {
            throw StoreError.wrapping(error, operation: "list pending migrations")
        }
    }

    // MARK: Steps

    private static func applyPending(_ migrations: [Migration], on connection: PostgresConnection, logger: Logger) async throws -> Report {
        try await createLedger(on: connection, logger: logger)
        let applied = try await appliedChecksums(on: connection, logger: logger)
        try verify(migrations, against: applied)
        var report = Report(applied: [], alreadyApplied: applied.count)
        for migration in migrations where applied[migration.version] == nil {
            try await apply(migration, on: connection, logger: logger)
            report.applied.append(migration.fileName)
            logger.info("applied migration", metadata: ["file": "\(migration.fileName)"])
        }
        return report
    }

    private static func createLedger(on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("""
            CREATE TABLE IF NOT EXISTS schema_migrations (
                version text PRIMARY KEY,
                name text NOT NULL,
                checksum text NOT NULL,
                applied_at timestamptz NOT NULL DEFAULT now()
            )
            """, logger: logger)
    }

    private static func appliedChecksums(on connection: PostgresConnection, logger: Logger) async throws -> [String: (name: String, checksum: String)] {
        var applied: [String: (name: String, checksum: String)] = [:]
        let rows = try await connection.query("SELECT version, name, checksum FROM schema_migrations", logger: logger)
        for try await (version, name, checksum) in rows.decode((String, String, String).self) {
            applied[version] = (name, checksum)
        }
        return applied
    }

    static func verify(_ migrations: [Migration], against applied: [String: (name: String, checksum: String)]) throws {
        let byVersion = Dictionary(uniqueKeysWithValues: migrations.map { ($0.version, $0) })
        for (version, record) in applied.sorted(by: { $0.key < $1.key }) {
            guard let migration = byVersion[version] else {
                throw StoreError.appliedMigrationMissing(version: version, name: record.name)
            }
            if migration.checksum != record.checksum {
                throw StoreError.appliedMigrationChanged(
                    file: migration.fileName, recordedChecksum: record.checksum, currentChecksum: migration.checksum)
            }
        }
    }

    private static func apply(_ migration: Migration, on connection: PostgresConnection, logger: Logger) async throws {
        try await connection.query("BEGIN", logger: logger)
        do {
            for statement in SQLStatementSplitter.split(migration.sql) {
                try await connection.query(PostgresQuery(unsafeSQL: statement), logger: logger)
            }
            try await connection.query("""
                INSERT INTO schema_migrations (version, name, checksum)
                VALUES (\(migration.version), \(migration.name), \(migration.checksum))
                """, logger: logger)
            try await connection.query("COMMIT", logger: logger)
        } catch {
            _ = try? await connection.query("ROLLBACK", logger: logger)
            let psql = error as? PSQLError
            throw StoreError.migrationFailed(
                file: migration.fileName,
                sqlState: psql?.serverInfo?[.sqlState],
                message: psql?.serverInfo?[.message] ?? "\(error)")
        }
    }
}
