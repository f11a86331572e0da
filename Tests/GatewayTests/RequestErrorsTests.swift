import Foundation
import GatewayServer
import GatewayTesting
import NIOHTTP1
import Testing
import SwitchyardTypes

/// What clients get wrong: keys, bodies, models, limits. Each gets its status and an OpenAI error body.
@Suite(.timeLimit(.minutes(2)))
struct RequestErrorsTests {
    @Test func requiresAKnownBearerKeyOnEveryV1Route() async throws {
        let sink = RecordingSink()
        try await GatewayHarness.run(sink: sink) { gateway in
            for path in ["/v1/models", "/v1/chat/completions"] {
                let method: HTTPMethod = path.hasSuffix("models") ? .GET : .POST
                let body = Array(GatewayHarness.chatBody().utf8)
                let missing = try await gateway.send(method, path, body: body, key: nil)
                #expect(missing.status == 401)
                #expect(missing.error?.code == "missing_api_key")
                let wrong = try await gateway.send(method, path, body: body, key: "sk-nope")
                #expect(wrong.status == 401)
                #expect(wrong.error?.code == "invalid_api_key")
                let basic = try await gateway.send(method, path, body: body, key: nil, headers: [("authorization", "Basic abc")])
                #expect(basic.status == 401)
            }
            let records = try await sink.waitFor(count: 3)
            #expect(records.count == 3)
            #expect(records.allSatisfy { $0.status == 401 && $0.apiKeyID == nil })
        }
    }

    @Test func unknownModelIs404AndNamesTheField() async throws {
        try await GatewayHarness.run { gateway in
            let answer = try await gateway.chat(GatewayHarness.chatBody(model: "gpt-9"))
            #expect(answer.status == 404)
            #expect(answer.error?.param == "model")
            #expect(answer.error?.code == "model_not_found")
        }
    }

    @Test func modelWithoutItsKeyIs503NamingWhatToConfigure() async throws {
        let upstream = FakeUpstream()
        try await GatewayHarness.run(upstream: upstream, configure: { $0.defaultModels = ["keyless"] }) { gateway in
            for model in ["keyless", "auto"] {
                let answer = try await gateway.chat(GatewayHarness.chatBody(model: model))
                #expect(answer.status == 503)
                let message = try #require(answer.error?.message)
                #expect(message.contains("set SWITCHYARD_TEST_UNSET_KEY or configure a local model in policies/test.yaml"))
            }
            #expect(upstream.requestCount == 0)
        }
    }

    @Test func autoFallsThroughToTheFirstAvailableDefaultModel() async throws {
        try await GatewayHarness.run { gateway in
            let answer = try await gateway.chat(GatewayHarness.chatBody(model: "auto"))
            #expect(answer.status == 200)
            #expect(answer.headers["x-switchyard-route"] == "fake-gpt")
        }
    }

    @Test func bodyLargerThanTheLimitIs413() async throws {
        try await GatewayHarness.run(configure: { $0.maxBodyBytes = 1024 }) { gateway in
            let big = GatewayHarness.chatBody(extra: #","user":"\#(String(repeating: "x", count: 4096))""#)
            let answer = try await gateway.chat(big)
            #expect(answer.status == 413)
            #expect(answer.error?.code == "request_too_large")
        }
    }

    @Test func invalidFieldIs400NamingIt() async throws {
        try await GatewayHarness.run { gateway in
            let answer = try await gateway.chat(#"{"model":"fake-gpt","messages":[{"role":"user","content":"hi"}],"temperature":9}"#)
            #expect(answer.status == 400)
            #expect(answer.error?.param == "temperature")
            #expect(answer.error?.type == "invalid_request_error")
            let malformed = try await gateway.chat("{\"model\": ")
            #expect(malformed.status == 400)
            #expect(malformed.error?.param == nil)
        }
    }

    @Test func tooManyConcurrentRequestsIs429() async throws {
        let upstream = FakeUpstream()
        upstream.setLatency(.milliseconds(800))
        try await GatewayHarness.run(upstream: upstream, configure: { $0.maxConcurrentRequests = 1; $0.upstreamIdleTimeout = .seconds(10); $0.models[0].timeout = .seconds(10) }) { gateway in
            async let slow = gateway.chat(GatewayHarness.chatBody())
            try await Task.sleep(for: .milliseconds(200))
            let rejected = try await gateway.chat(GatewayHarness.chatBody())
            #expect(rejected.status == 429)
            #expect(rejected.error?.type == "rate_limit_error")
            #expect(rejected.headers["retry-after"] != nil)
            let first = try await slow
            #expect(first.status == 200, "\(first.body)")
        }
    }

    @Test func unknownRouteIs404WithAnErrorBody() async throws {
        try await GatewayHarness.run { gateway in
            let answer = try await gateway.get("/v1/nothing-here")
            #expect(answer.status == 404)
            #expect(answer.error != nil)
            #expect(answer.headers["x-switchyard-request-id"] != nil)
        }
    }

    @Test func keyStoreOutageIs503NotA500() async throws {
        struct BrokenStore: APIKeyAuthenticator {
            struct Down: Error {}
            func authenticate(bearer: String) async throws -> AuthenticatedKey? { throw Down() }
        }
        try await GatewayHarness.run(authenticator: BrokenStore()) { gateway in
            let answer = try await gateway.chat(GatewayHarness.chatBody())
            #expect(answer.status == 503)
            #expect(answer.error?.code == "auth_unavailable")
        }
    }
}
