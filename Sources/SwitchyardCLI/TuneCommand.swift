import ArgumentParser
import Foundation
import Policy
import Routing
import Store
import Tuner

/// `switchyard tune`: estimates routes per class from logged outcomes and proposes new routing weights.
struct TuneCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tune",
        abstract: "Estimate quality, cost and p95 latency per class and route, and propose routing weights.",
        discussion: """
            By default reads the requests and feedback of the last --window from the metrics
            database, and writes a new routing_state version that running gateways pick up through
            LISTEN/NOTIFY; with --dry-run it prints the estimates, the proposed weights and the
            expected utility change (IPS, SNIPS, doubly robust) and writes nothing.

            With --outcomes FILE, a dry run on an export of logged outcomes (a JSON array or JSON Lines of
            {"class_key", "route", "propensity", "quality", "cost_usd", "latency_ms"}): prints the
            estimates, the proposed weights and the expected utility change per request, estimated
            off-policy from the logged propensities (IPS, SNIPS, doubly robust) for what the planner
            will draw (the weights mixed with each bandit rule's exploration). Only classes under
            bandit rules are tuned. Nothing is written.
            """)

    @Flag(help: "Print what would change; write nothing.") var dryRun = false
    @Option(help: "Logged outcomes export (JSON or JSON Lines), instead of the database.") var outcomes: String?
    @Option(name: .customLong("database-url"), help: "PostgreSQL URL (default: $DATABASE_URL).") var databaseURL: String?
    @Option(help: "How far back to read the logs: 30m, 12h, 7d, 2w.") var window: String = "7d"
    @Option(help: "Policy file (default: the built-in default policy).") var policy: String?
    @Option(help: "Weight every eligible candidate keeps, for exploration.") var exploration: Double = 0.05
    @Flag(help: "Print the proposed weights as the JSON stored in routing_state.weights.") var json = false

    func validate() throws {
        if outcomes != nil && !dryRun { throw ValidationError("--outcomes works with --dry-run only: an export cannot be written back") }
        if !(0...1).contains(exploration) { throw ValidationError("--exploration must be within [0, 1]") }
    }

    func run() async throws {
        guard let outcomes else { return try await tuneFromDatabase() }
        let text: String
        do { text = try String(contentsOfFile: outcomes, encoding: .utf8) } catch {
            throw ValidationError("cannot read \(outcomes): \(error.localizedDescription)")
        }
        let logged = try TuningRun.parseOutcomes(text, source: outcomes)
        let document = try policy.map { path throws(PolicyValidationFailure) in try PolicyLoader.load(path: path) } ?? PolicyLoader.loadDefault()
        let result = try TuningRun.run(outcomes: logged, policy: document, explorationFloor: exploration)
        if json {
            print(try result.state.weightsJSON())
            return
        }
        print("Tuning dry run: \(logged.count) logged requests, \(result.offPolicy.samples) with a quality score; policy \(document.hash.prefix(12))")
        for tuned in result.classes {
            print("")
            print("class \(tuned.classKey)" + (tuned.relaxed ? "  (constraints relaxed: no candidate meets them)" : ""))
            print("  route                    requests  quality   cost/request   p95 ms   weight  deployed")
            for estimate in tuned.estimates {
                let weight = result.state.classes[tuned.classKey]?[estimate.route] ?? 0
                let marker = estimate.route == tuned.best ? " *" : ""
                print("  " + pad(estimate.route, 24) + pad(String(estimate.requests), 10) + pad(String(format: "%.3f", estimate.quality), 10)
                      + pad(String(format: "$%.6f", estimate.costUSD), 15) + pad(String(format: "%.0f", estimate.p95LatencyMS), 9)
                      + pad(String(format: "%.3f", weight), 8) + String(format: "%.3f", tuned.deployed[estimate.route] ?? 0) + marker)
            }
        }
        for (classKey, reason) in result.skipped.sorted(by: { $0.key < $1.key }) {
            print("")
            print("class \(classKey) not tuned: \(reason)")
        }
        let ope = result.offPolicy
        print("")
        print("expected utility per request: logged \(f(ope.loggedValue))")
        print("  IPS   \(f(ope.ips)) (change \(signed(ope.changeIPS)), standard error \(f(ope.ipsStandardError)))")
        print("  SNIPS \(f(ope.snips)) (change \(signed(ope.changeSNIPS)))")
        print("  DR    \(f(ope.doublyRobust)) (change \(signed(ope.changeDoublyRobust)))")
        print("  effective sample size \(String(format: "%.1f", ope.effectiveSampleSize)) of \(ope.samples)")
    }

    /// Reads the metrics database, prints the report and (unless dry) writes the new state.
    private func tuneFromDatabase() async throws {
        let document = try policy.map { path throws(PolicyValidationFailure) in try PolicyLoader.load(path: path) } ?? PolicyLoader.loadDefault()
        let config = try PostgresConfig.fromEnvironment(override: databaseURL)
        let result = try await Tuner.run(config: config, policy: document, window: try TuningWindow(text: window), dryRun: dryRun)
        print(TuningReport(result).text)
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
    private func f(_ value: Double) -> String { String(format: "%.4f", value) }
    private func signed(_ value: Double) -> String { String(format: "%+.4f", value) }
}
