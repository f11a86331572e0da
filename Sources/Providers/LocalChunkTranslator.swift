import SLMCore
import SwitchyardTypes

/// Turns a local sequence's events into OpenAI stream chunks (`chat.completion.chunk`).
struct LocalChunkTranslator: Sendable {
    let id: String
    let created: Int
    let model: String
    let pricePerCPUSecond: Double
    let provider: String

    /// The first chunk: the assistant role with empty content.
    func roleChunk() -> ChatCompletionChunk {
        chunk([ChunkChoice(index: 0, delta: ChunkDelta(role: "assistant", content: ""))])
    }

    /// The chunk of one token, or nil when it adds neither text nor logprobs (held-back bytes).
    func tokenChunk(_ token: SequenceToken) -> ChatCompletionChunk? {
        let logprobs = LocalLogprobs.entry(token).flatMap { LocalLogprobs.content([$0]) }
        guard !token.text.isEmpty || logprobs != nil else { return nil }
        return chunk([ChunkChoice(index: 0, delta: ChunkDelta(content: token.text), logprobs: logprobs)])
    }

    /// The finish-reason chunk (with any text held back until the end) and the usage chunk, both
    /// carrying the answer's `switchyard` figures (a client that did not ask for usage sees the first only).
    func finalChunks(_ summary: SequenceSummary) -> [ChatCompletionChunk] {
        let figures = SwitchyardExtension(summary, pricePerCPUSecond: pricePerCPUSecond)
        let delta = summary.trailingText.isEmpty ? ChunkDelta() : ChunkDelta(content: summary.trailingText)
        var finish = chunk([ChunkChoice(index: 0, delta: delta, finishReason: LocalSLMProvider.finishReason(summary.finishReason))])
        finish.switchyard = figures
        var usage = chunk([])
        usage.usage = Usage(promptTokens: summary.promptTokens, completionTokens: summary.completionTokens)
        usage.switchyard = figures
        return [finish, usage]
    }

    private func chunk(_ choices: [ChunkChoice]) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model, choices: choices)
    }
}

/// Pulls scheduler events and hands out stream chunks one at a time, for `AsyncThrowingStream(unfolding:)`.
///
/// Dropping it drops the scheduler stream, which cancels the generation and frees its slot.
final class LocalEventSource: @unchecked Sendable {
    // Safe because `AsyncThrowingStream(unfolding:)` calls `next()` once at a time, never
    // concurrently, so the iterator and the pending items are only touched by one call.
    private var events: SequenceEventStream.AsyncIterator
    private let translator: LocalChunkTranslator
    private var pending: [ChatCompletionChunk] = []
    private var ended = false
    /// Whether the role chunk went out; it waits for the first event, so the stream's first chunk
    /// (and the time to first token measured on it) comes once the prompt has been read.
    private var sentRole = false

    init(_ events: SequenceEventStream.AsyncIterator, translator: LocalChunkTranslator) {
        self.events = events
        self.translator = translator
    }

    /// The next chunk, or nil after the usage chunk.
    func next() async throws -> ChatCompletionChunk? {
        while pending.isEmpty {
            guard !ended else { return nil }
            let event: SequenceEvent?
            do { event = try await events.next() } catch {
                ended = true
                throw LocalErrorMapping.providerError(error, provider: translator.provider)
            }
            if !sentRole, event != nil {
                sentRole = true
                pending.append(translator.roleChunk())
            }
            switch event {
            case .token(let token)?:
                if let chunk = translator.tokenChunk(token) { pending.append(chunk) }
            case .finished(let summary)?:
                pending.append(contentsOf: translator.finalChunks(summary))
                ended = true
            case nil:
                ended = true
                if Task.isCancelled { return nil }
                throw ProviderError.streamInterrupted(provider: translator.provider, detail: "the generation ended without a summary")
            }
        }
        return pending.removeFirst()
    }
}
