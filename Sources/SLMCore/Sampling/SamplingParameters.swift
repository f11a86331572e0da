/// How the next token is chosen from the logits, and when generation stops.
///
/// The defaults sample from the model's own distribution with nothing filtered; `greedy` takes
/// the most likely token every time.
public struct SamplingParameters: Sendable, Equatable {
    /// Softmax temperature; 0 means greedy (the argmax, first index on ties).
    public var temperature: Float = 1
    /// Keep only the `topK` most likely tokens; 0 keeps all.
    public var topK: Int = 0
    /// Keep the smallest set of most likely tokens whose probability reaches `topP`; 1 keeps all.
    public var topP: Float = 1
    /// Keep tokens at least `minP` times as likely as the most likely one; 0 keeps all.
    public var minP: Float = 0
    /// Divide positive (multiply negative) logits of recently seen tokens by this; 1 is off.
    public var repetitionPenalty: Float = 1
    /// How many of the most recent tokens (prompt included) the repetition penalty looks at.
    public var repetitionWindow: Int = 64
    /// Seed of the random draws: the same seed and logits give the same tokens. Nil: a random seed.
    public var seed: UInt64?
    /// How many of the most likely alternatives to report with each token (OpenAI `top_logprobs`, 0–20).
    public var topLogprobs: Int = 0
    /// Strings that end generation; the text before the stop is returned, the stop itself is not.
    public var stop: [String] = []
    /// The most tokens to generate; nil is unlimited (up to the context window).
    public var maxTokens: Int?

    /// Sampling from the unfiltered distribution at temperature 1.
    public init() {}

    /// Always the most likely token.
    public static var greedy: SamplingParameters {
        var parameters = SamplingParameters()
        parameters.temperature = 0
        return parameters
    }

    /// Checks every value's range.
    /// - Throws: `SamplingError.invalidParameter` naming the first parameter out of range.
    public func validate() throws(SamplingError) {
        func fail(_ name: String, _ value: Any, _ reason: String) -> SamplingError {
            .invalidParameter(name: name, value: "\(value)", reason: reason)
        }
        guard temperature.isFinite, temperature >= 0 else { throw fail("temperature", temperature, "must be a finite number ≥ 0") }
        guard topK >= 0 else { throw fail("top_k", topK, "must be ≥ 0") }
        guard topP > 0, topP <= 1 else { throw fail("top_p", topP, "must be in (0, 1]") }
        guard minP >= 0, minP <= 1 else { throw fail("min_p", minP, "must be in [0, 1]") }
        guard repetitionPenalty.isFinite, repetitionPenalty > 0 else {
            throw fail("repetition_penalty", repetitionPenalty, "must be a finite number > 0")
        }
        guard repetitionWindow >= 0 else { throw fail("repetition_window", repetitionWindow, "must be ≥ 0") }
        guard (0...20).contains(topLogprobs) else { throw fail("top_logprobs", topLogprobs, "must be in 0...20") }
        if let maxTokens, maxTokens < 1 { throw fail("max_tokens", maxTokens, "must be ≥ 1") }
        if stop.contains(where: \.isEmpty) { throw fail("stop", "\"\"", "stop strings must not be empty") }
    }
}
