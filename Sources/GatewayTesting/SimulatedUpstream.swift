import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization
import SwitchyardTypes

/// One hosted LLM the ``SimulatedUpstream`` plays: how long it takes and how many tokens it reports.
public struct SimulatedModel: Sendable, Equatable {
    /// The upstream model id requests name (`model` in the body).
    public var upstreamModel: String
    /// Time before the answer is sent.
    public var latency: Duration
    /// Prompt tokens reported in `usage`.
    public var promptTokens: Int
    /// Completion tokens reported in `usage`.
    public var completionTokens: Int

    /// Creates a simulated model.
    public init(upstreamModel: String, latency: Duration, promptTokens: Int, completionTokens: Int) {
        self.upstreamModel = upstreamModel; self.latency = latency
        self.promptTokens = promptTokens; self.completionTokens = completionTokens
    }
}

/// A fake hosted server (OpenAI chat API, whole answers and streams) that plays several LLMs at once:
/// each request is answered as the model its body names, with that model's latency and token usage,
/// so the gateway's cost (usage × the policy's prices) and latency differ per model as configured.
///
/// Unknown model ids get 404. Counts the requests each model received.
/// ```swift
/// let upstream = SimulatedUpstream(models: [SimulatedModel(upstreamModel: "mini", latency: .milliseconds(20), promptTokens: 400, completionTokens: 300)])
/// try await upstream.run { baseURL in ... }   // baseURL = "http://127.0.0.1:PORT/v1"
/// ```
public struct SimulatedUpstream: Sendable {
    private let models: [String: SimulatedModel]
    private let counts: SimulatedUpstreamCounts

    /// A server playing `models` (by upstream model id).
    public init(models: [SimulatedModel]) {
        self.models = Dictionary(models.map { ($0.upstreamModel, $0) }, uniquingKeysWith: { first, _ in first })
        self.counts = SimulatedUpstreamCounts()
    }

    /// Requests received so far, per upstream model id (unknown ids included).
    public var requestCounts: [String: Int] { counts.snapshot }

    /// Runs the server on 127.0.0.1 (a free port) while `body` runs; `body` gets the base URL (`http://127.0.0.1:PORT/v1`).
    public func run<Value: Sendable>(_ body: (String) async throws -> Value) async throws -> Value {
        try await withLiveServer(application()) { port in try await body("http://127.0.0.1:\(port)/v1") }
    }

    /// The server as a Hummingbird application.
    public func application(logLevel: Logger.Level = .error) -> some ApplicationProtocol {
        let router = Router(context: FakeUpstreamContext.self)
        let models = self.models
        let counts = self.counts
        router.post("/v1/chat/completions") { request, context in
            let body = try await request.body.collect(upTo: 16 << 20)
            let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(String(buffer: body).utf8))) ?? .null
            let name = json["model"]?.stringValue ?? ""
            counts.add(name)
            guard let model = models[name] else {
                return Response(status: .notFound, headers: [.contentType: "application/json"],
                                body: .init(byteBuffer: ByteBuffer(string: FakeAnswers.openAIError(message: "no model \(name)", status: 404))))
            }
            try await Task.sleep(for: model.latency)
            let text = "Answer from \(name)"
            let usage = Usage(promptTokens: model.promptTokens, completionTokens: model.completionTokens)
            if json["stream"] == .bool(true) {
                let events = FakeAnswers.openAIStream(words: FakeUpstreamResponder.pieces(of: text), model: name, usage: usage)
                return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"],
                                body: .init(byteBuffer: ByteBuffer(string: events.joined())))
            }
            return Response(status: .ok, headers: [.contentType: "application/json"],
                            body: .init(byteBuffer: ByteBuffer(string: FakeAnswers.openAICompletion(text: text, model: name, usage: usage))))
        }
        var logger = Logger(label: "switchyard.simulated-upstream")
        logger.logLevel = logLevel
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "simulated-upstream"),
                           logger: logger)
    }
}

/// Requests per model id, shared by the server's handlers.
final class SimulatedUpstreamCounts: Sendable {
    private let counts = Mutex<[String: Int]>([:])
    func add(_ model: String) { counts.withLock { $0[model, default: 0] += 1 } }
    var snapshot: [String: Int] { counts.withLock { $0 } }
}
