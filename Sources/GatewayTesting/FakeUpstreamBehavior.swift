/// What the fake upstream does with one request.
public enum FakeUpstreamBehavior: Sendable, Equatable {
    /// Answers with this text (in the caller's API shape, streamed word by word when asked).
    /// `completionTokens` defaults to the number of words.
    case answer(text: String, promptTokens: Int = 11, completionTokens: Int? = nil)
    /// Answers this HTTP status with an error body in the API's shape.
    case status(Int, message: String = "fake upstream failure", retryAfter: String? = nil)
    /// Reads the request, then closes the connection at once without answering.
    case resetConnection
    /// Answers 200 with this body as-is (for a stream: one `data:` event with it).
    case malformed(String)
    /// Streams this many chunks of the answer, then goes silent (the connection stays open).
    case stall(afterChunks: Int, text: String = "one two three four five six")
    /// Streams this many chunks of the answer, then closes the connection without the end marker.
    case stopHalfway(afterChunks: Int, text: String = "one two three four five six")
}

/// One request the fake upstream received.
public struct FakeUpstreamRequest: Sendable, Equatable {
    /// `/v1/chat/completions` or `/v1/messages`.
    public var path: String
    /// The `authorization` header (OpenAI) or `x-api-key` (Anthropic).
    public var credential: String?
    /// The body as received.
    public var body: String
}
