import Foundation
import GatewayServer
import GatewayTesting
import Routing
import Synchronization
import SwitchyardTypes
import Testing

/// Planned routing through the gateway: fallbacks, bandit propensities, `local_only`, direct requests, headers.
@Suite(.timeLimit(.minutes(2)))
struct RoutingGatewayTests {
    static let fixedRule = """
          - name: cheap-first
            candidates: [cheap-route]
            strategy: { kind: fixed }
            fallbacks: [big-route]
        """

    @Test(arguments: [FakeUpstreamBehavior.status(500), .resetConnection])
    func failedRouteFallsBackToTheNextOne(failure: FakeUpstreamBehavior) async throws {
        let upstream = FakeUpstream()
        upstream.enqueue(failure, .answer(text: "answered by the fallback", promptTokens: 10, completionTokens: 4))
        let sink = RecordingSink()
        try await RoutingHarness.run(upstream: upstream, sink: sink, yaml: { RoutingHarness.policyYAML(upstream: $0, rules: Self.fixedRule) }) { gateway in
            let answer = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt))
            #expect(answer.status == 200)
            #expect(answer.headers["x-switchyard-route"] == "big-route")
            #expect(try answer.decoded(ChatCompletionResponse.self).choices.first?.message.content?.text == "answered by the fallback")
        }
        #expect(upstream.receivedRequests.map { $0.body.contains("cheap-upstream") } == [true, false])
        let record = try #require(try await sink.waitFor(count: 1).first)
        #expect(record.status == 200)
        #expect(record.decision?.route == "cheap-route", "the decision logs the route chosen first")
        #expect(record.decision?.strategy == "fixed")
        #expect(record.servedModel == "big-gpt")
        #expect(record.modelCalls.map(\.purpose) == ["answer", "fallback"])
        #expect(record.modelCalls.map(\.accepted) == [false, true])
        #expect(record.modelCalls.first?.errorCode != nil)
        let fallbackCost = Double(10 * 5 + 4 * 15) / 1_000_000
        #expect(record.costUSD == fallbackCost, "a failed call costs nothing")
    }

    @Test func streamFallsBackWhenTheFirstRouteFailsBeforeItsFirstChunk() async throws {
        let upstream = FakeUpstream()
        upstream.enqueue(.status(503), .answer(text: "streamed fallback"))
        let sink = RecordingSink()
        try await RoutingHarness.run(upstream: upstream, sink: sink, yaml: { RoutingHarness.policyYAML(upstream: $0, rules: Self.fixedRule) }) { gateway in
            let answer = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt, stream: true))
            #expect(answer.status == 200)
            #expect(answer.headers["x-switchyard-route"] == "big-route")
            #expect(answer.chunks.compactMap { $0.choices.first?.delta.content }.joined() == "streamed fallback")
        }
        let record = try #require(try await sink.waitFor(count: 1).first)
        #expect(record.modelCalls.map(\.purpose) == ["answer", "fallback"])
        #expect(record.modelCalls.last?.outputTokens == 2)
    }

    @Test func whenEveryRouteFailsTheClientGetsTheLastError() async throws {
        let upstream = FakeUpstream(fallback: .status(500))
        let sink = RecordingSink()
        try await RoutingHarness.run(upstream: upstream, sink: sink, yaml: { RoutingHarness.policyYAML(upstream: $0, rules: Self.fixedRule) }) { gateway in
            let answer = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt))
            #expect(answer.status == 502)
            #expect(answer.error != nil)
        }
        let record = try #require(try await sink.waitFor(count: 1).first)
        #expect(record.modelCalls.map(\.purpose) == ["answer", "fallback"])
        #expect(record.modelCalls.allSatisfy { !$0.accepted })
    }

    @Test func banditPropensitiesOfItsCandidatesSumToOne() async throws {
        let rule = """
              - name: explore
                candidates: [cheap-route, big-route, local-route]
                strategy: { kind: bandit, exploration: 0.6 }
            """
        let sink = RecordingSink()
        let requests = 40
        try await RoutingHarness.run(sink: sink, localProviders: ["local-fake": ScriptedLocalProvider()],
                                     yaml: { RoutingHarness.policyYAML(upstream: $0, rules: rule) }) { gateway in
            for _ in 0..<requests {
                let answer = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt))
                #expect(answer.status == 200)
            }
        }
        let records = try await sink.waitFor(count: requests)
        #expect(records.count == requests)
        var propensities: [String: Double] = [:]
        for record in records {
            let decision = try #require(record.decision)
            #expect(decision.strategy == "bandit")
            if let seen = propensities[decision.route] { #expect(seen == decision.propensity, "one propensity per route") }
            propensities[decision.route] = decision.propensity
            #expect(record.modelCalls.last?.route == decision.route)
        }
        // Untuned: (1 − 0.6) on the first candidate plus 0.6 / 3 on each.
        #expect(abs((propensities["cheap-route"] ?? 0) - 0.6) < 1e-9)
        #expect(abs((propensities["big-route"] ?? 0) - 0.2) < 1e-9)
        #expect(abs((propensities["local-route"] ?? 0) - 0.2) < 1e-9)
        #expect(abs(propensities.values.reduce(0, +) - 1) < 1e-9)
    }

    @Test func tunedStateSteersTheBanditAndItsVersionIsLogged() async throws {
        let classKey = SharedClassKey()
        let state = RoutingStateSource {
            classKey.value.withLock { key in key.map { TunedRoutingState(version: 7, classes: [$0: ["big-route": 1]]) } }
        }
        let rule = """
              - name: explore
                candidates: [cheap-route, big-route]
                strategy: { kind: bandit, exploration: 0 }
            """
        let sink = RecordingSink()
        try await RoutingHarness.run(sink: sink, tunedState: state, yaml: { RoutingHarness.policyYAML(upstream: $0, rules: rule) }) { gateway in
            let untuned = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt))
            #expect(untuned.headers["x-switchyard-route"] == "cheap-route")
            let header = try #require(untuned.headers["x-switchyard-class"])
            classKey.value.withLock { $0 = header }
            let tuned = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt))
            #expect(tuned.headers["x-switchyard-route"] == "big-route")
        }
        let records = try await sink.waitFor(count: 2)
        #expect(records.map { $0.decision?.stateVersion } == [nil, 7])
    }

    @Test func localOnlyClassesNeverReachAHostedModel() async throws {
        let rules = """
              - name: private-medical
                match: { domain: [medical] }
                candidates: [local-route]
                strategy: { kind: fixed }
                constraints: { local_only: true }
              - name: rest
                candidates: [cheap-route]
                fallbacks: [big-route]
            """
        let local = ScriptedLocalProvider([.answer("local medical answer", nil), .overloaded, .answer("still local", nil)])
        let upstream = FakeUpstream()
        let sink = RecordingSink()
        try await RoutingHarness.run(upstream: upstream, sink: sink, localProviders: ["local-fake": local],
                                     yaml: { RoutingHarness.policyYAML(upstream: $0, rules: rules) }) { gateway in
            let planned = try await gateway.chat(RoutingHarness.chat(RoutingHarness.medicalPrompt))
            #expect(planned.status == 200)
            #expect(planned.headers["x-switchyard-class"]?.hasPrefix("medical/") == true)
            #expect(planned.headers["x-switchyard-route"] == "local-route")

            let overloaded = try await gateway.chat(RoutingHarness.chat(RoutingHarness.medicalPrompt))
            #expect(overloaded.status == 429, "a full local queue is not answered by a hosted fallback")

            let named = try await gateway.chat(RoutingHarness.chat(RoutingHarness.medicalPrompt, model: "big-gpt"))
            #expect(named.status == 200)
            #expect(named.headers["x-switchyard-route"] == "local-route", "naming a hosted model does not bypass local_only")
        }
        #expect(upstream.requestCount == 0)
        #expect(local.received.count == 3)
        let records = try await sink.waitFor(count: 3)
        #expect(records.allSatisfy { $0.requestClass?.domain == "medical" && $0.decision?.rule == "private-medical" })
        #expect(records.allSatisfy { record in record.modelCalls.allSatisfy { $0.provider == "local" } })
    }

    @Test func namedModelGoesStraightThereAndIsLoggedDirect() async throws {
        let upstream = FakeUpstream(fallback: .answer(text: "direct answer", promptTokens: 5, completionTokens: 2))
        let sink = RecordingSink()
        try await RoutingHarness.run(upstream: upstream, sink: sink, yaml: { RoutingHarness.policyYAML(upstream: $0, rules: Self.fixedRule) }) { gateway in
            let answer = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt, model: "big-gpt"))
            #expect(answer.status == 200)
            #expect(answer.headers["x-switchyard-route"] == "big-gpt")
            #expect(answer.headers["x-switchyard-class"]?.split(separator: "/").count == 3)
            let unknown = try await gateway.chat(RoutingHarness.chat(RoutingHarness.generalPrompt, model: "no-such-model"))
            #expect(unknown.status == 404)
            let metrics = try await gateway.get("/metrics", key: nil)
            #expect(metrics.body.contains(#"switchyard_route_requests_total{route="big-gpt",strategy="direct",status="200"}"#))
        }
        let record = try #require(try await sink.waitFor(count: 2).first { $0.status == 200 })
        #expect(record.decision?.strategy == "direct")
        #expect(record.decision?.propensity == 1)
        #expect(record.decision?.rule == nil)
        #expect(record.decision?.policyHash.isEmpty == false)
        #expect(record.requestClass != nil)
        #expect(record.modelCalls.map(\.purpose) == ["answer"])
        #expect(upstream.receivedRequests.first?.body.contains("big-upstream") == true)
    }
}

/// The class key the tuned-state test learns from its first answer, shared with the state source.
final class SharedClassKey: Sendable {
    let value = Mutex<String?>(nil)
}
