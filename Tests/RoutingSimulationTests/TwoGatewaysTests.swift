import Foundation
import GatewayTesting
import Logging
import RoutingSimulation
import Store
import Testing

/// Two running gateways on one metrics database: a routing state written through one gateway's
/// database reaches both, observed in the routes they answer from.
@Suite struct TwoGatewaysTests {
    @Test func aTunedStateWrittenOnTheDatabaseReroutesTwoRunningGatewaysWithinTwoSeconds() async throws {
        // Exploration 0: untuned, every request goes to the first candidate; tuned, to the weighted route.
        let scenario = StandardScenario.scenario(classCount: 1, exploration: 0)
        let upstream = SimulatedUpstream(models: scenario.models.map(\.simulated))
        try await PostgresHarness.withFreshDatabase { database in
            try await upstream.run { baseURL in
                let policy = try RoutingSimulation.policy(for: scenario, upstreamBaseURL: baseURL)
                let pool = try PromptPool(scenario: scenario, policy: policy)
                let domain = scenario.classes[0].domain
                let classKey = try #require(pool.classKeys[domain])
                let prompt = try #require(pool.prompts[domain]?.first)
                var logger = Logger(label: "switchyard.tests")
                logger.logLevel = .critical
                let gateway = SimulatedGateway(policy: policy, environment: [SimulationScenario.apiKeyVariable: "sk-test"], logger: logger)
                try await gateway.run(database: database.config, client: database.client) { first in
                    try await gateway.run(database: database.config, client: database.client) { second in
                        let clients = [first, second].map {
                            LoadGenerator(scenario: scenario, pool: pool, gatewayURL: $0.url, apiKey: SimulatedGateway.clientKey, seed: 1)
                        }
                        for client in clients {
                            let answer = try await client.route(for: prompt)
                            #expect(answer.route == scenario.models[0].route)
                            #expect(answer.classKey == classKey)
                        }
                        let store = RoutingStateStore(client: database.client)
                        // Flip the class between the last and the middle model, three times.
                        for (step, model) in [scenario.models[2], scenario.models[1], scenario.models[2]].enumerated() {
                            let weights = #"{"classes":{"\#(classKey)":{"\#(model.route)":1}}}"#
                            let version = try await store.publish(policyHash: policy.hash, weightsJSON: weights)
                            #expect(version == Int64(step + 1))
                            let written = ContinuousClock.now
                            for (index, client) in clients.enumerated() {
                                var rerouted: Duration?
                                while ContinuousClock.now - written < .seconds(5) {
                                    if try await client.route(for: prompt).route == model.route {
                                        rerouted = ContinuousClock.now - written
                                        break
                                    }
                                    try await Task.sleep(for: .milliseconds(5))
                                }
                                let delay = try #require(rerouted, "gateway \(index + 1) never routed to \(model.route) after version \(version)")
                                print("routing state v\(version) rerouted gateway \(index + 1) after \(delay)")
                                #expect(delay < .seconds(2))
                            }
                        }
                        #expect(first.listener.currentVersion == 3)
                        #expect(second.listener.currentVersion == 3)
                    }
                }
            }
        }
    }
}
