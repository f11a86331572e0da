import Foundation
import GatewayTesting
import SwitchyardTypes
import Testing

/// `/healthz`, `/readyz`, `/metrics` and `/v1/models`.
@Suite(.timeLimit(.minutes(2)))
struct OperationalRoutesTests {
    @Test func healthAndReadinessFollowTheDatabase() async throws {
        let readiness = SwitchableReadiness()
        try await GatewayHarness.run(readiness: readiness) { gateway in
            #expect(try await gateway.get("/healthz", key: nil).status == 200)
            #expect(try await gateway.get("/readyz", key: nil).status == 200)
            readiness.set("the database is unreachable")
            let notReady = try await gateway.get("/readyz", key: nil)
            #expect(notReady.status == 503)
            #expect(notReady.body.contains("the database is unreachable"))
            #expect(try await gateway.get("/healthz", key: nil).status == 200)
        }
    }

    @Test func metricsCountRequestsTokensCostAndLatency() async throws {
        let upstream = FakeUpstream(fallback: .answer(text: "a b c", promptTokens: 10, completionTokens: 3))
        try await GatewayHarness.run(upstream: upstream) { gateway in
            #expect(try await gateway.chat(GatewayHarness.chatBody()).status == 200)
            #expect(try await gateway.chat(GatewayHarness.chatBody(stream: true)).status == 200)
            #expect(try await gateway.chat(GatewayHarness.chatBody(model: "nope")).status == 404)
            let metrics = try await gateway.get("/metrics", key: nil)
            #expect(metrics.status == 200)
            let text = metrics.body
            #expect(text.contains(#"switchyard_requests_total{model="fake-gpt",status="200"} 2"#))
            #expect(text.contains(#"switchyard_requests_total{model="unknown",status="404"} 1"#))
            #expect(text.contains(#"switchyard_tokens_total{model="fake-gpt",status="200",direction="input"} 20"#))
            #expect(text.contains(#"switchyard_tokens_total{model="fake-gpt",status="200",direction="output"} 6"#))
            #expect(text.contains("switchyard_cost_usd_total"))
            #expect(text.contains("switchyard_request_duration_seconds_bucket"))
            #expect(text.contains("switchyard_time_to_first_token_seconds_count"))
        }
    }

    @Test func listsTheModelsThatCanAnswer() async throws {
        try await GatewayHarness.run { gateway in
            let answer = try await gateway.get("/v1/models")
            #expect(answer.status == 200)
            let list = try answer.decoded(ModelList.self)
            #expect(list.object == "list")
            #expect(list.data.map(\.id) == ["auto", "fake-gpt", "fake-claude"])
        }
    }
}
