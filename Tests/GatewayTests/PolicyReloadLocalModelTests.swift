import Foundation
import GatewayServer
import GatewayTesting
import Logging
import Policy
import SwitchyardTypes
import Testing

/// A policy reload that adds a `kind: local` model serves it (the real test model), and one whose GGUF
/// cannot be loaded is refused, naming the file, line and field, while the old policy keeps serving.
@Suite(.serialized, .timeLimit(.minutes(5)))
struct PolicyReloadLocalModelTests {
    static func localModel(name: String, path: String) -> String {
        """
          \(name):
            kind: local
            path: \(path)
            slots: 1
            context: 512
            price_per_cpu_second: 0.00001

        """
    }

    /// The reload harness's policy with `extraModels` added to its models.
    static func policy(upstream: String, extraModels: String) -> String {
        PolicyReloadHarness.policyYAML(upstream: upstream).replacingOccurrences(of: "\nclasses:", with: extraModels + "\nclasses:")
    }

    @Test func aReloadThatAddsALocalModelLoadsAndServesIt() async throws {
        let modelPath = try WorkerTestSupport.modelPath()
        try await Self.withReloadingGateway { gateway, policyPath, upstream in
            let ask = RoutingHarness.chat("What is the capital of France?", model: "smol", extra: #","max_tokens":3"#)
            #expect(try await gateway.chat(ask).status == 404, "not declared yet")

            try PolicyReloadHarness.write(Self.policy(upstream: upstream, extraModels: Self.localModel(name: "smol", path: modelPath)), to: policyPath)
            let reloaded = try await PolicyReloadHarness.waitForAdminPolicy(gateway, limit: .seconds(60)) { $0.generation > 0 || $0.last_error != nil }
            #expect(reloaded.last_error == nil)
            let answer = try await gateway.chat(ask)
            #expect(answer.status == 200, "the added local model answers: \(answer.body)")
            let body = try answer.decoded(ChatCompletionResponse.self)
            #expect(body.model == "smol")
            #expect(body.switchyard?.confidence != nil, "answered by the model we run, which reports its confidence")
        }
    }

    @Test func aReloadNamingAGGUFThatCannotBeLoadedKeepsTheOldPolicyAndNamesTheField() async throws {
        let modelPath = try WorkerTestSupport.modelPath()
        let missing = FileManager.default.temporaryDirectory.appendingPathComponent("no-such-model-\(UUID().uuidString).gguf").path
        try await Self.withReloadingGateway(initialExtraModels: Self.localModel(name: "smol", path: modelPath)) { gateway, policyPath, upstream in
            let before = try await PolicyReloadHarness.adminPolicy(gateway)
            let broken = Self.localModel(name: "smol", path: modelPath) + Self.localModel(name: "broken", path: missing)
            try PolicyReloadHarness.write(Self.policy(upstream: upstream, extraModels: broken), to: policyPath)
            let after = try await PolicyReloadHarness.waitForAdminPolicy(gateway, limit: .seconds(30)) { $0.last_error != nil }
            let problem = try #require(after.last_error?.problems.first, "the reload is refused")
            #expect(problem.file == policyPath)
            #expect(problem.field == "models.broken.path")
            let text = try String(contentsOfFile: policyPath, encoding: .utf8).components(separatedBy: "\n")
            #expect(problem.line > 0 && text[problem.line - 1].contains("path: \(missing)"), "line \(problem.line) is the broken model's path")
            #expect(problem.message.contains(missing))
            #expect(after.policy_hash == before.policy_hash, "the old policy stays in force")
            let answer = try await gateway.chat(RoutingHarness.chat("Say hi.", model: "smol", extra: #","max_tokens":2"#))
            #expect(answer.status == 200, "the old policy's local model still answers")
            #expect(try await gateway.chat(RoutingHarness.chat("Say hi.", model: "broken")).status == 404)
        }
    }

    /// A gateway watching a policy file (the reload harness's policy plus `initialExtraModels`), its
    /// local models loaded by a ``LocalModelRegistry`` as `serve` does.
    static func withReloadingGateway(
        initialExtraModels: String = "",
        _ body: @Sendable (GatewayClient, String, String) async throws -> Void
    ) async throws {
        let path = try PolicyReloadHarness.temporaryPolicyPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try await FakeUpstream().run { baseURL in
            try PolicyReloadHarness.write(policy(upstream: baseURL, extraModels: initialExtraModels), to: path)
            let policy = try PolicyLoader.load(path: path)
            let configuration = GatewayConfiguration(policy: policy, host: "127.0.0.1", port: 0, policySource: path)
            var logger = Logger(label: "switchyard.tests")
            logger.logLevel = .critical
            let localModels = LocalModelRegistry(logger: logger)
            let dependencies = GatewayDependencies(
                authenticator: StaticAPIKeyAuthenticator(keys: [
                    GatewayClient.apiKey: GatewayHarness.clientKey, PolicyReloadHarness.adminKey: PolicyReloadHarness.adminIdentity,
                ]),
                recordSink: RecordingSink(), readiness: AlwaysReady(), localProviders: try localModels.providers(for: policy),
                environment: GatewayHarness.environment, logger: logger, localModels: localModels)
            let app = buildApplication(
                configuration, dependencies: dependencies, routing: RoutingInputs(policy: policy),
                reload: PolicyReloadConfiguration(path: path, pollInterval: .milliseconds(50), reloadOnSIGHUP: false))
            try await withLiveServer(app) { port in try await body(GatewayClient(port: port), path, baseURL) }
            await localModels.shutdown()
        }
    }
}
