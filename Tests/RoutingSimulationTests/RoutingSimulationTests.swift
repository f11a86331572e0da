import Foundation
import GatewayTesting
import RoutingSimulation
import Testing

@Suite(.serialized) struct RoutingSimulationTests {
    @Test func theTunedGatewayReachesNinetyFivePercentOfOracleUtilityWithinTwoThousandRequests() async throws {
        var settings = SimulationSettings()
        settings.requests = 2_000
        settings.tuneEvery = 200
        settings.window = 200
        settings.concurrency = 8
        settings.seed = 7
        let scenario = StandardScenario.scenario()
        let fixed = settings
        let report = try await PostgresHarness.withFreshDatabase { database in
            try await RoutingSimulation(scenario: scenario, settings: fixed).run(database: database.config, client: database.client)
        }
        print(report.text)
        #expect(report.requests == 2_000)
        #expect(report.misclassified == 0)
        #expect(report.tunings.count == 9)
        // The untuned bandit is far from the oracle; the tuned routing gets within 5 % of it and stays there.
        #expect(report.firstRatio < 0.85)
        let reached = try #require(report.reachedAt, "the tuned routing never reached 95 % of oracle utility for good")
        #expect(reached <= 2_000)
        #expect(report.finalRatio >= 0.95)
        for figure in report.classes {
            #expect(figure.finalUtility >= 0.9 * figure.oracleUtility, "class \(figure.classKey) ended far from its oracle")
        }
        for run in report.tunings { #expect(run.pickupMS < 2_000) }
    }

    @Test func theScenarioHasADifferentBestRoutePerClassAndTheUntunedBanditMissesMostOfThem() {
        let scenario = StandardScenario.scenario()
        let best = Dictionary(uniqueKeysWithValues: scenario.classes.map { ($0.domain, scenario.oracleModel(domain: $0.domain).name) })
        #expect(best == ["chat": "mini", "support": "mid", "code": "max", "math": "max"])
        let start = scenario.startProbabilities
        #expect(abs(start.values.reduce(0, +) - 1) < 1e-12)
        for simulated in scenario.classes {
            let oracle = scenario.oracleUtility(domain: simulated.domain)
            #expect(oracle > 0)
            #expect(scenario.expectedUtility(domain: simulated.domain, probabilities: start) <= oracle + 1e-12)
        }
    }
}
