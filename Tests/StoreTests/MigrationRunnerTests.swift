import Foundation
import GatewayTesting
import PostgresNIO
import Store
import Testing

@Suite struct MigrationRunnerTests {
    @Test func appliesEveryMigrationOnceAndRecordsItsChecksum() async throws {
        try await PostgresHarness.withFreshDatabase(migrate: false) { db in
            let folder = try repositoryMigrationsFolder()
            let files = try Migration.load(from: folder)
            let first = try await MigrationRunner(client: db.client, folder: folder).migrate()
            #expect(first.applied == files.map(\.fileName))
            #expect(first.alreadyApplied == 0)
            let second = try await MigrationRunner(client: db.client, folder: folder).migrate()
            #expect(second.applied.isEmpty)
            #expect(second.alreadyApplied == files.count)
            let rows = try await db.client.query("SELECT version, checksum FROM schema_migrations ORDER BY version")
            var recorded: [(String, String)] = []
            for try await row in rows.decode((String, String).self) { recorded.append(row) }
            #expect(recorded.map(\.0) == files.map(\.version))
            #expect(recorded.map(\.1) == files.map(\.checksum))
        }
    }

    @Test func twoConcurrentRunnersApplyEachMigrationExactlyOnce() async throws {
        try await PostgresHarness.withFreshDatabase(migrate: false) { db in
            let folder = try repositoryMigrationsFolder()
            let files = try Migration.load(from: folder)
            // Two separate clients, as two gateways starting at once would have.
            async let a = withPostgresClient(db.config) { try await MigrationRunner(client: $0, folder: folder).migrate() }
            async let b = withPostgresClient(db.config) { try await MigrationRunner(client: $0, folder: folder).migrate() }
            let (reportA, reportB) = try await (a, b)
            #expect((reportA.applied + reportB.applied).sorted() == files.map(\.fileName))
            #expect(reportA.applied.isEmpty || reportB.applied.isEmpty)
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM schema_migrations") == files.count)
        }
    }

    @Test func refusesToRunWhenAnAppliedFileChangedAndNamesIt() async throws {
        try await PostgresHarness.withFreshDatabase(migrate: false) { db in
            let folder = try temporaryFolder()
            let file = folder.appendingPathComponent("20260101000000_first.sql")
            try Data("CREATE TABLE first_table (id int);".utf8).write(to: file)
            try await MigrationRunner(client: db.client, folder: folder).migrate()

            try Data("CREATE TABLE first_table (id bigint);".utf8).write(to: file)
            try Data("CREATE TABLE second_table (id int);".utf8).write(to: folder.appendingPathComponent("20260102000000_second.sql"))
            do {
                try await MigrationRunner(client: db.client, folder: folder).migrate()
                Issue.record("a changed migration was accepted")
            } catch let error as StoreError {
                guard case .appliedMigrationChanged(let name, _, _) = error else { Issue.record("wrong error \(error)"); return }
                #expect(name == "20260101000000_first.sql")
                #expect(error.description.contains("20260101000000_first.sql"))
            }
            // Nothing after the refusal was applied.
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM pg_tables WHERE tablename = 'second_table'") == 0)
        }
    }

    @Test func aFailingMigrationRollsBackWholeAndNamesTheFile() async throws {
        try await PostgresHarness.withFreshDatabase(migrate: false) { db in
            let folder = try temporaryFolder()
            try Data("CREATE TABLE good_table (id int);".utf8).write(to: folder.appendingPathComponent("20260101000000_good.sql"))
            try Data("CREATE TABLE half_table (id int);\nSELECT no_such_column FROM good_table;".utf8)
                .write(to: folder.appendingPathComponent("20260102000000_bad.sql"))
            do {
                try await MigrationRunner(client: db.client, folder: folder).migrate()
                Issue.record("a failing migration was reported as applied")
            } catch let error as StoreError {
                guard case .migrationFailed(let file, let sqlState, _) = error else { Issue.record("wrong error \(error)"); return }
                #expect(file == "20260102000000_bad.sql")
                #expect(sqlState == "42703")
            }
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM pg_tables WHERE tablename = 'half_table'") == 0)
            #expect(try await scalarInt(db.client, "SELECT count(*) FROM schema_migrations") == 1)
        }
    }
}
