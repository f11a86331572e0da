import AsyncHTTPClient
import Foundation
import GatewayServer
import GatewayTesting
import Logging
import Policy
import Providers
import SwitchyardTypes
import Testing

/// A cascade's cheap step on a model we run (`kind: worker`, played by the fake upstream): the answer's own
/// `switchyard` confidence decides when it is there, the token logprobs when it is not. A hosted model's
/// `switchyard` figures are not trusted.
@Suite(.timeLimit(.minutes(2)))
struct CascadeReportedConfidenceTests {
    /// One cheap answer: its logprobs, its reported figures (or none), and where the cascade should end.
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        let cheapModel: String
        let logprobs: [Double]
        let reported: ConfidenceRecord?
        let servedRoute: String
        let loggedMeanLogprob: Double
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "worker reports sure, logprobs unsure: accepted", cheapModel: "worker-fake", logprobs: [-3, -2.5],
             reported: ConfidenceRecord(meanLogprob: -0.2, minLogprob: -0.9, meanEntropy: 0.3), servedRoute: "cheap-route", loggedMeanLogprob: -0.2),
        Case(name: "worker reports unsure, logprobs sure: escalated", cheapModel: "worker-fake", logprobs: [-0.1, -0.05],
             reported: ConfidenceRecord(meanLogprob: -2.5, minLogprob: -6, meanEntropy: 2.1), servedRoute: "big-route", loggedMeanLogprob: -2.5),
        Case(name: "worker without the field, logprobs unsure: escalated", cheapModel: "worker-fake", logprobs: [-3, -2],
             reported: nil, servedRoute: "big-route", loggedMeanLogprob: -2.5),
        Case(name: "worker without the field, logprobs sure: accepted", cheapModel: "worker-fake", logprobs: [-0.2, -0.1],
             reported: nil, servedRoute: "cheap-route", loggedMeanLogprob: -0.15),
        Case(name: "hosted model claims sure, logprobs unsure: escalated", cheapModel: "cheap-gpt", logprobs: [-3, -2.5],
             reported: ConfidenceRecord(meanLogprob: -0.1, minLogprob: -0.2, meanEntropy: 0.1), servedRoute: "big-route", loggedMeanLogprob: -2.75),
    ]

    @Test(arguments: cases)
    func cheapStepConfidence(_ example: Case) async throws {
        let upstream = FakeUpstream(fallback: .answer(text: "the big model's answer", promptTokens: 20, completionTokens: 5))
        upstream.enqueue(.malformed(Self.cheapAnswer(logprobs: example.logprobs, reported: example.reported)))
        let sink = RecordingSink()
        try await upstream.run { baseURL in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-cascade-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let policy = try PolicyLoader.load(yaml: Self.policy(upstream: baseURL, cheapModel: example.cheapModel),
                                               file: "cascade-test.yaml", baseDirectory: folder.path)
            var configuration = GatewayConfiguration(policy: policy, host: "127.0.0.1", port: 0, policySource: "cascade-test.yaml")
            configuration.upstreamIdleTimeout = .seconds(1)
            var logger = Logger(label: "switchyard.tests")
            logger.logLevel = .error
            let worker = WorkerProvider(urls: [baseURL], modelName: "worker-fake", pricePerCPUSecond: 0.00001, client: HTTPClient.shared)
            let dependencies = GatewayDependencies(
                authenticator: StaticAPIKeyAuthenticator(keys: [GatewayClient.apiKey: GatewayHarness.clientKey]),
                recordSink: sink, readiness: AlwaysReady(), localProviders: ["worker-fake": worker],
                environment: GatewayHarness.environment, logger: logger)
            let app = buildApplication(configuration, dependencies: dependencies, routing: RoutingInputs(policy: policy))
            try await withLiveServer(app) { port in
                let answer = try await GatewayClient(port: port).chat(RoutingHarness.chat(RoutingHarness.generalPrompt))
                #expect(answer.status == 200)
                #expect(answer.headers["x-switchyard-route"] == example.servedRoute)
            }
        }
        let record = try #require(try await sink.waitFor(count: 1).first)
        let cheapCall = try #require(record.modelCalls.first)
        #expect(cheapCall.route == "cheap-route")
        let logged = try #require(cheapCall.confidence, "the cheap step's confidence is logged")
        #expect(abs(logged.meanLogprob - example.loggedMeanLogprob) < 1e-9)
        #expect(cheapCall.accepted == (example.servedRoute == "cheap-route"))
        if example.cheapModel == "worker-fake", example.reported != nil {
            #expect(abs((cheapCall.costUSD ?? 0) - 0.5 * 0.00001) < 1e-15, "a worker's call costs its CPU seconds at the policy's price")
        }
    }

    /// The cheap model's answer: an OpenAI completion with these token logprobs and, when given, the `switchyard` member.
    static func cheapAnswer(logprobs: [Double], reported: ConfidenceRecord?) -> String {
        var response = try! JSONDecoder().decode(
            ChatCompletionResponse.self, from: Data(RoutingHarness.completionWithLogprobs(text: "a cheap answer", logprobs: logprobs).utf8))
        if let reported { response.switchyard = SwitchyardExtension(confidence: reported, cpuSeconds: 0.5, costUSD: 123) }
        return String(decoding: try! JSONEncoder().encode(response), as: UTF8.self)
    }

    /// Two hosted models and a worker on the fake upstream; a cascade from `cheapModel` to the big model.
    static func policy(upstream: String, cheapModel: String) -> String {
        """
        version: 1
        models:
        \(RoutingHarness.hostedModelsYAML(upstream: upstream))
          worker-fake:
            kind: worker
            urls: [\(upstream)]
            context: 2048
            price_per_cpu_second: 0.00001
        classes:
          unknown_below: 0.2
          domains:
            general:
              keywords: [poem, story, write, friend, autumn, travel, email, recipe]
              examples: ["Write a short poem about autumn leaves.", "Write an email to a friend about my travel."]
          tasks:
            generation:
              keywords: [write, poem, story, email]
              examples: ["Write a short poem."]
        routes:
          cheap-route: { model: \(cheapModel) }
          big-route: { model: big-gpt }
        rules:
          - name: cheap-then-big
            candidates: [cheap-route, big-route]
            strategy:
              kind: cascade
              accept: { min_mean_logprob: -1.0 }
        """
    }
}
