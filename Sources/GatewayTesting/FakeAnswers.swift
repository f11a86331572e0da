import Foundation
import SwitchyardTypes

/// The bodies and stream events the fake upstream sends, in each API's shape.
enum FakeAnswers {
    static let created = 1_700_000_000

    static func openAICompletion(text: String, model: String, usage: Usage) -> String {
        encode(ChatCompletionResponse(id: "chatcmpl-fake", created: created, model: model,
                                      choices: [ChatChoice(index: 0, message: ChatMessage(role: "assistant", text: text), finishReason: "stop")],
                                      usage: usage))
    }

    static func openAIStream(words: [String], model: String, usage: Usage?) -> [String] {
        var events: [String] = []
        for (index, word) in words.enumerated() {
            let delta = ChunkDelta(role: index == 0 ? "assistant" : nil, content: word)
            events.append(sse(ChatCompletionChunk(id: "chatcmpl-fake", created: created, model: model, choices: [ChunkChoice(index: 0, delta: delta)])))
        }
        events.append(sse(ChatCompletionChunk(id: "chatcmpl-fake", created: created, model: model,
                                              choices: [ChunkChoice(index: 0, delta: ChunkDelta(), finishReason: "stop")])))
        if let usage {
            events.append(sse(ChatCompletionChunk(id: "chatcmpl-fake", created: created, model: model, choices: [], usage: usage)))
        }
        events.append("data: [DONE]\n\n")
        return events
    }

    static func openAIError(message: String, status: Int) -> String {
        let type = status == 429 ? "rate_limit_error" : (status >= 500 ? "server_error" : "invalid_request_error")
        return encode(OpenAIErrorBody(error: OpenAIError(message: message, type: type)))
    }

    static func anthropicMessage(text: String, model: String, usage: Usage) -> String {
        let body: JSONValue = .object([
            "id": .string("msg_fake"), "type": .string("message"), "role": .string("assistant"), "model": .string(model),
            "content": .array([.object(["type": .string("text"), "text": .string(text)])]),
            "stop_reason": .string("end_turn"),
            "usage": .object(["input_tokens": .number(Double(usage.promptTokens)), "output_tokens": .number(Double(usage.completionTokens))]),
        ])
        return encode(body)
    }

    static func anthropicStream(words: [String], model: String, usage: Usage) -> [String] {
        func event(_ name: String, _ body: JSONValue) -> String { "event: \(name)\ndata: \(encode(body))\n\n" }
        var events = [
            event("message_start", .object(["type": .string("message_start"), "message": .object([
                "id": .string("msg_fake"), "type": .string("message"), "role": .string("assistant"), "model": .string(model),
                "content": .array([]),
                "usage": .object(["input_tokens": .number(Double(usage.promptTokens)), "output_tokens": .number(1)]),
            ])])),
            event("content_block_start", .object(["type": .string("content_block_start"), "index": .number(0),
                                                  "content_block": .object(["type": .string("text"), "text": .string("")])])),
        ]
        for word in words {
            events.append(event("content_block_delta", .object([
                "type": .string("content_block_delta"), "index": .number(0),
                "delta": .object(["type": .string("text_delta"), "text": .string(word)]),
            ])))
        }
        events.append(event("content_block_stop", .object(["type": .string("content_block_stop"), "index": .number(0)])))
        events.append(event("message_delta", .object([
            "type": .string("message_delta"), "delta": .object(["stop_reason": .string("end_turn")]),
            "usage": .object(["output_tokens": .number(Double(usage.completionTokens))]),
        ])))
        events.append(event("message_stop", .object(["type": .string("message_stop")])))
        return events
    }

    static func anthropicError(message: String) -> String {
        encode(JSONValue.object(["type": .string("error"), "error": .object(["type": .string("api_error"), "message": .string(message)])]))
    }

    private static func sse(_ chunk: ChatCompletionChunk) -> String { "data: \(encode(chunk))\n\n" }

    private static func encode(_ value: some Encodable) -> String {
        (try? String(decoding: JSONEncoder().encode(value), as: UTF8.self)) ?? "{}"
    }
}
