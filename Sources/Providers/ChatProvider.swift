import SwitchyardTypes

/// Something that answers OpenAI-shaped chat requests: a hosted API, or (later) a local model.
///
/// The gateway reaches every model through this protocol only, so a local SLM provider plugs in
/// beside the hosted ones without touching the server.
public protocol ChatProvider: Sendable {
    /// The provider kind as logged: `openai`, `anthropic`, `local`, `worker`.
    var kind: String { get }

    /// Answers a request in one piece.
    /// - Parameters:
    ///   - request: The client's request; the provider substitutes its own upstream model id.
    ///   - attempts: Told about every call made upstream (retries included), for `model_calls`.
    /// - Throws: ``ProviderError``.
    func complete(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatCompletionResponse

    /// Answers a request as a stream of chunks. Retries happen before the first chunk only.
    ///
    /// The stream always ends with a chunk carrying `usage` when the upstream reports it,
    /// whatever the client asked; the gateway drops it if the client did not ask.
    /// - Throws: ``ProviderError`` when the call fails before the stream starts; the stream itself
    ///   throws ``ProviderError`` when it breaks off.
    func stream(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatChunkStream
}

/// The chunks of a streaming answer, read lazily from the upstream connection.
public typealias ChatChunkStream = AsyncThrowingStream<ChatCompletionChunk, any Error>
