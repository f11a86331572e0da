/// What a generation stream yields: one event per answer token, then one summary.
public enum SequenceEvent: Sendable, Equatable {
    /// A token was generated.
    case token(SequenceToken)
    /// The answer is over; nothing follows.
    case finished(SequenceSummary)
}

/// One generated token and the text it completes.
public struct SequenceToken: Sendable, Equatable {
    /// The text this token adds: whole UTF-8 characters only, possibly empty (a partial character
    /// or a possible start of a stop string is held back until it is decided).
    public var text: String
    /// The token id.
    public var id: Int32
    /// The token's bytes (a multi-byte character may be split between tokens).
    public var bytes: [UInt8]
    /// Its log-probability under the model's raw distribution, when logprobs were asked for.
    public var logprob: Float?
    /// The most likely alternatives, most likely first (`top_logprobs` of them), when asked for.
    public var topLogprobs: [TokenAlternative]

    /// A generated token.
    public init(text: String, id: Int32, bytes: [UInt8], logprob: Float?, topLogprobs: [TokenAlternative]) {
        self.text = text; self.id = id; self.bytes = bytes; self.logprob = logprob; self.topLogprobs = topLogprobs
    }
}

/// One alternative token at a step, with its bytes and log-probability.
public struct TokenAlternative: Sendable, Equatable {
    /// The token id.
    public var id: Int32
    /// The token's bytes.
    public var bytes: [UInt8]
    /// Its log-probability under the raw distribution.
    public var logprob: Float

    /// An alternative token.
    public init(id: Int32, bytes: [UInt8], logprob: Float) {
        self.id = id; self.bytes = bytes; self.logprob = logprob
    }
}

/// The end of one generation: why it ended, its token counts, confidence, cost and timings.
public struct SequenceSummary: Sendable, Equatable {
    /// Why it ended: end of turn, a stop string, or the token limit (`maxTokens` or the context's room).
    public var finishReason: FinishReason
    /// Tokens of the prompt.
    public var promptTokens: Int
    /// Tokens of the answer (an end-of-turn token is not counted).
    public var completionTokens: Int
    /// Mean/min token logprob and mean entropy of the answer, nil when no token was sampled.
    public var confidence: AnswerConfidence?
    /// Process CPU time spent on this sequence's forward passes and sampling, in seconds: each
    /// step's CPU time shared among its sequences by the tokens each evaluated.
    public var cpuSeconds: Double
    /// Wall time from submission until a slot took the sequence.
    public var queueSeconds: Double
    /// Wall time from submission until the first answer token.
    public var timeToFirstTokenSeconds: Double?
    /// Wall time from submission until the end.
    public var totalSeconds: Double
    /// Answer text still held back when the answer ended (an unfinished character as U+FFFD, or
    /// the start of a stop string that never completed); it follows the last token's text.
    public var trailingText: String

    /// A summary with every figure given.
    public init(finishReason: FinishReason, promptTokens: Int, completionTokens: Int, confidence: AnswerConfidence?,
                cpuSeconds: Double, queueSeconds: Double, timeToFirstTokenSeconds: Double?, totalSeconds: Double,
                trailingText: String = "") {
        self.finishReason = finishReason; self.promptTokens = promptTokens; self.completionTokens = completionTokens
        self.confidence = confidence; self.cpuSeconds = cpuSeconds; self.queueSeconds = queueSeconds
        self.timeToFirstTokenSeconds = timeToFirstTokenSeconds; self.totalSeconds = totalSeconds
        self.trailingText = trailingText
    }
}
