import Foundation
import GatewayServer
import GatewayTesting
import Logging
import Policy
import PostgresNIO
import Store
import Tuner

/// The knobs of one simulation run.
public struct SimulationSettings: Sendable, Equatable {
    /// Requests to send.
    public var requests: Int = 2_000
    /// The tuner runs after every this many requests.
    public var tuneEvery: Int = 200
    /// Requests per report window.
    public var window: Int = 200
    /// Requests in flight at once.
    public var concurrency: Int = 4
    /// Seed of the traffic and the feedback noise.
    public var seed: UInt64 = 1
    /// The share of the oracle's utility to reach.
    public var target: Double = 0.95
    /// How long the gateway may take to load a written state.
    public var stateWait: Duration = .seconds(2)

    /// Default settings: 2,000 requests, tuning and a window every 200, 4 in flight.
    public init() {}

    /// Checks the ranges.
    /// - Throws: ``SimulationError/invalidSetting(name:reason:)``.
    public func validate() throws(SimulationError) {
        guard requests > 0 else { throw .invalidSetting(name: "requests", reason: "must be positive") }
        guard tuneEvery > 0 else { throw .invalidSetting(name: "tuneEvery", reason: "must be positive") }
        guard window > 0 else { throw .invalidSetting(name: "window", reason: "must be positive") }
        guard concurrency > 0 else { throw .invalidSetting(name: "concurrency", reason: "must be positive") }
        guard (0...1).contains(target) else { throw .invalidSetting(name: "target", reason: "must be within [0, 1]") }
    }
}

/// Runs a routing simulation: the ``SimulatedUpstream`` plays the scenario's LLMs, a real gateway (real
/// sockets, the Store's metrics writer and feedback table, a `RoutingStateListener`) routes classed
/// traffic from the ``LoadGenerator``, which posts feedback; every `tuneEvery` requests the real
/// ``Tuner`` reads the database and writes a routing state that the gateway picks up through NOTIFY.
///
/// ```swift
/// try await PostgresHarness.withFreshDatabase { database in
///     let report = try await RoutingSimulation(scenario: StandardScenario.scenario(), settings: SimulationSettings())
///         .run(database: database.config, client: database.client)
///     print(report.text)
/// }
/// ```
public struct RoutingSimulation: Sendable {
    /// The world simulated.
    public var scenario: SimulationScenario
    /// The run's knobs.
    public var settings: SimulationSettings
    /// Where the gateway and tuner log (critical messages only by default: a cancelled server logs its shutdown as errors).
    public var logger: Logger

    /// Creates a simulation.
    public init(scenario: SimulationScenario, settings: SimulationSettings, logger: Logger? = nil) {
        self.scenario = scenario; self.settings = settings
        self.logger = logger ?? {
            var quiet = Logger(label: "switchyard.simulation")
            quiet.logLevel = .critical
            return quiet
        }()
    }

    /// Loads the scenario's policy (hosted models pointing at `upstreamBaseURL`).
    /// - Throws: ``SimulationError/invalidPolicy(reason:)``.
    public static func policy(for scenario: SimulationScenario, upstreamBaseURL: String) throws(SimulationError) -> PolicyDocument {
        do {
            return try PolicyLoader.load(yaml: scenario.policyYAML(upstreamBaseURL: upstreamBaseURL), file: "simulation.yaml",
                                         baseDirectory: FileManager.default.temporaryDirectory.path)
        } catch {
            throw .invalidPolicy(reason: "\(error)")
        }
    }

    /// Runs the simulation against a migrated, empty metrics database.
    /// - Parameters:
    ///   - database: How the gateway's routing-state listener connects.
    ///   - client: A running client on the same database (metrics writer, feedback, tuner).
    /// - Throws: ``SimulationError`` when the run cannot start or the gateway misbehaves.
    public func run(database: PostgresConfig, client: PostgresClient) async throws -> SimulationReport {
        try settings.validate()
        let upstream = SimulatedUpstream(models: scenario.models.map(\.simulated))
        return try await upstream.run { baseURL in
            let policy = try Self.policy(for: scenario, upstreamBaseURL: baseURL)
            let pool = try PromptPool(scenario: scenario, policy: policy)
            let gateway = SimulatedGateway(policy: policy, environment: [SimulationScenario.apiKeyVariable: "sk-simulated-upstream"], logger: logger)
            return try await gateway.run(database: database, client: client) { running in
                let generator = LoadGenerator(scenario: scenario, pool: pool, gatewayURL: running.url,
                                              apiKey: SimulatedGateway.clientKey, seed: settings.seed)
                return try await drive(generator: generator, pool: pool, policy: policy, writer: running.writer,
                                       listener: running.listener, client: client)
            }
        }
    }

    /// Sends the traffic period by period, tuning between periods.
    private func drive(generator: LoadGenerator, pool: PromptPool, policy: PolicyDocument, writer: MetricsWriter,
                       listener: RoutingStateListener, client: PostgresClient) async throws -> SimulationReport {
        let started = ContinuousClock.now
        let windowStart = Date().addingTimeInterval(-60)
        let tuner = Tuner(client: client, logger: logger)
        let start = scenario.startProbabilities
        var deployed: [String: [String: Double]] = [:]     // domain → route → probability, once tuned
        var version: Int64?
        var sent: [(request: SimulatedRequest, expected: Double, version: Int64?)] = []
        var tunings: [SimulationReport.TuningFigure] = []
        var next = 0
        while next < settings.requests {
            let end = min(next + settings.tuneEvery, settings.requests)
            let batch = try await generator.send(next..<end, concurrency: settings.concurrency)
            for request in batch {
                let expected = scenario.expectedUtility(domain: request.domain, probabilities: deployed[request.domain] ?? start)
                sent.append((request, expected, version))
            }
            next = end
            guard next < settings.requests else { break }

            await writer.flush()
            let result: TuningResult
            do {
                result = try await tuner.run(policy: policy, window: TuningWindow(start: windowStart, end: Date().addingTimeInterval(5)), dryRun: false)
            } catch {
                throw SimulationError.tuningFailed(afterRequests: next, reason: "\(error)")
            }
            let written = result.writtenVersion ?? 0
            let writtenAt = ContinuousClock.now
            while (listener.currentVersion ?? 0) < written {
                guard ContinuousClock.now - writtenAt < settings.stateWait else {
                    throw SimulationError.stateNotLoaded(version: written, waitedMS: Int(settings.stateWait.milliseconds))
                }
                try await Task.sleep(for: .milliseconds(2))
            }
            let pickup = (ContinuousClock.now - writtenAt).milliseconds
            for tuned in result.classes {
                guard let domain = pool.classKeys.first(where: { $0.value == tuned.classKey })?.key else { continue }
                deployed[domain] = Dictionary(uniqueKeysWithValues: tuned.candidates.map { ($0.route, $0.deployedProbability) })
            }
            version = written
            tunings.append(SimulationReport.TuningFigure(
                afterRequests: next, version: written, pickupMS: pickup, changeDoublyRobust: result.offPolicy.changeDoublyRobust,
                expectedRatio: expectedRatio(deployed: deployed, start: start)))
        }
        return report(sent: sent, tunings: tunings, pool: pool, deployed: deployed, start: start,
                      seconds: (ContinuousClock.now - started).milliseconds / 1000)
    }

    /// Expected utility of a deployed state over the oracle's, every class weighted equally.
    private func expectedRatio(deployed: [String: [String: Double]], start: [String: Double]) -> Double {
        let expected = scenario.classes.reduce(0) { $0 + scenario.expectedUtility(domain: $1.domain, probabilities: deployed[$1.domain] ?? start) }
        let oracle = scenario.classes.reduce(0) { $0 + scenario.oracleUtility(domain: $1.domain) }
        return oracle > 0 ? expected / oracle : 0
    }

    private func report(sent: [(request: SimulatedRequest, expected: Double, version: Int64?)], tunings: [SimulationReport.TuningFigure],
                        pool: PromptPool, deployed: [String: [String: Double]], start: [String: Double], seconds: Double) -> SimulationReport {
        var windows: [SimulationReport.WindowFigure] = []
        var from = 0
        while from < sent.count {
            let slice = sent[from..<min(from + settings.window, sent.count)]
            let count = Double(slice.count)
            let utility = slice.reduce(0) { $0 + $1.request.utility }
            let oracle = slice.reduce(0) { $0 + $1.request.oracleUtility }
            let startUtility = slice.reduce(0) { $0 + scenario.expectedUtility(domain: $1.request.domain, probabilities: start) }
            let expected = slice.reduce(0) { $0 + $1.expected }
            windows.append(SimulationReport.WindowFigure(
                requests: slice.last!.request.index + 1, utility: utility / count, oracleUtility: oracle / count,
                ratio: oracle > 0 ? utility / oracle : 0, startRatio: oracle > 0 ? startUtility / oracle : 0,
                expectedRatio: oracle > 0 ? expected / oracle : 0, stateVersion: slice.last!.version))
            from += settings.window
        }
        let classes = scenario.classes.map { simulated in
            SimulationReport.ClassFigure(
                domain: simulated.domain, classKey: pool.classKeys[simulated.domain] ?? simulated.domain,
                oracleRoute: scenario.oracleModel(domain: simulated.domain).route, oracleUtility: scenario.oracleUtility(domain: simulated.domain),
                startUtility: scenario.expectedUtility(domain: simulated.domain, probabilities: start),
                finalUtility: scenario.expectedUtility(domain: simulated.domain, probabilities: deployed[simulated.domain] ?? start))
        }
        var routes: [String: Int] = [:]
        for entry in sent { routes[entry.request.route, default: 0] += 1 }
        let misclassified = sent.filter { pool.classKeys[$0.request.domain] != $0.request.classKey }.count
        return SimulationReport(classes: classes, windows: windows, tunings: tunings, target: settings.target,
                                reachedAt: SimulationReport.reached(windows, target: settings.target), requests: sent.count,
                                seconds: seconds, routeCounts: routes, misclassified: misclassified)
    }
}

extension Duration {
    /// The duration in milliseconds.
    var milliseconds: Double { Double(components.seconds) * 1000 + Double(components.attoseconds) / 1e15 }
}
