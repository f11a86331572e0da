import Foundation
import GatewayServer
import GatewayTesting
import PostgresNIO
import Store
import Testing

/// The gateway with the real Store: keys from `api_keys`, one `requests` row per request.
@Suite(.timeLimit(.minutes(3)))
struct RequestsTableTests {
    @Test func everyRequestLeavesOneRowInRequests() async throws {
        try await PostgresHarness.withFreshDatabase { database in
            let keys = APIKeyStore(client: database.client)
            let created = try await keys.create(name: "gateway-tests", role: .client)
            let spill = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-spill-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: spill) }
            let writer = try MetricsWriter(client: database.client, configuration: MetricsWriterConfiguration(spillFolder: spill))
            let upstream = FakeUpstream(fallback: .answer(text: "rows please", promptTokens: 20, completionTokens: 2))
            try await GatewayHarness.run(
                upstream: upstream, sink: writer, readiness: PostgresReadiness(client: database.client), services: [writer],
                authenticator: StoreAPIKeyAuthenticator(store: keys)
            ) { gateway in
                #expect(try await gateway.get("/readyz", key: nil).status == 200)
                #expect(try await gateway.chat(GatewayHarness.chatBody(), key: created.secret).status == 200)
                #expect(try await gateway.chat(GatewayHarness.chatBody(stream: true), key: created.secret).status == 200)
                #expect(try await gateway.chat(GatewayHarness.chatBody(model: "nope"), key: created.secret).status == 404)
                #expect(try await gateway.chat(GatewayHarness.chatBody(), key: "sk-wrong").status == 401)
                try await Task.sleep(for: .milliseconds(200))
                await writer.flush()
            }
            let rows = try await database.client.query("""
                SELECT status, requested_model, served_model, input_tokens, output_tokens, cost_usd, api_key_id, stream
                FROM requests ORDER BY started_at
                """)
            var seen: [(Int, String, String?, Int, Int, Double?, UUID?, Bool)] = []
            for try await row in rows.decode((Int, String, String?, Int, Int, Double?, UUID?, Bool).self) { seen.append(row) }
            #expect(seen.count == 4)
            #expect(seen.map(\.0).sorted() == [200, 200, 401, 404])
            let answered = seen.filter { $0.0 == 200 }
            #expect(answered.allSatisfy { $0.2 == "fake-gpt" && $0.3 == 20 && $0.4 == 2 && $0.5 != nil && $0.6 == created.record.id })
            #expect(answered.map(\.7).sorted { !$0 && $1 } == [false, true])
        }
    }
}
