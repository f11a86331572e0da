import Foundation
import GatewayServer
import GatewayTesting
import Logging
import Policy
import ServiceLifecycle
import SwitchyardTypes

/// A gateway serving a policy from a file it watches, in front of the fake upstream, for reload,
/// admin and feedback tests.
enum PolicyReloadHarness {
    static let adminKey = "sk-test-admin"
    static let adminIdentity = AuthenticatedKey(id: UUID(), name: "admin-tests", role: "admin")

    /// A valid policy whose hosted models (`fake-gpt`, plus `extraModel` when given) answer at `baseURL`.
    static func policyYAML(upstream baseURL: String, extraModel: String? = nil, maxConcurrentRequests: Int = 256) -> String {
        var models = """
          fake-gpt:
            kind: openai
            base_url: \(baseURL)
            api_key_env: FAKE_OPENAI_KEY
            model: gpt-upstream
            price_per_million_input: 1
            price_per_million_output: 2
            context: 8192
            timeout_ms: 5000
            retries: 1

        """
        if let extraModel {
            models += """
              \(extraModel):
                kind: openai
                base_url: \(baseURL)
                api_key_env: FAKE_OPENAI_KEY
                model: gpt-upstream-2
                price_per_million_input: 3
                price_per_million_output: 4
                context: 8192

            """
        }
        return """
        version: 1
        server:
          max_concurrent_requests: \(maxConcurrentRequests)
        models:
        \(models)
        classes:
          domains:
            general:
              keywords: [hello, weather, chat]
            code:
              keywords: [python, function, bug]
          tasks:
            qa:
              keywords: [what, why, how]
        routes:
          gpt:
            model: fake-gpt
        rules:
          - name: default
            candidates: [gpt]

        """
    }

    /// A fresh folder for one test's policy file.
    static func temporaryPolicyPath() throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-policy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        return folder.appendingPathComponent("gateway.yaml").path
    }

    /// Writes `text` to `path` atomically, as an editor or a ConfigMap update does.
    static func write(_ text: String, to path: String) throws {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    }

    /// Runs `body` against a gateway serving the policy at a temporary path (given to `body`), written from `initialYAML`.
    static func run(
        upstream: FakeUpstream = FakeUpstream(),
        sink: any RequestRecordSink = RecordingSink(),
        services: [any Service] = [],
        authenticator: (any APIKeyAuthenticator)? = nil,
        pollInterval: Duration = .milliseconds(50),
        feedback: (any FeedbackRecorder)? = nil,
        judge: JudgeSettings? = nil,
        initialYAML: @Sendable (String) -> String = { policyYAML(upstream: $0) },
        _ body: @Sendable (GatewayClient, String, String) async throws -> Void
    ) async throws {
        let path = try temporaryPolicyPath()
        defer { try? FileManager.default.removeItem(atPath: (path as NSString).deletingLastPathComponent) }
        try await upstream.run { baseURL in
            try write(initialYAML(baseURL), to: path)
            let policy = try PolicyLoader.load(path: path)
            let configuration = GatewayConfiguration(policy: policy, host: "127.0.0.1", port: 0, policySource: path)
            var logger = Logger(label: "switchyard.tests")
            logger.logLevel = .critical
            let dependencies = GatewayDependencies(
                authenticator: authenticator ?? StaticAPIKeyAuthenticator(keys: [
                    GatewayClient.apiKey: GatewayHarness.clientKey, adminKey: adminIdentity,
                ]),
                recordSink: sink, readiness: AlwaysReady(), services: services, environment: GatewayHarness.environment, logger: logger)
            let app = buildApplication(
                configuration, dependencies: dependencies, routing: RoutingInputs(policy: policy),
                reload: PolicyReloadConfiguration(path: path, pollInterval: pollInterval, reloadOnSIGHUP: false), feedback: feedback, judge: judge)
            try await withLiveServer(app) { port in try await body(GatewayClient(port: port), path, baseURL) }
        }
    }

    /// `GET /admin/policy` with the admin key, decoded.
    static func adminPolicy(_ gateway: GatewayClient) async throws -> AdminPolicyBody {
        let answer = try await gateway.get("/admin/policy", key: adminKey)
        guard answer.status == 200 else { throw HarnessFailure.unexpectedStatus(answer.status, answer.body) }
        return try answer.decoded(AdminPolicyBody.self)
    }

    /// Polls `/admin/policy` until `condition` holds (up to `limit`), returning the last body seen.
    static func waitForAdminPolicy(_ gateway: GatewayClient, limit: Duration = .seconds(5),
                                   until condition: (AdminPolicyBody) -> Bool) async throws -> AdminPolicyBody {
        let deadline = ContinuousClock.now + limit
        var last = try await adminPolicy(gateway)
        while !condition(last), ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(25))
            last = try await adminPolicy(gateway)
        }
        return last
    }

    enum HarnessFailure: Error { case unexpectedStatus(Int, String) }
}

/// The `GET /admin/policy` body as a client reads it.
struct AdminPolicyBody: Decodable, Sendable {
    struct Problem: Decodable, Sendable { var file: String; var line: Int; var field: String; var message: String; var text: String }
    struct ReloadError: Decodable, Sendable { var at: String?; var problems: [Problem] }
    var policy_hash: String
    var source_files: [String]
    var loaded_at: String
    var generation: Int
    var last_error: ReloadError?
}
