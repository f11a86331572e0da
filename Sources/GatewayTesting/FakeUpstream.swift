import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import SwitchyardTypes

/// A fake hosted LLM on a real socket, speaking OpenAI's chat API (`/v1/chat/completions`) and
/// Anthropic's Messages API (`/v1/messages`), scripted per request: answers of chosen text ("lies"),
/// error statuses, connection resets, malformed bodies, streams that stall or stop halfway, latency.
/// It counts and keeps every request it receives.
/// ```swift
/// let upstream = FakeUpstream()
/// upstream.enqueue(.status(503), .answer(text: "Paris"))
/// try await upstream.run { baseURL in ... }   // baseURL = "http://127.0.0.1:PORT/v1"
/// ```
public struct FakeUpstream: Sendable {
    let state: FakeUpstreamState

    /// A fake that answers every request with `fallback` unless a scripted behaviour is queued.
    public init(fallback: FakeUpstreamBehavior = .answer(text: "Hello from the fake upstream")) {
        state = FakeUpstreamState(fallback: fallback)
    }

    /// Queues behaviours for the next requests, in order; the fallback answers once they run out.
    public func enqueue(_ behaviors: FakeUpstreamBehavior...) { state.enqueue(behaviors) }
    /// Changes what requests get once the queue is empty.
    public func setFallback(_ behavior: FakeUpstreamBehavior) { state.setFallback(behavior) }
    /// Waits this long before answering each request.
    public func setLatency(_ latency: Duration) { state.setLatency(latency) }
    /// Waits this long between the chunks of a stream.
    public func setChunkDelay(_ delay: Duration) { state.setChunkDelay(delay) }
    /// Every request received so far, oldest first.
    public var receivedRequests: [FakeUpstreamRequest] { state.received }
    /// How many requests were received so far.
    public var requestCount: Int { state.received.count }
    /// Forgets received requests and queued behaviours.
    public func reset() { state.reset() }

    /// Runs the fake on 127.0.0.1 (a free port) while `body` runs; `body` gets the base URL (`http://127.0.0.1:PORT/v1`).
    public func run<Value: Sendable>(_ body: (String) async throws -> Value) async throws -> Value {
        try await withLiveServer(application()) { port in try await body("http://127.0.0.1:\(port)/v1") }
    }

    /// The fake as a Hummingbird application (for callers that run it themselves).
    public func application(logLevel: Logger.Level = .error) -> some ApplicationProtocol {
        let router = Router(context: FakeUpstreamContext.self)
        let state = self.state
        router.post("/v1/chat/completions") { request, context in
            try await FakeUpstreamResponder(state: state, dialect: .openAI).respond(to: request, channel: context.channel)
        }
        router.post("/v1/messages") { request, context in
            try await FakeUpstreamResponder(state: state, dialect: .anthropic).respond(to: request, channel: context.channel)
        }
        router.get("/v1/models") { _, _ in
            Response(status: .ok, headers: [.contentType: "application/json"],
                     body: .init(byteBuffer: ByteBuffer(string: #"{"object":"list","data":[{"id":"fake-model","object":"model","created":0,"owned_by":"fake"}]}"#)))
        }
        var logger = Logger(label: "switchyard.fake-upstream")
        logger.logLevel = logLevel
        return Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0), serverName: "fake-upstream"), logger: logger)
    }
}

/// The fake's request context: keeps the connection's channel so a behaviour can cut it.
public struct FakeUpstreamContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The connection the request came on.
    public let channel: any Channel
    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        channel = source.channel
    }
}
