/// A token id with its log-probability (OpenAI `logprobs` entry).
public struct TokenLogprob: Sendable, Equatable {
    /// The token.
    public var id: Int32
    /// Natural log of its probability under the model's raw distribution.
    public var logprob: Float

    /// A token and its log-probability.
    public init(id: Int32, logprob: Float) {
        self.id = id
        self.logprob = logprob
    }
}

/// The token a sampler chose, with the signals that judge how sure the model was.
///
/// Log-probabilities and entropy are those of the model's raw distribution (log-softmax of the
/// logits before repetition penalty, temperature or filtering), as OpenAI reports `logprobs`.
public struct SampledToken: Sendable, Equatable {
    /// The chosen token.
    public var id: Int32
    /// Its log-probability under the raw distribution.
    public var logprob: Float
    /// Entropy (in nats) of the raw distribution at this step.
    public var entropy: Float

    /// A sampled token with its signals.
    public init(id: Int32, logprob: Float, entropy: Float) {
        self.id = id
        self.logprob = logprob
        self.entropy = entropy
    }
}
