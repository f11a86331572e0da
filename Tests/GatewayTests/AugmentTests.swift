import Foundation
import GatewayTesting
import Policy
import SwitchyardTypes
import Testing
@testable import GatewayServer

/// Augmentations: bridge passages, reasoning instructions, BLADE knowledge; and the pure parts they and cascades use.
@Suite(.timeLimit(.minutes(2)))
struct AugmentTests {
    static let passages: [AugmentPassages.Passage] = [
        .init(title: "Weather", text: "Rain is expected in Lisbon tomorrow afternoon."),
        .init(title: nil, text: "Insulin dose depends on the patient's blood glucose and diabetes type."),
        .init(title: "Cooking", text: "Bake the bread for forty minutes."),
        .init(title: "Diabetes", text: "Type 2 diabetes symptoms include thirst and fatigue."),
    ]

    @Test(arguments: [
        ("What are the symptoms of diabetes?", ["Diabetes", nil]),
        ("Will it rain in Lisbon tomorrow?", ["Weather", nil]),
        ("How long should I bake bread?", ["Cooking", "Weather"]),
    ] as [(String, [String?])])
    func bridgeRanksPassagesByOverlapWithTheQuestion(question: String, expectedTitles: [String?]) {
        let ranked = AugmentPassages.rank(Self.passages, question: question, top: 2)
        #expect(ranked.map(\.title) == expectedTitles)
    }

    @Test func passagesAreReadFromTheExtensionAsTextsOrObjects() throws {
        let json = #"{"model":"auto","messages":[{"role":"user","content":"hi"}],"switchyard":{"passages":["plain text",{"title":"T","text":"titled"},{"title":"empty"},3]}}"#
        let request = try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(json.utf8))
        #expect(AugmentPassages.read(request) == [.init(title: nil, text: "plain text"), .init(title: "T", text: "titled")])
        let message = AugmentPassages.systemMessage(AugmentPassages.read(request))
        #expect(message.content?.text.contains("[1] plain text") == true)
        #expect(message.content?.text.contains("[2] T: titled") == true)
    }

    @Test(arguments: [
        (ReasoningStrategy.direct, "qa", nil),
        (.stepByStep, "reasoning", "step by step"),
        (.stepByStep, "code", "Then give the code"),
        (.recallThenAnswer, "qa", "recall the facts"),
    ] as [(ReasoningStrategy, String, String?)])
    func reasoningInstructionFollowsStrategyAndTask(strategy: ReasoningStrategy, task: String, fragment: String?) {
        let instruction = AugmentReasoning.instruction(strategy, task: task)
        if let fragment {
            #expect(instruction?.contains(fragment) == true)
        } else {
            #expect(instruction == nil)
        }
    }

    @Test(arguments: ["", "one", "one two three four five six seven eight nine ten", "  spaced   out  text ", "a b c d e f g h"])
    func replayedPiecesJoinBackToTheText(text: String) {
        let pieces = CascadeReplay.pieces(of: text)
        #expect(pieces.joined() == text)
        #expect(pieces.allSatisfy { $0.filter { $0 == " " }.count <= CascadeReplay.wordsPerChunk })
    }

    @Test func confidenceFromLogprobsUsesTopLogprobsForEntropyWhenGiven() throws {
        let uniform = log(0.5)
        let logprobs: JSONValue = .object(["content": .array([
            .object(["token": .string("a"), "logprob": .number(uniform), "top_logprobs": .array([
                .object(["token": .string("a"), "logprob": .number(uniform)]), .object(["token": .string("b"), "logprob": .number(uniform)]),
            ])]),
            .object(["token": .string("b"), "logprob": .number(-0.5), "top_logprobs": .array([])]),
        ])])
        let confidence = try #require(CascadeConfidence.fromLogprobs(logprobs))
        #expect(abs(confidence.meanLogprob - (uniform - 0.5) / 2) < 1e-12)
        #expect(confidence.minLogprob == uniform)
        #expect(abs(confidence.meanEntropy - (log(2.0) + 0.5) / 2) < 1e-12, "ln 2 for a fair choice, the surprisal otherwise")
        #expect(CascadeConfidence.fromLogprobs(nil) == nil)
        #expect(CascadeConfidence.fromLogprobs(.object(["content": .array([])])) == nil)
    }

    @Test func p95NeedsEnoughSamplesAndUsesTheNearestRank() {
        #expect(RoutingHealthTracker.p95([1, 2, 3, 4]) == nil)
        #expect(RoutingHealthTracker.p95((1...20).map(Double.init)) == 19)
        #expect(RoutingHealthTracker.p95(Array((1...100).map(Double.init).reversed())) == 95)
    }

    @Test func circuitOpensAfterFailuresInARowAndClosesAfterItsPeriod() {
        let tracker = RoutingHealthTracker(failuresToOpen: 2, openDuration: .seconds(10))
        let now = ContinuousClock.now
        tracker.recordFailure(model: "m", now: now)
        #expect(tracker.state(of: "m", now: now).isAvailable)
        tracker.recordFailure(model: "m", now: now)
        #expect(!tracker.state(of: "m", now: now + .seconds(1)).isAvailable)
        #expect(tracker.state(of: "m", now: now + .seconds(11)).isAvailable)
        tracker.recordSuccess(model: "m", latencyMS: 5)
        tracker.recordFailure(model: "m", now: now)
        #expect(tracker.state(of: "m", now: now + .seconds(1)).isAvailable, "a success resets the count")
    }

    @Test func routeAugmentationsReachTheAnsweringModel() async throws {
        let routes = """
              augmented-route:
                model: big-gpt
                reasoning: step_by_step
                blade: local-fake
                bridge: true
            """
        let rule = """
              - name: augmented
                candidates: [augmented-route]
            """
        let local = ScriptedLocalProvider(fallback: .answer("Diabetes raises blood glucose.", nil))
        let upstream = FakeUpstream(fallback: .answer(text: "augmented answer"))
        let sink = RecordingSink()
        let passages = #","switchyard":{"passages":["Bake the bread for forty minutes.","Type 2 diabetes symptoms include thirst.","Rain in Lisbon.","Bread needs flour.","Trains leave at noon."]}"#
        try await RoutingHarness.run(upstream: upstream, sink: sink, localProviders: ["local-fake": local],
                                     yaml: { RoutingHarness.policyYAML(upstream: $0, rules: rule, extraRoutes: routes) }) { gateway in
            let answer = try await gateway.chat(RoutingHarness.chat("What are the symptoms of diabetes?", extra: passages))
            #expect(answer.status == 200)
            #expect(answer.headers["x-switchyard-route"] == "augmented-route")
        }
        let sent = try #require(upstream.receivedRequests.first)
        let request = try JSONDecoder().decode(ChatCompletionRequest.self, from: Data(sent.body.utf8))
        #expect(request.extra["switchyard"] == nil, "the extension member is not forwarded")
        let system = request.messages.filter { $0.role == "system" }.compactMap { $0.content?.text }
        #expect(system.count == 3)
        #expect(system.contains { $0.contains("step by step") })
        #expect(system.contains { $0.contains("Diabetes raises blood glucose.") })
        let bridged = try #require(system.first { $0.contains("[1]") })
        #expect(bridged.contains("[1] Type 2 diabetes symptoms include thirst."))
        #expect(bridged.contains("[\(AugmentPassages.topCount)]") && !bridged.contains("[\(AugmentPassages.topCount + 1)]"))
        #expect(request.messages.last?.role == "user")
        #expect(local.received.count == 1)
        let record = try #require(try await sink.waitFor(count: 1).first)
        #expect(record.modelCalls.map(\.purpose) == ["knowledge", "answer"])
        #expect(record.modelCalls.first?.model == "local-fake")
    }
}
