import Foundation
import GatewayServer
import GatewayTesting
import Logging
import Policy
import Providers
import ServiceLifecycle
import Synchronization
import SwitchyardTypes

/// A gateway running under a real policy file (written per test, pointing at the fake upstream) with
/// scripted local models, on real sockets.
enum RoutingHarness {
    /// A medical prompt (the `local_only` class of the test policies).
    static let medicalPrompt = "What are the symptoms of diabetes and which medication dose should the patient take?"
    /// A general prompt.
    static let generalPrompt = "Write a short poem about autumn leaves for my friend."

    /// The two hosted models of the test policies on the fake upstream, `cheap-gpt` and `big-gpt`,
    /// as entries of a policy's `models:` map (indented two spaces, no trailing newline).
    static func hostedModelsYAML(upstream: String) -> String {
        """
          cheap-gpt:
            kind: openai
            base_url: \(upstream)
            api_key_env: FAKE_OPENAI_KEY
            model: cheap-upstream
            price_per_million_input: 0.1
            price_per_million_output: 0.2
            context: 8000
            timeout_ms: 2000
            retries: 0
          big-gpt:
            kind: openai
            base_url: \(upstream)
            api_key_env: FAKE_OPENAI_KEY
            model: big-upstream
            price_per_million_input: 5
            price_per_million_output: 15
            context: 8000
            timeout_ms: 2000
            retries: 0
        """.trimmingCharacters(in: .newlines)
    }

    /// The test policy: two hosted models on the fake upstream (`cheap-gpt`, `big-gpt`), one local model
    /// (`local-fake`, served by a scripted provider), routes to each and the given rules.
    static func policyYAML(upstream: String, rules: String, extraRoutes: String = "") -> String {
        """
        version: 1
        models:
        \(hostedModelsYAML(upstream: upstream))
          local-fake:
            kind: local
            path: local-fake.gguf
            slots: 2
            context: 2048
            price_per_cpu_second: 0.00001
        classes:
          unknown_below: 0.2
          domains:
            medical:
              keywords: [medical, symptoms, diabetes, medication, dose, patient, doctor, disease, treatment]
              examples: ["What are the symptoms of diabetes?", "Which medication dose should the patient take?"]
            general:
              keywords: [poem, story, write, friend, autumn, travel, email, recipe]
              examples: ["Write a short poem about autumn leaves.", "Write an email to a friend about my travel."]
          tasks:
            qa:
              keywords: [what, which, who, symptoms, question]
              examples: ["What are the symptoms of flu?"]
            generation:
              keywords: [write, poem, story, email]
              examples: ["Write a short poem."]
        routes:
          cheap-route: { model: cheap-gpt }
          big-route: { model: big-gpt }
          local-route: { model: local-fake }
        \(extraRoutes)
        rules:
        \(rules)
        """
    }

    /// Runs `body` against a gateway under the policy `yaml(upstreamBaseURL)`.
    static func run(
        upstream: FakeUpstream = FakeUpstream(),
        sink: any RequestRecordSink = RecordingSink(),
        services: [any Service] = [],
        authenticator: (any APIKeyAuthenticator)? = nil,
        localProviders: [String: any ChatProvider] = [:],
        tunedState: RoutingStateSource = .none,
        yaml: @Sendable (String) -> String,
        _ body: @Sendable (GatewayClient) async throws -> Void
    ) async throws {
        try await upstream.run { baseURL in
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent("switchyard-routing-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: folder) }
            let policy = try PolicyLoader.load(yaml: yaml(baseURL), file: "routing-test.yaml", baseDirectory: folder.path)
            var configuration = GatewayConfiguration(policy: policy, host: "127.0.0.1", port: 0, policySource: "routing-test.yaml")
            configuration.upstreamIdleTimeout = .seconds(1)
            var logger = Logger(label: "switchyard.tests")
            logger.logLevel = .error
            let dependencies = GatewayDependencies(
                authenticator: authenticator ?? StaticAPIKeyAuthenticator(keys: [GatewayClient.apiKey: GatewayHarness.clientKey]),
                recordSink: sink, readiness: AlwaysReady(), services: services, localProviders: localProviders,
                environment: GatewayHarness.environment, logger: logger)
            let app = buildApplication(configuration, dependencies: dependencies, routing: RoutingInputs(policy: policy, tunedState: tunedState))
            try await withLiveServer(app) { port in try await body(GatewayClient(port: port)) }
        }
    }

    /// A chat body asking `model` about `prompt`.
    static func chat(_ prompt: String, model: String = "auto", stream: Bool = false, extra: String = "") -> String {
        let escaped = String(decoding: try! JSONEncoder().encode(prompt), as: UTF8.self)
        return #"{"model":"\#(model)","messages":[{"role":"user","content":\#(escaped)}]"#
            + (stream ? #","stream":true,"stream_options":{"include_usage":true}"# : "") + extra + "}"
    }

    /// An OpenAI chat completion body whose tokens have these logprobs (what a hosted model sends when asked for them).
    static func completionWithLogprobs(text: String, logprobs: [Double]) -> String {
        let words = text.split(separator: " ").map(String.init)
        let content: [JSONValue] = logprobs.enumerated().map { index, logprob in
            .object(["token": .string(index < words.count ? words[index] : "."), "logprob": .number(logprob), "top_logprobs": .array([])])
        }
        let response = ChatCompletionResponse(
            id: "chatcmpl-logprobs", created: 1_700_000_000, model: "cheap-upstream",
            choices: [ChatChoice(index: 0, message: ChatMessage(role: "assistant", text: text), finishReason: "stop",
                                 logprobs: .object(["content": .array(content)]))],
            usage: Usage(promptTokens: 12, completionTokens: logprobs.count))
        return String(decoding: try! JSONEncoder().encode(response), as: UTF8.self)
    }
}

/// A local model stand-in: answers scripted texts with scripted confidence, or fails as a full queue does (429).
final class ScriptedLocalProvider: ConfidenceReportingProvider {
    /// What one call does.
    enum Step: Sendable {
        case answer(String, ConfidenceRecord?)
        case overloaded
    }

    let kind = "local"
    private let state: Mutex<(script: [Step], fallback: Step, received: [ChatCompletionRequest])>

    init(_ script: [Step] = [], fallback: Step = .answer("local answer", ConfidenceRecord(meanLogprob: -0.1, minLogprob: -0.5, meanEntropy: 0.3))) {
        state = Mutex((script, fallback, []))
    }

    /// The requests this model received, in order.
    var received: [ChatCompletionRequest] { state.withLock { $0.received } }

    func completeWithConfidence(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws
        -> (response: ChatCompletionResponse, confidence: ConfidenceRecord?, costUSD: Double?) {
        let step = state.withLock { state -> Step in
            state.received.append(request)
            return state.script.isEmpty ? state.fallback : state.script.removeFirst()
        }
        switch step {
        case .overloaded:
            attempts.append(ProviderAttempt(startedAt: Date(), latencyMS: 0, status: 429, errorCode: "upstream_rate_limited"))
            throw ProviderError.upstreamStatus(provider: kind, status: 429, message: "the local queue is full", retryAfter: "1")
        case .answer(let text, let confidence):
            attempts.append(ProviderAttempt(startedAt: Date(), latencyMS: 1, status: 200, errorCode: nil))
            let response = ChatCompletionResponse(
                id: "chatcmpl-local", created: 1_700_000_000, model: "local-fake",
                choices: [ChatChoice(index: 0, message: ChatMessage(role: "assistant", text: text), finishReason: "stop")],
                usage: Usage(promptTokens: 9, completionTokens: text.split(separator: " ").count))
            return (response, confidence, 0.000002)
        }
    }

    func complete(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatCompletionResponse {
        try await completeWithConfidence(request, attempts: attempts).response
    }

    func stream(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatChunkStream {
        let response = try await complete(request, attempts: attempts)
        let text = response.choices.first?.message.content?.text ?? ""
        let chunks = [
            ChatCompletionChunk(id: response.id, created: response.created, model: response.model,
                                choices: [ChunkChoice(index: 0, delta: ChunkDelta(role: "assistant", content: text))]),
            ChatCompletionChunk(id: response.id, created: response.created, model: response.model,
                                choices: [ChunkChoice(index: 0, delta: ChunkDelta(), finishReason: "stop")]),
            ChatCompletionChunk(id: response.id, created: response.created, model: response.model, choices: [], usage: response.usage),
        ]
        return AsyncThrowingStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
    }
}
