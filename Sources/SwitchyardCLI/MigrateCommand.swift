import ArgumentParser
import Foundation
import Store

/// `switchyard migrate`: applies pending migrations under the advisory lock.
struct MigrateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "migrate",
        abstract: "Apply pending database migrations (forward-only, each in a transaction, under an advisory lock)."
    )

    @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: $DATABASE_URL).")
    var databaseURL: String?

    @Option(name: .customLong("migrations"), help: "Folder holding the migration files.")
    var migrations: String = "migrations"

    @Flag(help: "List pending migrations without applying them.")
    var dryRun = false

    func run() async throws {
        let config = try PostgresConfig.fromEnvironment(override: databaseURL)
        let folder = URL(fileURLWithPath: migrations)
        let dryRun = self.dryRun
        try await withPostgresClient(config) { client in
            let runner = MigrationRunner(client: client, folder: folder)
            if dryRun {
                let pending = try await runner.pending()
                print(pending.isEmpty ? "no pending migrations" : pending.map(\.fileName).joined(separator: "\n"))
                return
            }
            let report = try await runner.migrate()
            for file in report.applied { print("applied \(file)") }
            print("\(report.applied.count) applied, \(report.alreadyApplied) already applied (\(config.redactedURL))")
        }
    }
}
