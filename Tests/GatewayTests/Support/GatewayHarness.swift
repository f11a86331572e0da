import AsyncHTTPClient
import Foundation
import GatewayServer
import GatewayTesting
import Logging
import NIOCore
import NIOHTTP1
import ServiceLifecycle
import Synchronization
import SwitchyardTypes

/// Keeps every record the gateway hands over, for tests to inspect.
final class RecordingSink: RequestRecordSink {
    private let records = Mutex<[RequestRecord]>([])
    func record(_ record: RequestRecord) { records.withLock { $0.append(record) } }
    var all: [RequestRecord] { records.withLock { $0 } }

    /// Waits (briefly) until at least `count` records arrived; streams record just after their last byte.
    func waitFor(count: Int) async throws -> [RequestRecord] {
        for _ in 0..<200 {
            let now = all
            if now.count >= count { return now }
            try await Task.sleep(for: .milliseconds(10))
        }
        return all
    }
}

/// A readiness check tests can flip.
final class SwitchableReadiness: ReadinessCheck {
    private let reason = Mutex<String?>(nil)
    func set(_ value: String?) { reason.withLock { $0 = value } }
    func unreadyReason() async -> String? { reason.withLock { $0 } }
}

/// The answer to one HTTP call made by a test.
struct HTTPAnswer: Sendable {
    var status: Int
    var headers: [String: String]
    var body: String

    /// The OpenAI error object in the body, if it is one.
    var error: OpenAIError? { try? JSONDecoder().decode(OpenAIErrorBody.self, from: Data(body.utf8)).error }

    /// The `data:` payloads of a server-sent-event body.
    var events: [String] {
        body.components(separatedBy: "\n\n").compactMap { block in
            block.hasPrefix("data: ") ? String(block.dropFirst(6)) : nil
        }
    }

    /// The stream's chunks (every data event but `[DONE]` and error events).
    var chunks: [ChatCompletionChunk] {
        events.compactMap { try? JSONDecoder().decode(ChatCompletionChunk.self, from: Data($0.utf8)) }
    }

    func decoded<T: Decodable>(_ type: T.Type) throws -> T { try JSONDecoder().decode(type, from: Data(body.utf8)) }
}

/// Talks to a gateway on a real socket.
struct GatewayClient: Sendable {
    let port: Int
    var baseURL: String { "http://127.0.0.1:\(port)" }
    static let apiKey = "sk-test-client"

    func send(_ method: HTTPMethod, _ path: String, body: [UInt8]? = nil, key: String? = GatewayClient.apiKey,
              headers extra: [(String, String)] = []) async throws -> HTTPAnswer {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let key { request.headers.add(name: "authorization", value: "Bearer \(key)") }
        if let body {
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: body))
        }
        for (name, value) in extra { request.headers.replaceOrAdd(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
        let bytes = try await response.body.collect(upTo: 64 << 20)
        var headers: [String: String] = [:]
        for header in response.headers { headers[header.name.lowercased()] = header.value }
        return HTTPAnswer(status: Int(response.status.code), headers: headers, body: String(buffer: bytes))
    }

    func chat(_ json: String, key: String? = GatewayClient.apiKey) async throws -> HTTPAnswer {
        try await send(.POST, "/v1/chat/completions", body: Array(json.utf8), key: key)
    }

    func get(_ path: String, key: String? = GatewayClient.apiKey) async throws -> HTTPAnswer {
        try await send(.GET, path, key: key)
    }
}

/// Starts a fake upstream and a gateway in front of it, both on real sockets.
enum GatewayHarness {
    static let clientKey = AuthenticatedKey(id: UUID(), name: "tests", role: "client")

    /// The models every test gateway declares: OpenAI-style and Anthropic-style fakes, and one without a key.
    static func models(upstream baseURL: String) -> [GatewayModel] {
        [
            GatewayModel(name: "fake-gpt", kind: .openai, baseURL: baseURL, apiKeyEnv: "FAKE_OPENAI_KEY", upstreamModel: "gpt-upstream",
                         pricePerMillionInput: 1, pricePerMillionOutput: 2, timeout: .seconds(2), retries: 2),
            GatewayModel(name: "fake-claude", kind: .anthropic, baseURL: baseURL, apiKeyEnv: "FAKE_ANTHROPIC_KEY", upstreamModel: "claude-upstream",
                         pricePerMillionInput: 3, pricePerMillionOutput: 15, timeout: .seconds(2), retries: 1),
            GatewayModel(name: "keyless", kind: .openai, baseURL: baseURL, apiKeyEnv: "SWITCHYARD_TEST_UNSET_KEY"),
        ]
    }

    static let environment = ["FAKE_OPENAI_KEY": "sk-upstream-openai", "FAKE_ANTHROPIC_KEY": "sk-upstream-anthropic"]

    /// Runs `body` against a gateway in front of `upstream`.
    static func run(
        upstream: FakeUpstream = FakeUpstream(),
        sink: any RequestRecordSink = RecordingSink(),
        readiness: any ReadinessCheck = AlwaysReady(),
        services: [any Service] = [],
        authenticator: (any APIKeyAuthenticator)? = nil,
        configure: @Sendable (inout GatewayConfiguration) -> Void = { _ in },
        _ body: @Sendable (GatewayClient) async throws -> Void
    ) async throws {
        try await upstream.run { baseURL in
            var configuration = GatewayConfiguration(
                host: "127.0.0.1", port: 0, maxBodyBytes: 64 << 10, models: models(upstream: baseURL),
                defaultModels: ["keyless", "fake-gpt"], upstreamIdleTimeout: .seconds(1), policyHash: "test-policy-hash",
                policySource: "policies/test.yaml")
            configure(&configuration)
            var logger = Logger(label: "switchyard.tests")
            logger.logLevel = .error
            let dependencies = GatewayDependencies(
                authenticator: authenticator ?? StaticAPIKeyAuthenticator(keys: [GatewayClient.apiKey: clientKey]),
                recordSink: sink, readiness: readiness, services: services, environment: environment, logger: logger)
            let app = buildApplication(configuration, dependencies: dependencies)
            try await withLiveServer(app) { port in try await body(GatewayClient(port: port)) }
        }
    }

    /// A minimal valid chat body.
    static func chatBody(model: String = "fake-gpt", stream: Bool = false, includeUsage: Bool? = nil, extra: String = "") -> String {
        var json = #"{"model":"\#(model)","messages":[{"role":"user","content":"Say hello"}]"#
        if stream { json += #","stream":true"# }
        if let includeUsage { json += #","stream_options":{"include_usage":\#(includeUsage)}"# }
        return json + extra + "}"
    }
}
