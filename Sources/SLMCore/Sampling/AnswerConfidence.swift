/// How confident the model was over a whole answer: the signals cascades accept or escalate on.
public struct AnswerConfidence: Sendable, Equatable {
    /// Number of tokens the figures cover.
    public var tokenCount: Int
    /// Mean log-probability of the chosen tokens (closer to 0 is more confident).
    public var meanLogprob: Float
    /// The lowest log-probability of any chosen token (the least sure step).
    public var minLogprob: Float
    /// Mean entropy, in nats, of the distributions the tokens were drawn from.
    public var meanEntropy: Float

    /// The figures as given.
    public init(tokenCount: Int, meanLogprob: Float, minLogprob: Float, meanEntropy: Float) {
        self.tokenCount = tokenCount
        self.meanLogprob = meanLogprob
        self.minLogprob = minLogprob
        self.meanEntropy = meanEntropy
    }
}

/// Accumulates per-token signals into an `AnswerConfidence`, in constant space.
public struct ConfidenceAccumulator: Sendable {
    private var count = 0
    private var logprobSum: Double = 0
    private var entropySum: Double = 0
    private var minimum = Float.infinity

    /// An accumulator that has seen no token.
    public init() {}

    /// Counts one sampled token (the end-of-generation token too: how sure the model was to stop).
    public mutating func add(_ token: SampledToken) {
        count += 1
        logprobSum += Double(token.logprob)
        entropySum += Double(token.entropy)
        minimum = min(minimum, token.logprob)
    }

    /// The figures so far, or nil before the first token.
    public var confidence: AnswerConfidence? {
        guard count > 0 else { return nil }
        return AnswerConfidence(
            tokenCount: count, meanLogprob: Float(logprobSum / Double(count)), minLogprob: minimum,
            meanEntropy: Float(entropySum / Double(count)))
    }
}
