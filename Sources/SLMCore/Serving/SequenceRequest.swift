/// One sequence to generate: the prompt's token ids and how to sample the answer.
public struct SequenceRequest: Sendable, Equatable {
    /// The prompt, already rendered through the chat template and tokenized.
    public var promptTokens: [Int32]
    /// Sampling, stop strings, answer length and how many top logprobs to report.
    public var sampling: SamplingParameters
    /// Whether each token event carries its logprob and top alternatives.
    public var reportsLogprobs: Bool
    /// Whether the model's end-of-turn token ends the answer (true), or is streamed like any other
    /// token while generation goes on to the token limit or a stop string (false: answers of a
    /// fixed length, as benchmarks need; llama.cpp's `ignore_eos`).
    public var stopsAtEndOfGeneration: Bool

    /// A request for `promptTokens` sampled with `sampling`.
    public init(promptTokens: [Int32], sampling: SamplingParameters = .greedy, reportsLogprobs: Bool = false,
                stopsAtEndOfGeneration: Bool = true) {
        self.promptTokens = promptTokens
        self.sampling = sampling
        self.reportsLogprobs = reportsLogprobs
        self.stopsAtEndOfGeneration = stopsAtEndOfGeneration
    }
}
