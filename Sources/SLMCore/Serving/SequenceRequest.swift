/// One sequence to generate: the prompt's token ids and how to sample the answer.
public struct SequenceRequest: Sendable, Equatable {
    /// The prompt, already rendered through the chat template and tokenized.
    public var promptTokens: [Int32]
    /// Sampling, stop strings, answer length and how many top logprobs to report.
    public var sampling: SamplingParameters
    /// Whether each token event carries its logprob and top alternatives.
    public var reportsLogprobs: Bool

    /// A request for `promptTokens` sampled with `sampling`.
    public init(promptTokens: [Int32], sampling: SamplingParameters = .greedy, reportsLogprobs: Bool = false) {
        self.promptTokens = promptTokens
        self.sampling = sampling
        self.reportsLogprobs = reportsLogprobs
    }
}
