import ArgumentParser
import Foundation
import GatewayServer
import Hummingbird
import Logging
import Policy
import PostgresNIO
import Store

/// `switchyard serve`: the OpenAI-compatible gateway, until SIGTERM or SIGINT (then a graceful shutdown).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the OpenAI-compatible gateway (POST /v1/chat/completions, GET /v1/models, /healthz, /readyz, /metrics)."
    )

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to bind.")
    var port: Int = 8080

    @Option(help: "The policy file.")
    var policy: String = "policies/default.yaml"

    @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: $DATABASE_URL).")
    var databaseURL: String?

    @Option(help: "Folder of migration files, applied before serving.")
    var migrations: String = "migrations"

    @Flag(name: .customLong("skip-migrations"), help: "Do not apply pending migrations at start.")
    var skipMigrations = false

    @Option(name: .customLong("spill-folder"), help: "Where request records wait while the database is down.")
    var spillFolder: String = ".data/spill"

    @Option(name: .customLong("log-level"), help: "trace, debug, info, notice, warning, error or critical.")
    var logLevel: String = "info"

    func run() async throws {
        var logger = Logger(label: "switchyard")
        logger.logLevel = Logger.Level(rawValue: logLevel) ?? .info

        let document: PolicyDocument
        do {
            document = try PolicyLoader.load(path: policy)
        } catch {
            throw ValidationError("the policy \(policy) is not valid:\n\(error)")
        }
        let database = try PostgresConfig.fromEnvironment(override: databaseURL)
        if !skipMigrations {
            let folder = URL(fileURLWithPath: migrations)
            let migrationLogger = logger
            let report = try await withPostgresClient(database, logger: migrationLogger) { client in
                try await MigrationRunner(client: client, folder: folder, logger: migrationLogger).migrate()
            }
            logger.info("migrations", metadata: ["applied": "\(report.applied.count)", "already": "\(report.alreadyApplied)"])
        }

        let client = PostgresClient(database, logger: logger)
        let writer = try MetricsWriter(client: client, configuration: MetricsWriterConfiguration(spillFolder: URL(fileURLWithPath: spillFolder)),
                                       logger: logger)
        let configuration = GatewayConfiguration(policy: document, host: host, port: port, policySource: policy)
        let dependencies = GatewayDependencies(
            authenticator: StoreAPIKeyAuthenticator(store: APIKeyStore(client: client, logger: logger)),
            recordSink: writer, readiness: PostgresReadiness(client: client),
            services: [client, writer], environment: ProcessInfo.processInfo.environment, logger: logger)
        let app = buildApplication(configuration, dependencies: dependencies)
        logger.notice("switchyard serving", metadata: [
            "url": "http://\(host):\(port)", "policy": "\(policy)", "policy_hash": "\(document.hash.prefix(12))",
            "database": "\(database.redactedURL)",
        ])
        try await app.runService()
    }
}
