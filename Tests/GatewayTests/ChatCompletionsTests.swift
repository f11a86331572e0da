import Foundation
import GatewayServer
import GatewayTesting
import Testing
import SwitchyardTypes

/// The gateway in front of the fake upstream, on real sockets: answers, streams, and every failure.
@Suite(.timeLimit(.minutes(2)))
struct ChatCompletionsTests {
    @Test func answersAChatAndRecordsIt() async throws {
        let upstream = FakeUpstream(fallback: .answer(text: "Paris is the capital", promptTokens: 12, completionTokens: 4))
        let sink = RecordingSink()
        try await GatewayHarness.run(upstream: upstream, sink: sink) { gateway in
            let answer = try await gateway.chat(GatewayHarness.chatBody())
            #expect(answer.status == 200)
            let completion = try answer.decoded(ChatCompletionResponse.self)
            #expect(completion.choices.first?.message.content?.text == "Paris is the capital")
            #expect(completion.usage == Usage(promptTokens: 12, completionTokens: 4))
            #expect(answer.headers["x-switchyard-route"] == "fake-gpt")
            #expect(answer.headers["x-switchyard-cost-usd"] == "0.00002000")
            let requestID = try #require(answer.headers["x-switchyard-request-id"])

            let received = try #require(upstream.receivedRequests.first)
            #expect(received.credential == "Bearer sk-upstream-openai")
            #expect(received.body.contains(#""model":"gpt-upstream""#))

            let record = try #require(try await sink.waitFor(count: 1).first)
            #expect(record.id.uuidString.lowercased() == requestID)
            #expect(record.apiKeyID == GatewayHarness.clientKey.id)
            #expect(record.requestedModel == "fake-gpt")
            #expect(record.servedModel == "fake-gpt")
            #expect(record.provider == "openai")
            #expect(record.status == 200)
            #expect(record.inputTokens == 12 && record.outputTokens == 4)
            #expect(record.costUSD == 0.00002)
            #expect(record.decision?.policyHash == "test-policy-hash")
            #expect(record.modelCalls.count == 1)
            #expect(record.modelCalls.first?.accepted == true)
            #expect(record.latencyMS > 0)
        }
    }

    @Test func streamsChunksThenDoneWithUsageOnlyWhenAsked() async throws {
        let upstream = FakeUpstream(fallback: .answer(text: "one two three", promptTokens: 5))
        let sink = RecordingSink()
        try await GatewayHarness.run(upstream: upstream, sink: sink) { gateway in
            let withUsage = try await gateway.chat(GatewayHarness.chatBody(stream: true, includeUsage: true))
            #expect(withUsage.status == 200)
            #expect(withUsage.headers["content-type"]?.hasPrefix("text/event-stream") == true)
            #expect(withUsage.events.last == "[DONE]")
            #expect(withUsage.chunks.compactMap { $0.choices.first?.delta.content }.joined() == "one two three")
            #expect(withUsage.chunks.last?.choices.isEmpty == true)
            #expect(withUsage.chunks.last?.usage == Usage(promptTokens: 5, completionTokens: 3))

            let withoutUsage = try await gateway.chat(GatewayHarness.chatBody(stream: true))
            #expect(withoutUsage.events.last == "[DONE]")
            #expect(withoutUsage.chunks.allSatisfy { $0.usage == nil && !$0.choices.isEmpty })
            #expect(withoutUsage.chunks.last?.choices.first?.finishReason == "stop")

            let records = try await sink.waitFor(count: 2)
            #expect(records.count == 2)
            for record in records {
                #expect(record.stream)
                #expect(record.status == 200)
                #expect(record.outputTokens == 3)
                #expect(record.ttftMS != nil)
                #expect(record.errorCode == nil)
            }
            // The gateway always asks the upstream for usage, so tokens are logged either way.
            #expect(upstream.receivedRequests.allSatisfy { $0.body.contains(#""include_usage":true"#) })
        }
    }

    @Test func speaksToAnthropicUpstreamsInOpenAIShape() async throws {
        let upstream = FakeUpstream(fallback: .answer(text: "Bonjour tout le monde", promptTokens: 8))
        try await GatewayHarness.run(upstream: upstream) { gateway in
            let whole = try await gateway.chat(GatewayHarness.chatBody(model: "fake-claude"))
            #expect(whole.status == 200)
            let completion = try whole.decoded(ChatCompletionResponse.self)
            #expect(completion.choices.first?.message.content?.text == "Bonjour tout le monde")
            #expect(completion.usage == Usage(promptTokens: 8, completionTokens: 4))

            let streamed = try await gateway.chat(GatewayHarness.chatBody(model: "fake-claude", stream: true, includeUsage: true))
            #expect(streamed.status == 200)
            #expect(streamed.chunks.compactMap { $0.choices.first?.delta.content }.joined() == "Bonjour tout le monde")
            #expect(streamed.chunks.last?.usage == Usage(promptTokens: 8, completionTokens: 4))
            #expect(streamed.events.last == "[DONE]")

            #expect(upstream.receivedRequests.allSatisfy { $0.path == "/v1/messages" && $0.credential == "sk-upstream-anthropic" })
        }
    }

    @Test func retriesServerErrorsAndConnectionResetsThenAnswers() async throws {
        let upstream = FakeUpstream(fallback: .answer(text: "finally"))
        upstream.enqueue(.status(503), .resetConnection)
        let sink = RecordingSink()
        try await GatewayHarness.run(upstream: upstream, sink: sink) { gateway in
            let answer = try await gateway.chat(GatewayHarness.chatBody())
            #expect(answer.status == 200)
            #expect(upstream.requestCount == 3)
            let record = try #require(try await sink.waitFor(count: 1).first)
            #expect(record.modelCalls.map(\.purpose) == ["answer", "retry", "retry"])
            #expect(record.modelCalls.map(\.accepted) == [false, false, true])
            #expect(record.modelCalls.first?.status == 503)
        }
    }

    struct Failure: Sendable, CustomStringConvertible {
        let name: String
        let behaviors: [FakeUpstreamBehavior]
        let stream: Bool
        let status: Int
        let code: String
        let upstreamCalls: Int
        var description: String { name }
    }

    static let failures: [Failure] = [
        Failure(name: "persistent 500", behaviors: [.status(500), .status(500), .status(500)], stream: false, status: 502, code: "upstream_status_500", upstreamCalls: 3),
        Failure(name: "resets every time", behaviors: [.resetConnection, .resetConnection, .resetConnection], stream: false, status: 502, code: "upstream_connection_failed", upstreamCalls: 3),
        Failure(name: "rate limited", behaviors: [.status(429, retryAfter: "7")], stream: false, status: 429, code: "upstream_rate_limited", upstreamCalls: 1),
        Failure(name: "malformed json", behaviors: [.malformed("{not json")], stream: false, status: 502, code: "upstream_malformed_response", upstreamCalls: 1),
        Failure(name: "malformed stream", behaviors: [.malformed("{not json")], stream: true, status: 502, code: "upstream_malformed_response", upstreamCalls: 1),
        Failure(name: "upstream rejects the request", behaviors: [.status(400, message: "bad things")], stream: false, status: 400, code: "upstream_status_400", upstreamCalls: 1),
        Failure(name: "upstream refuses our key", behaviors: [.status(401)], stream: true, status: 502, code: "upstream_status_401", upstreamCalls: 1),
        Failure(name: "stream stalls before its first chunk", behaviors: [.stall(afterChunks: 0)], stream: true, status: 504, code: "upstream_timeout", upstreamCalls: 1),
    ]

    @Test(arguments: failures)
    func mapsUpstreamFailuresToStatusAndCode(_ failure: Failure) async throws {
        let upstream = FakeUpstream()
        for behavior in failure.behaviors { upstream.enqueue(behavior) }
        let sink = RecordingSink()
        try await GatewayHarness.run(upstream: upstream, sink: sink) { gateway in
            let answer = try await gateway.chat(GatewayHarness.chatBody(stream: failure.stream))
            #expect(answer.status == failure.status)
            let error = try #require(answer.error, "body: \(answer.body)")
            #expect(error.code == failure.code)
            #expect(!error.message.contains("sk-upstream"))
            #expect(upstream.requestCount == failure.upstreamCalls)
            if failure.status == 429 { #expect(answer.headers["retry-after"] == "7") }
            let record = try #require(try await sink.waitFor(count: 1).first)
            #expect(record.status == failure.status)
            #expect(record.errorCode == failure.code)
            #expect(record.modelCalls.count == failure.upstreamCalls)
            #expect(record.modelCalls.allSatisfy { !$0.accepted })
        }
    }

    @Test func answersGatewayTimeoutWhenTheUpstreamIsTooSlow() async throws {
        let upstream = FakeUpstream()
        upstream.setLatency(.seconds(5))
        try await GatewayHarness.run(upstream: upstream, configure: { $0.models[0].timeout = .milliseconds(300) }) { gateway in
            let started = ContinuousClock.now
            let answer = try await gateway.chat(GatewayHarness.chatBody())
            #expect(answer.status == 504)
            #expect(answer.error?.code == "upstream_timeout")
            #expect(ContinuousClock.now - started < .seconds(4))
        }
    }

    @Test(arguments: [
        (FakeUpstreamBehavior.stopHalfway(afterChunks: 2), "upstream_stream_interrupted"),
        (FakeUpstreamBehavior.stall(afterChunks: 2), "upstream_timeout"),
    ])
    func endsABrokenStreamWithAnErrorEvent(behavior: FakeUpstreamBehavior, code: String) async throws {
        let upstream = FakeUpstream()
        upstream.enqueue(behavior)
        let sink = RecordingSink()
        try await GatewayHarness.run(upstream: upstream, sink: sink) { gateway in
            let answer = try await gateway.chat(GatewayHarness.chatBody(stream: true))
            #expect(answer.status == 200)
            #expect(answer.chunks.compactMap { $0.choices.first?.delta.content }.joined() == "one two")
            #expect(!answer.events.contains("[DONE]"))
            let last = try #require(answer.events.last)
            let error = try JSONDecoder().decode(OpenAIErrorBody.self, from: Data(last.utf8))
            #expect(error.error.code == code)
            let record = try #require(try await sink.waitFor(count: 1).first)
            #expect(record.errorCode == code)
            #expect(record.ttftMS != nil)
        }
    }
}
