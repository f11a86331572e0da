import Foundation
import GatewayServer
import GatewayTesting
import Testing
import SwitchyardTypes

/// Cascades through the gateway: the cheap hosted model is asked for logprobs; an unsure answer is
/// escalated to the next route, a sure one is returned as it is (whole or replayed as a stream).
@Suite(.timeLimit(.minutes(2)))
struct CascadeGatewayTests {
    static let cascadeRule = """
          - name: cheap-then-big
            candidates: [cheap-route, big-route]
            strategy:
              kind: cascade
              accept: { min_mean_logprob: -1.0 }
        """

    @Test func unsureCheapAnswerEscalatesToTheNextRoute() async throws {
        let upstream = FakeUpstream()
        upstream.enqueue(.malformed(RoutingHarness.completionWithLogprobs(text: "maybe it is blue", logprobs: [-2.5, -3.0, -1.8, -2.2])),
                         .answer(text: "The sky is blue because of Rayleigh scattering", promptTokens: 20, completionTokens: 8))
        let sink = RecordingSink()
        try await RoutingHarness.run(upstream: upstream, sink: sink, yaml: { RoutingHarness.policyYAML(upstream: $0, rules: Self.cascadeRule) }) { gateway in
            let answer = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt))
            #expect(answer.status == 200)
            #expect(answer.headers["x-switchyard-route"] == "big-route")
            let body = try answer.decoded(ChatCompletionResponse.self)
            #expect(body.choices.first?.message.content?.text == "The sky is blue because of Rayleigh scattering")
            #expect(body.choices.first?.logprobs == nil, "logprobs the client did not ask for are not returned")
        }
        let requests = upstream.receivedRequests
        #expect(requests.count == 2)
        #expect(requests.first?.body.contains(#""logprobs":true"#) == true, "the cheap step asks the hosted model for logprobs")
        #expect(requests.first?.body.contains("cheap-upstream") == true)
        #expect(requests.last?.body.contains("big-upstream") == true)
        let record = try #require(try await sink.waitFor(count: 1).first)
        #expect(record.decision?.strategy == "cascade")
        #expect(record.decision?.route == "cheap-route")
        #expect(record.decision?.rule == "cheap-then-big")
        #expect(record.servedModel == "big-gpt")
        #expect(record.modelCalls.map(\.purpose) == ["cascade_step", "cascade_step"])
        #expect(record.modelCalls.map(\.route) == ["cheap-route", "big-route"])
        #expect(record.modelCalls.map(\.accepted) == [false, true])
        let cheapConfidence = try #require(record.modelCalls.first?.confidence)
        #expect(abs(cheapConfidence.meanLogprob - (-2.375)) < 1e-9)
        #expect(cheapConfidence.minLogprob == -3.0)
        let cheapCost: Double = (12 * 0.1 + 4 * 0.2) / 1_000_000
        let bigCost = Double(20 * 5 + 8 * 15) / 1_000_000
        #expect(abs((record.costUSD ?? 0) - (cheapCost + bigCost)) < 1e-12, "the request's cost sums both calls")
    }

    @Test func sureCheapAnswerIsAcceptedWithoutEscalating() async throws {
        let upstream = FakeUpstream(fallback: .answer(text: "the big model should not be called"))
        upstream.enqueue(.malformed(RoutingHarness.completionWithLogprobs(text: "Paris is the capital", logprobs: [-0.05, -0.2, -0.01, -0.1])))
        let sink = RecordingSink()
        try await RoutingHarness.run(upstream: upstream, sink: sink, yaml: { RoutingHarness.policyYAML(upstream: $0, rules: Self.cascadeRule) }) { gateway in
            let answer = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt))
            #expect(answer.status == 200)
            #expect(answer.headers["x-switchyard-route"] == "cheap-route")
            #expect(try answer.decoded(ChatCompletionResponse.self).choices.first?.message.content?.text == "Paris is the capital")
            #expect(Double(answer.headers["x-switchyard-cost-usd"] ?? "") != nil)
        }
        #expect(upstream.requestCount == 1)
        let record = try #require(try await sink.waitFor(count: 1).first)
        #expect(record.modelCalls.map(\.purpose) == ["cascade_step"])
        #expect(record.modelCalls.first?.accepted == true)
        #expect(record.servedModel == "cheap-gpt")
    }

    @Test func streamedCascadeReplaysTheAcceptedAnswerOrStreamsTheEscalation() async throws {
        let upstream = FakeUpstream()
        upstream.enqueue(
            .malformed(RoutingHarness.completionWithLogprobs(text: "a sure cheap answer with several words in it for chunks", logprobs: [-0.1, -0.1])),
            .malformed(RoutingHarness.completionWithLogprobs(text: "unsure", logprobs: [-4])),
            .answer(text: "streamed from the big model"))
        let sink = RecordingSink()
        try await RoutingHarness.run(upstream: upstream, sink: sink, yaml: { RoutingHarness.policyYAML(upstream: $0, rules: Self.cascadeRule) }) { gateway in
            let accepted = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt, stream: true))
            #expect(accepted.status == 200)
            #expect(accepted.headers["x-switchyard-route"] == "cheap-route")
            #expect(accepted.chunks.compactMap { $0.choices.first?.delta.content }.joined() == "a sure cheap answer with several words in it for chunks")
            #expect(accepted.chunks.count > 3, "the accepted answer is sent in several chunks")
            #expect(accepted.events.last == "[DONE]")

            let escalated = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt, stream: true))
            #expect(escalated.status == 200)
            #expect(escalated.headers["x-switchyard-route"] == "big-route")
            #expect(escalated.chunks.compactMap { $0.choices.first?.delta.content }.joined() == "streamed from the big model")
        }
        #expect(upstream.receivedRequests.map { $0.body.contains(#""stream":true"#) } == [false, false, true],
                "cascade steps are called whole; only the escalated route streams")
        let records = try await sink.waitFor(count: 2)
        #expect(records.count == 2)
        let escalated = try #require(records.first { $0.servedModel == "big-gpt" })
        #expect(escalated.modelCalls.map(\.accepted) == [false, true])
        #expect(escalated.stream)
    }

    @Test func localCheapStepUsesTheConfidenceTheLocalModelReports() async throws {
        let local = ScriptedLocalProvider([
            .answer("unsure local words", ConfidenceRecord(meanLogprob: -2.4, minLogprob: -6, meanEntropy: 2.5)),
            .answer("sure local words", ConfidenceRecord(meanLogprob: -0.2, minLogprob: -1, meanEntropy: 0.4)),
        ])
        let upstream = FakeUpstream(fallback: .answer(text: "escalated hosted answer"))
        let rule = """
              - name: local-then-big
                candidates: [local-route, big-route]
                strategy:
                  kind: cascade
                  accept: { min_mean_logprob: -1.0, max_mean_entropy: 1.5 }
            """
        let sink = RecordingSink()
        try await RoutingHarness.run(upstream: upstream, sink: sink, localProviders: ["local-fake": local],
                                     yaml: { RoutingHarness.policyYAML(upstream: $0, rules: rule) }) { gateway in
            let first = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt))
            #expect(first.headers["x-switchyard-route"] == "big-route")
            let second = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt))
            #expect(second.headers["x-switchyard-route"] == "local-route")
            #expect(try second.decoded(ChatCompletionResponse.self).choices.first?.message.content?.text == "sure local words")
        }
        #expect(upstream.requestCount == 1)
        let records = try await sink.waitFor(count: 2)
        let accepted = try #require(records.first { $0.servedModel == "local-fake" })
        #expect(accepted.confidence?.meanLogprob == -0.2)
        #expect(accepted.modelCalls.first?.costUSD == 0.000002, "a local call costs what the local model reports")
    }
}
