import Foundation
import GatewayTesting
import PostgresNIO
import Routing
import Store
import Testing
@testable import Tuner

@Suite struct TunerRunTests {
    @Test func dryRunReportsTheChangeAndWritesNothing() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            try await Seeder.insert(Seeder.banditLog(perRoute: 40), into: database.client)
            let tuner = Tuner(client: database.client, settings: try TunerSettings(explorationFloor: 0.05))
            let result = try await tuner.run(policy: TunerFixture.policy(), window: TuningWindow(lasting: 3_600), dryRun: true)
            #expect(result.requests == 80)
            #expect(result.scored == 80)
            #expect(result.writtenVersion == nil)
            #expect(result.classes.first?.best == "mini-direct")
            #expect(result.offPolicy.changeDoublyRobust > 0.1)
            // The SQL aggregates ride along with each candidate.
            #expect(result.classes.first?.candidates.allSatisfy { $0.logged?.requests == 40 } == true)
            print(TuningReport(result).text)
            #expect(try await Seeder.count(database.client, "SELECT count(*) FROM routing_state") == 0)
        }
    }

    @Test func runWritesANewVersionWhoseWeightsThePlannerCanRead() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            try await Seeder.insert(Seeder.banditLog(perRoute: 40), into: database.client)
            let tuner = Tuner(client: database.client, settings: try TunerSettings(explorationFloor: 0.05))
            let first = try await tuner.run(policy: TunerFixture.policy(), window: TuningWindow(lasting: 3_600), dryRun: false)
            let second = try await tuner.run(policy: TunerFixture.policy(), window: TuningWindow(lasting: 3_600), dryRun: false)
            #expect(first.writtenVersion == 1)
            #expect(second.writtenVersion == 2)
            #expect(second.state.version == 2)
            let stored = try #require(try await RoutingStateStore(client: database.client).latest())
            #expect(stored.version == 2)
            #expect(stored.policyHash == "tuner-fixture")
            #expect(stored.note?.contains("expected utility change") == true)
            let state = try TunedRoutingState(version: stored.version, weightsJSON: stored.weightsJSON)
            #expect(state.classes == first.state.classes)
            #expect(stored.estimatesJSON.contains("\"offPolicy\""))
        }
    }

    @Test func runFailsNamingTheWindowWhenNothingIsScored() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            try await Seeder.insert([SeedRequest(), SeedRequest()], into: database.client)
            let window = TuningWindow(lasting: 3_600)
            await #expect(throws: TunerError.noScoredRequests(windowStart: window.start, windowEnd: window.end, requests: 2)) {
                try await Tuner(client: database.client).run(policy: TunerFixture.policy(), window: window, dryRun: false)
            }
            #expect(try await Seeder.count(database.client, "SELECT count(*) FROM routing_state") == 0)
        }
    }
}

@Suite struct PeriodicTunerTests {
    @Test func aTickWritesAVersionAndAFailedTickWritesNothing() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            let periodic = PeriodicTuner(tuner: Tuner(client: database.client), interval: .seconds(3_600), windowSeconds: 3_600) {
                TunerFixture.policy()
            }
            #expect(await periodic.tick() == nil)
            try await Seeder.insert(Seeder.banditLog(perRoute: 10), into: database.client)
            #expect(await periodic.tick() == 1)
            #expect(try await Seeder.count(database.client, "SELECT count(*) FROM routing_state") == 1)
        }
    }
}
