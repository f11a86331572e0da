import ArgumentParser
import Foundation
import Logging
import PostgresNIO
import Store
import SwitchyardTypes

/// `switchyard db`: partition maintenance and metrics-writer tools.
struct DbCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "db",
        abstract: "Database maintenance: partitions, the metrics writer benchmark and its crash probe.",
        subcommands: [Partitions.self, BenchWriter.self, WALProbe.self]
    )

    /// `switchyard db partitions --ahead N [--retain-days D]`.
    struct Partitions: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create daily partitions of requests/model_calls ahead of time; optionally drop old ones.")

        @Option(help: "Days ahead to create partitions for.") var ahead: Int = 7
        @Option(name: .customLong("retain-days"), help: "Drop partitions of days older than this many days.") var retainDays: Int?
        @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: $DATABASE_URL).") var databaseURL: String?

        func run() async throws {
            let config = try PostgresConfig.fromEnvironment(override: databaseURL)
            let (ahead, retainDays) = (self.ahead, self.retainDays)
            try await withPostgresClient(config) { client in
                let maintainer = PartitionMaintainer(client: client)
                let created = try await maintainer.createAhead(days: ahead)
                print("created \(created) daily partition(s) up to \(ahead) day(s) ahead")
                if let retainDays {
                    let dropped = try await maintainer.dropOlderThan(retentionDays: retainDays)
                    print("dropped \(dropped.count) partition table(s) older than \(retainDays) day(s)")
                }
            }
        }
    }

    /// `switchyard db bench-writer`: sustained MetricsWriter throughput on a scratch database.
    struct BenchWriter: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "bench-writer",
            abstract: "Measure sustained MetricsWriter throughput (rows/s) on a scratch database that is dropped afterwards.")

        @Option(help: "Request records to write.") var records: Int = 200_000
        @Option(name: .customLong("calls-per-request"), help: "Model-call rows per request record.") var callsPerRequest: Int = 1
        @Option(name: .customLong("batch-size"), help: "Writer batch size.") var batchSize: Int = 5_000
        @Option(name: .customLong("write-connections"), help: "Batches the writer writes at once, one connection each.") var writeConnections: Int = 2
        @Option(name: .customLong("flush-interval-ms"), help: "Writer flush interval; a batch still being written one interval later is also copied to the spill log.") var flushIntervalMS: Int = 500
        @Option(name: .customLong("database-url"), help: "Server URL whose user may create databases (default: $DATABASE_URL).") var databaseURL: String?
        @Option(help: "Migrations folder.") var migrations: String = "migrations"

        func run() async throws {
            let server = try PostgresConfig.fromEnvironment(override: databaseURL)
            let scratch = "switchyard_bench_" + String(UInt32.random(in: 0 ... .max), radix: 16)
            let options = BenchOptions(records: records, callsPerRequest: callsPerRequest, batchSize: batchSize,
                                       writeConnections: writeConnections,
                                       flushInterval: .milliseconds(flushIntervalMS), migrations: URL(fileURLWithPath: migrations))
            try await withPostgresClient(server) { _ = try await $0.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \"\(scratch)\"")) }
            do {
                try await WriterBenchmark(config: server.with(database: scratch), options: options).run()
            } catch {
                _ = try? await withPostgresClient(server) { _ = try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \"\(scratch)\" WITH (FORCE)")) }
                throw error
            }
            try await withPostgresClient(server) { _ = try await $0.query(PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \"\(scratch)\" WITH (FORCE)")) }
        }
    }

    /// `switchyard db wal-probe`: records requests in `wal` mode and prints each acknowledged id.
    ///
    /// The crash test SIGKILLs it mid-stream and checks that every printed id reaches the database.
    struct WALProbe: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "wal-probe",
            abstract: "Record requests through a wal-mode MetricsWriter, printing each id once acknowledged (for crash tests).")

        @Option(help: "How many records (0 = until killed).") var count: Int = 0
        @Option(name: .customLong("spill"), help: "Spill/WAL folder.") var spillFolder: String
        @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: $DATABASE_URL).") var databaseURL: String?

        func run() async throws {
            let config = try PostgresConfig.fromEnvironment(override: databaseURL)
            let settings = MetricsWriterConfiguration(spillFolder: URL(fileURLWithPath: spillFolder), durability: .wal)
            let count = self.count
            try await withPostgresClient(config) { client in
                let writer = try MetricsWriter(client: client, configuration: settings)
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await writer.run() }
                    try await withThrowingTaskGroup(of: Void.self) { producers in
                        for lane in 0..<16 {
                            producers.addTask {
                                var index = lane
                                while count == 0 || index < count {
                                    let record = SyntheticRecords.make(index: index, callsPerRequest: 1)
                                    try await writer.recordDurably(record)
                                    FileHandle.standardOutput.write(Data("\(record.id.uuidString)\n".utf8))
                                    index += 16
                                }
                            }
                        }
                        try await producers.waitForAll()
                    }
                    await writer.flush()
                    group.cancelAll()
                }
            }
        }
    }
}
