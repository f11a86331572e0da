import ArgumentParser
import Foundation
import GatewayTesting
import RoutingSimulation

/// `RoutingSimulationBenchmark`: runs the routing simulation (simulated hosted LLMs, a real gateway
/// and PostgreSQL, feedback, the tuner every N requests) and prints utility against the oracle.
@main
struct RoutingSimulationCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "routing-simulation",
        abstract: "Simulate classed traffic with feedback through a real gateway and tuner; report utility against the oracle policy.",
        discussion: """
            Needs DATABASE_URL: a PostgreSQL superuser URL; the run creates, migrates and drops its own database \
            (migrations from SWITCHYARD_MIGRATIONS or the repository's migrations/).
            """
    )

    @Option(help: "Requests to send.") var requests: Int = 2_000
    @Option(help: "Seed of the traffic and the feedback noise.") var seed: UInt64 = 1
    @Option(help: "Classes of traffic (1-4: code, math, support, chat).") var classes: Int = 4
    @Option(name: .customLong("tune-every"), help: "Run the tuner after every this many requests.") var tuneEvery: Int = 200
    @Option(help: "Requests per report window.") var window: Int = 200
    @Option(help: "Requests in flight at once.") var concurrency: Int = 4
    @Option(help: "The bandit rule's exploration.") var exploration: Double = 0.05
    @Option(help: "Standard deviation of the feedback noise.") var noise: Double = 0.1
    @Option(help: "Share of the oracle's utility to reach.") var target: Double = 0.95
    @Flag(help: "Print the report as JSON.") var json = false

    func run() async throws {
        var settings = SimulationSettings()
        settings.requests = requests; settings.seed = seed; settings.tuneEvery = tuneEvery
        settings.window = window; settings.concurrency = concurrency; settings.target = target
        let scenario = StandardScenario.scenario(classCount: classes, exploration: exploration, feedbackNoise: noise)
        let fixed = settings
        let report = try await PostgresHarness.withFreshDatabase { database in
            try await RoutingSimulation(scenario: scenario, settings: fixed).run(database: database.config, client: database.client)
        }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(report.text)
        }
        if report.reachedAt == nil { throw ExitCode(2) }
    }
}
