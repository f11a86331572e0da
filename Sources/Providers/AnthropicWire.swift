import SwitchyardTypes

/// The body of Anthropic's `POST /v1/messages`.
struct AnthropicMessagesRequest: Sendable, Equatable, Codable {
    var model: String
    var maxTokens: Int
    var system: String?
    var messages: [AnthropicMessage]
    var temperature: Double?
    var topP: Double?
    var stopSequences: [String]?
    var stream: Bool?

    enum CodingKeys: String, CodingKey {
        case model, system, messages, temperature, stream
        case maxTokens = "max_tokens"
        case topP = "top_p"
        case stopSequences = "stop_sequences"
    }
}

/// One message of the Messages API (`user` or `assistant`, text only here).
struct AnthropicMessage: Sendable, Equatable, Codable {
    var role: String
    var content: String
}

/// A non-streaming Messages API answer.
struct AnthropicMessagesResponse: Sendable, Equatable, Codable {
    var id: String
    var model: String
    var content: [AnthropicContentBlock]
    var stopReason: String?
    var usage: AnthropicUsage

    enum CodingKeys: String, CodingKey {
        case id, model, content, usage
        case stopReason = "stop_reason"
    }
}

/// A block of an answer; only `text` blocks carry text.
struct AnthropicContentBlock: Sendable, Equatable, Codable {
    var type: String
    var text: String?
}

/// Token counts as Anthropic reports them.
struct AnthropicUsage: Sendable, Equatable, Codable {
    var inputTokens: Int?
    var outputTokens: Int?
    enum CodingKeys: String, CodingKey {
        case inputTokens = "input_tokens"
        case outputTokens = "output_tokens"
    }
}

/// Anthropic's error body: `{"type":"error","error":{"type","message"}}`.
struct AnthropicErrorBody: Sendable, Equatable, Codable {
    struct Detail: Sendable, Equatable, Codable { var type: String; var message: String }
    var error: Detail
}

/// One event of a Messages API stream; only the members the translation needs.
struct AnthropicStreamEvent: Sendable, Equatable, Codable {
    struct Message: Sendable, Equatable, Codable { var id: String; var model: String; var usage: AnthropicUsage? }
    struct Delta: Sendable, Equatable, Codable {
        var type: String?
        var text: String?
        var stopReason: String?
        enum CodingKeys: String, CodingKey {
            case type, text
            case stopReason = "stop_reason"
        }
    }
    var type: String
    var message: Message?
    var delta: Delta?
    var usage: AnthropicUsage?
    var error: AnthropicErrorBody.Detail?
}
