import Logging
import Policy
import Store

extension Tuner {
    /// One run as `switchyard tune` makes it: a client for `config` for the run's duration, then the run.
    /// - Throws: ``TunerError`` from the run, or the Store's error when the database cannot be reached.
    public static func run(config: PostgresConfig, policy: PolicyDocument, window: TuningWindow, dryRun: Bool,
                           settings: TunerSettings = .standard, logger: Logger = Logger(label: "switchyard.tuner")) async throws -> TuningResult {
        try await withPostgresClient(config) { client in
            try await Tuner(client: client, settings: settings, logger: logger).run(policy: policy, window: window, dryRun: dryRun)
        }
    }
}
