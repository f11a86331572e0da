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

    /// The finish-reason chunk (with any text held back until the end) and the usage chunk.
    func finalChunks(_ summary: SequenceSummary) -> [LocalStreamItem] {
        let delta = summary.trailingText.isEmpty ? ChunkDelta() : ChunkDelta(content: summary.trailingText)
        let finish = chunk([ChunkChoice(index: 0, delta: delta, finishReason: LocalSLMProvider.finishReason(summary.finishReason))])
        var usage = chunk([])
        usage.usage = Usage(promptTokens: summary.promptTokens, completionTokens: summary.completionTokens)
        return [LocalStreamItem(chunk: finish, info: nil),
                LocalStreamItem(chunk: usage, info: LocalAnswerInfo(summary, pricePerCPUSecond: pricePerCPUSecond))]
    }

    private func chunk(_ choices: [ChunkChoice]) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model, choices: choices)
    }
}

/// Pulls scheduler events and hands out stream items one at a time, for `AsyncThrowingStream(unfolding:)`.
///
/// Dropping it drops the scheduler stream, which cancels the generation and frees its slot.
final class LocalEventSource: @unchecked Sendable {
    // Safe because `AsyncThrowingStream(unfolding:)` calls `next()` once at a time, never
    // concurrently, so the iterator and the pending items are only touched by one call.
    private var events: SequenceEventStream.AsyncIterator
    private let translator: LocalChunkTranslator
    private var pending: [LocalStreamItem]
    private var ended = false

    init(_ events: SequenceEventStream.AsyncIterator, translator: LocalChunkTranslator) {
        self.events = events
        self.translator = translator
        pending = [LocalStreamItem(chunk: translator.roleChunk(), info: nil)]
    }

    /// The next item, or nil after the usage chunk.
    func next() async throws -> LocalStreamItem? {
        while pending.isEmpty {
            guard !ended else { return nil }
            let event: SequenceEvent?
            do { event = try await events.next() } catch {
                ended = true
                throw LocalErrorMapping.providerError(error, provider: translator.provider)
            }
            switch event {
            case .token(let token)?:
                if let chunk = translator.tokenChunk(token) { pending.append(LocalStreamItem(chunk: chunk, info: nil)) }
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

/// Hands out the chunks of a local stream one at a time, for `AsyncThrowingStream(unfolding:)`.
final class LocalStreamSource: @unchecked Sendable {
    // Safe because `AsyncThrowingStream(unfolding:)` calls `next()` once at a time.
    private var items: AsyncThrowingStream<LocalStreamItem, any Error>.AsyncIterator

    init(_ items: AsyncThrowingStream<LocalStreamItem, any Error>.AsyncIterator) {
        self.items = items
    }

    func next() async throws -> LocalStreamItem? { try await items.next() }
}
