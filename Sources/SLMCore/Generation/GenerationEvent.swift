/// One generated token and the text it released.
public struct GeneratedToken: Sendable, Equatable {
    /// Text to show now (empty while a multi-byte character or a possible stop string is held back).
    public var text: String
    /// The token with its log-probability and the entropy of its step.
    public var token: SampledToken
    /// The most likely alternatives at this step (as many as `SamplingParameters.topLogprobs`).
    public var topLogprobs: [TokenLogprob]
}

/// What a finished generation reports.
public struct GenerationSummary: Sendable, Equatable {
    /// Tokens of the rendered prompt.
    public var promptTokens: Int
    /// Tokens generated (the end-of-generation token included).
    public var completionTokens: Int
    /// Why generation ended.
    public var finishReason: FinishReason
    /// Mean and minimum token log-probability and mean entropy of the answer.
    public var confidence: AnswerConfidence?
    /// Seconds spent evaluating the prompt.
    public var prefillSeconds: Double
    /// Seconds spent generating tokens after the prompt.
    public var decodeSeconds: Double

    /// Generated tokens per second of decoding.
    public var tokensPerSecond: Double { decodeSeconds > 0 ? Double(completionTokens) / decodeSeconds : 0 }
}

/// An event of a streamed generation.
public enum GenerationEvent: Sendable, Equatable {
    /// A token was generated.
    case token(GeneratedToken)
    /// Generation ended; this is the last event.
    case finished(GenerationSummary)
}
