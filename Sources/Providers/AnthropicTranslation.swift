import Foundation
import SwitchyardTypes

/// Translates between OpenAI-shaped chat and Anthropic's Messages API (pure functions).
enum AnthropicTranslation {
    /// The answer length Anthropic requires when the client gave none.
    static let defaultMaxTokens = 1024

    /// The Messages request for an OpenAI chat request: system and developer messages become
    /// `system`; tool results are sent as user text.
    static func messagesRequest(from request: ChatCompletionRequest, upstreamModel: String, stream: Bool) -> AnthropicMessagesRequest {
        var systemParts: [String] = []
        var messages: [AnthropicMessage] = []
        for message in request.messages {
            let text = message.content?.text ?? ""
            switch message.role {
            case "system", "developer": systemParts.append(text)
            case "assistant": messages.append(AnthropicMessage(role: "assistant", content: text))
            default: messages.append(AnthropicMessage(role: "user", content: text))
            }
        }
        return AnthropicMessagesRequest(
            model: upstreamModel, maxTokens: request.outputTokenLimit ?? defaultMaxTokens,
            system: systemParts.isEmpty ? nil : systemParts.joined(separator: "\n\n"), messages: messages,
            temperature: request.temperature.map { min($0, 1) }, topP: request.topP,
            stopSequences: request.stop?.values, stream: stream ? true : nil)
    }

    /// OpenAI's `finish_reason` for Anthropic's `stop_reason`.
    static func finishReason(_ stopReason: String?) -> String? {
        switch stopReason {
        case nil: return nil
        case "max_tokens": return "length"
        case "tool_use": return "tool_calls"
        default: return "stop"
        }
    }

    /// The OpenAI chat completion for a Messages answer.
    static func chatResponse(from answer: AnthropicMessagesResponse, created: Int) -> ChatCompletionResponse {
        let text = answer.content.compactMap { $0.type == "text" ? $0.text : nil }.joined()
        let usage = Usage(promptTokens: answer.usage.inputTokens ?? 0, completionTokens: answer.usage.outputTokens ?? 0)
        return ChatCompletionResponse(
            id: answer.id, created: created, model: answer.model,
            choices: [ChatChoice(index: 0, message: ChatMessage(role: "assistant", text: text), finishReason: finishReason(answer.stopReason))],
            usage: usage)
    }
}

/// Turns Messages API stream events into OpenAI chunks, remembering the id, model and token counts.
struct AnthropicStreamTranslator: Sendable {
    private var id = "msg"
    private var model = ""
    private var inputTokens = 0
    private var outputTokens = 0
    private let created: Int

    init(created: Int) { self.created = created }

    /// The chunks for one event, `.end` at `message_stop`.
    /// - Throws: ``ProviderError/streamInterrupted(provider:detail:)`` for an `error` event.
    mutating func translate(_ event: AnthropicStreamEvent) throws(ProviderError) -> SSEParseStep {
        switch event.type {
        case "message_start":
            if let message = event.message {
                id = message.id; model = message.model
                inputTokens = message.usage?.inputTokens ?? 0
                outputTokens = message.usage?.outputTokens ?? 0
            }
            return .chunks([chunk(ChunkDelta(role: "assistant", content: ""))])
        case "content_block_delta":
            guard let text = event.delta?.text, !text.isEmpty else { return .chunks([]) }
            return .chunks([chunk(ChunkDelta(content: text))])
        case "message_delta":
            if let tokens = event.usage?.outputTokens { outputTokens = tokens }
            return .chunks([chunk(ChunkDelta(), finishReason: AnthropicTranslation.finishReason(event.delta?.stopReason) ?? "stop")])
        case "message_stop":
            return .end
        case "error":
            throw .streamInterrupted(provider: "anthropic", detail: "the upstream sent an error event: \(event.error?.message.prefix(200) ?? "")")
        default:
            return .chunks([])
        }
    }

    /// The closing chunk with the token counts seen so far.
    func usageChunk() -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model, choices: [],
                            usage: Usage(promptTokens: inputTokens, completionTokens: outputTokens))
    }

    private func chunk(_ delta: ChunkDelta, finishReason: String? = nil) -> ChatCompletionChunk {
        ChatCompletionChunk(id: id, created: created, model: model, choices: [ChunkChoice(index: 0, delta: delta, finishReason: finishReason)])
    }
}
