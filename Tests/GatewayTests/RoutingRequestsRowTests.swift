import Foundation
import GatewayServer
import GatewayTesting
import PostgresNIO
import Store
import Testing

/// The class and the decision of a planned request land in its `requests` row, its calls in `model_calls`.
@Suite(.timeLimit(.minutes(3)))
struct RoutingRequestsRowTests {
    @Test func classAndDecisionAppearInTheRequestsRow() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            let keys = APIKeyStore(client: database.client)
            let created = try await keys.create(name: "routing-tests", role: .client)
            let spill = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-spill-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: spill) }
            let writer = try MetricsWriter(client: database.client, configuration: MetricsWriterConfiguration(spillFolder: spill))
            let upstream = FakeUpstream()
            upstream.enqueue(.status(500), .answer(text: "fallback answer", promptTokens: 10, completionTokens: 2))
            let rule = """
                  - name: cheap-first
                    candidates: [cheap-route]
                    fallbacks: [big-route]
                """
            try await RoutingHarness.run(upstream: upstream, sink: writer, services: [writer], authenticator: StoreAPIKeyAuthenticator(store: keys),
                                         yaml: { RoutingHarness.policyYAML(upstream: $0, rules: rule) }) { gateway in
                let answer = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt), key: created.secret)
                #expect(answer.status == 200)
                try await Task.sleep(for: .milliseconds(200))
                await writer.flush()
            }
            let rows = try await database.client.query("""
                SELECT class_domain, class_task, class_difficulty, route, strategy, propensity, policy_hash, rule, served_model, cost_usd
                FROM requests
                """)
            var seen: [(String?, String?, String?, String?, String?, Double?, String?, String?, String?, Double?)] = []
            for try await row in rows.decode((String?, String?, String?, String?, String?, Double?, String?, String?, String?, Double?).self) {
                seen.append(row)
            }
            let row = try #require(seen.first)
            #expect(seen.count == 1)
            #expect(row.0 == "general")
            #expect(row.1 != nil && row.2 != nil)
            #expect(row.3 == "cheap-route")
            #expect(row.4 == "fixed")
            #expect(row.5 == 1)
            #expect(row.6?.count == 64)
            #expect(row.7 == "cheap-first")
            #expect(row.8 == "big-gpt")
            let fallbackCost = Double(10 * 5 + 2 * 15) / 1_000_000
            #expect(row.9 == fallbackCost)
            let calls = try await database.client.query("SELECT purpose, route, accepted FROM model_calls ORDER BY sequence")
            var purposes: [(String, String?, Bool)] = []
            for try await call in calls.decode((String, String?, Bool).self) { purposes.append(call) }
            #expect(purposes.map(\.0) == ["answer", "fallback"])
            #expect(purposes.map(\.1) == ["cheap-route", "big-route"])
            #expect(purposes.map(\.2) == [false, true])
        }
    }
}
