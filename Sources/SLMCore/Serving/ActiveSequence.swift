/// A sequence holding a slot: how far its prompt has been read, its sampler, and the text and
/// confidence state of its answer. Owned by the scheduler's loop thread.
struct ActiveSequence {
    let id: UInt64
    let request: SequenceRequest
    let continuation: SequenceEventStream.Continuation
    let submittedAt: ContinuousClock.Instant
    let admittedAt: ContinuousClock.Instant

    /// Prompt tokens evaluated so far.
    var promptRead = 0
    /// The last sampled token, evaluated in the next decode step.
    var lastToken: Int32 = 0
    /// Answer tokens generated (end-of-turn excluded).
    var generated = 0
    var sampler: TokenSampler
    /// Streaming UTF-8 decoding, stop strings and the token limit.
    var output: GenerationOutput
    var confidence = ConfidenceAccumulator()
    var cpuSeconds = 0.0
    var firstTokenAt: ContinuousClock.Instant?

    /// A sequence for `pending` whose answer may fill what the context leaves after the prompt.
    /// - Throws: `SamplingError` for parameters out of range (checked at submission already).
    init(_ pending: PendingSequence, tokenizer: any Tokenizer, vocabularySize: Int, contextLength: Int) throws(SamplingError) {
        id = pending.id
        request = pending.request
        continuation = pending.continuation
        submittedAt = pending.submittedAt
        admittedAt = .now
        var parameters = pending.request.sampling
        if !pending.request.reportsLogprobs { parameters.topLogprobs = 0 }
        sampler = try TokenSampler(parameters: parameters, vocabularySize: vocabularySize)
        sampler.remember(pending.request.promptTokens)
        // The end-of-turn token may come after the last answer token, so the limit counts it.
        let room = contextLength - pending.request.promptTokens.count
        output = GenerationOutput(tokenizer: tokenizer, stop: parameters.stop, maxTokens: min(room, parameters.maxTokens ?? room),
                                  stopsAtEndOfGeneration: pending.request.stopsAtEndOfGeneration)
    }

    /// Whether the prompt still has tokens to read.
    var isReadingPrompt: Bool { promptRead < request.promptTokens.count }

    /// The summary sent when the sequence ends for `reason`.
    func summary(_ reason: FinishReason, trailingText: String) -> SequenceSummary {
        let now = ContinuousClock.Instant.now
        return SequenceSummary(
            finishReason: reason, promptTokens: request.promptTokens.count, completionTokens: generated,
            confidence: confidence.confidence, cpuSeconds: cpuSeconds, queueSeconds: (admittedAt - submittedAt).inSeconds,
            timeToFirstTokenSeconds: firstTokenAt.map { ($0 - submittedAt).inSeconds }, totalSeconds: (now - submittedAt).inSeconds,
            trailingText: trailingText)
    }
}

extension Duration {
    /// The duration in seconds.
    var inSeconds: Double {
        let (whole, fraction) = components
        return Double(whole) + Double(fraction) / 1e18
    }
}
