import ArgumentParser
import Foundation
import GatewayServer
import Hummingbird
import Logging
import Policy
import PostgresNIO
import Providers
import Store
import Tuner

/// `switchyard serve`: the OpenAI-compatible gateway, until SIGTERM or SIGINT (then a graceful shutdown).
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the OpenAI-compatible gateway (POST /v1/chat/completions, GET /v1/models, POST /v1/feedback, GET /admin/policy, /healthz, /readyz, /metrics).",
        discussion: """
            The policy file is reloaded when its content changes and on SIGHUP; a file that does not validate \
            is refused and the previous policy keeps serving (GET /admin/policy shows why).
            """
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

    @Option(name: .customLong("policy-poll-ms"), help: "How often the policy file is checked for changes, in milliseconds.")
    var policyPollMS: Int = 2_000

    @Option(name: .customLong("judge-model"), help: "Route or model that grades a sample of answers (feedback source 'judge').")
    var judgeModel: String?

    @Option(name: .customLong("judge-sample-rate"), help: "Share of answers the judge grades, 0...1 (overrides the policy's judge.sample_rate).")
    var judgeSampleRate: Double?

    @Option(name: .customLong("judge-rubric"), help: "What the judge is told a good answer is.")
    var judgeRubric: String?

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
        let configuration = GatewayConfiguration(policy: document, host: host, port: port, policySource: policy)
        // The newest tuned routing state, loaded at start and again on every NOTIFY from a tuner run.
        let tunedState = RoutingStateListener(config: database, logger: logger)
        // Local and worker models: loaded now, and again (when added or changed) by every policy reload.
        let localModels = LocalModelRegistry(logger: logger)
        let localProviders: [String: any ChatProvider]
        do {
            localProviders = try localModels.providers(for: document)
        } catch {
            throw ValidationError("the policy \(policy) names a model that cannot be loaded:\n\(error)")
        }
        // One registry for `/metrics`: the gateway's own series and the metrics writer's.
        let (dependencies, _) = try GatewayDependencies.serving(
            client: client, writerConfiguration: MetricsWriterConfiguration(spillFolder: URL(fileURLWithPath: spillFolder)),
            services: [tunedState], localProviders: localProviders, localModels: localModels,
            environment: ProcessInfo.processInfo.environment, logger: logger)
        if let judgeSampleRate, !(0...1).contains(judgeSampleRate) {
            throw ValidationError("--judge-sample-rate must be between 0 and 1")
        }
        // Flags override the policy's judge section field by field; with neither, the sampler follows
        // the policy, so a judge section added by a reload takes effect without a restart.
        let judge = JudgeSettings.resolve(policy: document, model: judgeModel, sampleRate: judgeSampleRate, rubric: judgeRubric)
            ?? JudgeSettings.followingPolicy()
        let app = buildApplication(
            configuration, dependencies: dependencies, routing: RoutingInputs(policy: document, tunedState: RoutingStateSource { tunedState.current?.state }),
            reload: PolicyReloadConfiguration(path: policy, pollInterval: .milliseconds(max(50, policyPollMS))),
            feedback: StoreFeedbackRecorder(client: client, logger: logger), judge: judge)
        logger.notice("switchyard serving", metadata: [
            "url": "http://\(host):\(port)", "policy": "\(policy)", "policy_hash": "\(document.hash.prefix(12))",
            "database": "\(database.redactedURL)",
        ])
        try await app.runService()
    }
}
