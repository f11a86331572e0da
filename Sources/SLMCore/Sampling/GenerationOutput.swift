/// Why generation ended.
public enum FinishReason: String, Sendable, Equatable {
    /// The model emitted an end-of-generation token (OpenAI `stop`).
    case endOfGeneration
    /// A stop string appeared in the text (OpenAI `stop`).
    case stopSequence
    /// The token limit was reached (OpenAI `length`).
    case maxTokens
}

/// Turns sampled tokens into the answer text and decides when generation ends.
///
/// Combines streaming UTF-8 decoding, stop strings (matched across token boundaries) and the
/// token limit. An end-of-generation token ends the answer and adds no text.
///
/// ```swift
/// var output = GenerationOutput(tokenizer: tokenizer, parameters: parameters)
/// while true {
///     let token = sampler.sample(logits)
///     let step = output.append(token.id)
///     print(step.text, terminator: "")
///     if step.finishReason != nil { break }
/// }
/// ```
public struct GenerationOutput: Sendable {
    /// What one token added.
    public struct Step: Sendable, Equatable {
        /// Text to emit now (possibly empty while a character or a possible stop is held back).
        public var text: String
        /// Set when this token ended generation.
        public var finishReason: FinishReason?
    }

    private var decoder: StreamingDecoder
    private var matcher: StopSequenceMatcher
    private let maxTokens: Int?
    private let stopsAtEndOfGeneration: Bool
    /// Tokens appended so far, the end-of-generation token included.
    public private(set) var tokenCount = 0
    /// Why generation ended, once it has.
    public private(set) var finishReason: FinishReason?

    /// An output for `tokenizer` with the stop strings and token limit of `parameters`.
    public init(tokenizer: any Tokenizer, parameters: SamplingParameters) {
        self.init(tokenizer: tokenizer, stop: parameters.stop, maxTokens: parameters.maxTokens)
    }

    /// An output for `tokenizer` that stops at `stop` strings or after `maxTokens` tokens, and at
    /// an end-of-generation token unless `stopsAtEndOfGeneration` is false (then that token is
    /// decoded like any other).
    public init(tokenizer: any Tokenizer, stop: [String], maxTokens: Int?, stopsAtEndOfGeneration: Bool = true) {
        decoder = StreamingDecoder(tokenizer: tokenizer, renderSpecial: false)
        matcher = StopSequenceMatcher(stops: stop)
        self.maxTokens = maxTokens
        self.stopsAtEndOfGeneration = stopsAtEndOfGeneration
    }

    /// Adds the next sampled token; after a step with a finish reason, further tokens add nothing.
    public mutating func append(_ token: Int32) -> Step {
        guard finishReason == nil else { return Step(text: "", finishReason: finishReason) }
        tokenCount += 1
        if stopsAtEndOfGeneration, decoder.tokenizer.isEndOfGeneration(token) {
            return finish(.endOfGeneration, text: matcher.append(decoder.finish()).text)
        }
        let (text, stopped) = matcher.append(decoder.append(token))
        if stopped { return finish(.stopSequence, text: text) }
        if let maxTokens, tokenCount >= maxTokens {
            let (rest, stoppedInRest) = matcher.append(decoder.finish())
            return finish(stoppedInRest ? .stopSequence : .maxTokens, text: text + rest)
        }
        return Step(text: text, finishReason: nil)
    }

    private mutating func finish(_ reason: FinishReason, text: String) -> Step {
        finishReason = reason
        let held = reason == .stopSequence ? "" : matcher.finish()
        return Step(text: text + held, finishReason: reason)
    }
}
