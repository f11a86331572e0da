import Foundation
import SLMCore
import SwitchyardTypes

/// A model run in-process by the inference core (`kind: local`): chat messages go through the
/// GGUF's chat template to the model's scheduler; answers come back as OpenAI chat completions,
/// streamed token by token, with their confidence and CPU-time cost.
///
/// Honours `max_tokens` / `max_completion_tokens`, `temperature`, `top_p`, `seed`, `stop`,
/// `logprobs` / `top_logprobs` and `stream`. A full queue answers 429 with `Retry-After`; a prompt
/// longer than the context answers 400 naming the limit.
/// ```swift
/// let provider = LocalSLMProvider(runtime: runtime, modelName: "smollm2", pricePerCPUSecond: 0.00001)
/// let answer = try await provider.complete(request, attempts: ProviderAttemptLog())
/// ```
public struct LocalSLMProvider: ChatProvider {
    public let kind = "local"
    /// The loaded model and its scheduler.
    public let runtime: LocalModelRuntime
    /// The model name answers carry.
    public let modelName: String
    /// USD per CPU-second of generation, so local answers are never free.
    public let pricePerCPUSecond: Double

    /// A provider for `runtime`, answering as `modelName`.
    public init(runtime: LocalModelRuntime, modelName: String, pricePerCPUSecond: Double) {
        self.runtime = runtime; self.modelName = modelName; self.pricePerCPUSecond = pricePerCPUSecond
    }

    public func complete(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatCompletionResponse {
        try await answer(request, attempts: attempts).response
    }

    /// Answers as a stream of chunks: the role first, one chunk per token with text or logprobs,
    /// a chunk with the finish reason, and a last chunk with `usage` (no choices); the last two
    /// carry the answer's confidence and cost as their `switchyard` member.
    /// - Throws: ``ProviderError`` when the request is refused; the stream throws it when the
    ///   generation fails. Dropping the stream cancels the generation and frees its slot.
    public func stream(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> ChatChunkStream {
        let started = Date()
        let events = try submit(request, attempts: attempts, started: started)
        attempts.append(ProviderAttempt(startedAt: started, latencyMS: 0, status: 200, errorCode: nil))
        let translator = LocalChunkTranslator(id: Self.newID(), created: Int(started.timeIntervalSince1970), model: modelName,
                                              pricePerCPUSecond: pricePerCPUSecond, provider: kind)
        let source = LocalEventSource(events.makeAsyncIterator(), translator: translator)
        return ChatChunkStream(unfolding: { try await source.next() })
    }

    // MARK: With the answer's confidence and cost

    /// Answers in one piece, with the answer's confidence and CPU-time cost (also the response's `switchyard` member).
    /// - Throws: ``ProviderError`` (`upstreamStatus` 429 when overloaded, 400 for a bad request).
    public func answer(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws -> (response: ChatCompletionResponse, info: LocalAnswerInfo) {
        let started = Date(), clock = ContinuousClock.now
        let events = try submit(request, attempts: attempts, started: started)
        var text = "", logprobs: [JSONValue] = []
        var summary: SequenceSummary?
        do {
            for try await event in events {
                switch event {
                case .token(let token):
                    text += token.text
                    if let entry = LocalLogprobs.entry(token) { logprobs.append(entry) }
                case .finished(let finished):
                    text += finished.trailingText
                    summary = finished
                }
            }
        } catch {
            throw LocalErrorMapping.providerError(error, provider: kind)
        }
        guard let summary else {
            throw ProviderError.streamInterrupted(provider: kind, detail: "the generation ended without a summary")
        }
        attempts.append(ProviderAttempt(startedAt: started, latencyMS: (ContinuousClock.now - clock).milliseconds, status: 200, errorCode: nil))
        let info = LocalAnswerInfo(summary, pricePerCPUSecond: pricePerCPUSecond)
        let response = ChatCompletionResponse(
            id: Self.newID(), created: Int(started.timeIntervalSince1970), model: modelName,
            choices: [ChatChoice(index: 0, message: SwitchyardTypes.ChatMessage(role: "assistant", text: text),
                                 finishReason: Self.finishReason(summary.finishReason), logprobs: LocalLogprobs.content(logprobs))],
            usage: Usage(promptTokens: summary.promptTokens, completionTokens: summary.completionTokens), switchyard: info)
        return (response, info)
    }

    // MARK: Helpers

    private func submit(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog, started: Date) throws(ProviderError) -> SequenceEventStream {
        do throws(ProviderError) {
            let messages = try LocalRequestTranslation.messages(of: request, provider: kind)
            let sampling = try LocalRequestTranslation.sampling(of: request, provider: kind)
            let (logprobs, _) = try LocalRequestTranslation.logprobs(of: request, provider: kind)
            let prompt = runtime.promptTokens(messages)
            return try schedule(SequenceRequest(promptTokens: prompt, sampling: sampling, reportsLogprobs: logprobs))
        } catch {
            var status: Int?
            if case let .upstreamStatus(_, code, _, _) = error { status = code }
            attempts.append(ProviderAttempt(startedAt: started, latencyMS: 0, status: status, errorCode: error.code))
            throw error
        }
    }

    private func schedule(_ sequence: SequenceRequest) throws(ProviderError) -> SequenceEventStream {
        do {
            return try runtime.scheduler.submit(sequence)
        } catch {
            throw LocalErrorMapping.providerError(error, provider: kind)
        }
    }

    static func newID() -> String { "chatcmpl-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased() }

    /// OpenAI's finish reason: `stop` for end of turn or a stop string, `length` for the token limit.
    static func finishReason(_ reason: FinishReason) -> String {
        switch reason {
        case .endOfGeneration, .stopSequence: "stop"
        case .maxTokens: "length"
        }
    }
}

extension Duration {
    /// The duration in milliseconds.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }
}
