/// The answer to a non-streaming chat request (`object: "chat.completion"`).
public struct ChatCompletionResponse: Sendable, Equatable, Codable {
    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [ChatChoice]
    public var usage: Usage?
    public var systemFingerprint: String?
    /// Switchyard's figures for the answer (`switchyard`: confidence, CPU time, cost); nil for hosted answers.
    public var switchyard: SwitchyardExtension?

    public init(id: String, created: Int, model: String, choices: [ChatChoice], usage: Usage?, systemFingerprint: String? = nil,
                switchyard: SwitchyardExtension? = nil) {
        self.id = id; self.object = "chat.completion"; self.created = created; self.model = model
        self.choices = choices; self.usage = usage; self.systemFingerprint = systemFingerprint
        self.switchyard = switchyard
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage, switchyard
        case systemFingerprint = "system_fingerprint"
    }
}

/// One alternative answer of a chat completion.
public struct ChatChoice: Sendable, Equatable, Codable {
    public var index: Int
    public var message: ChatMessage
    /// `stop`, `length`, `tool_calls`, `content_filter`.
    public var finishReason: String?
    public var logprobs: JSONValue?

    public init(index: Int, message: ChatMessage, finishReason: String?, logprobs: JSONValue? = nil) {
        self.index = index; self.message = message; self.finishReason = finishReason; self.logprobs = logprobs
    }

    enum CodingKeys: String, CodingKey {
        case index, message, logprobs
        case finishReason = "finish_reason"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(message, forKey: .message)
        try container.encode(finishReason, forKey: .finishReason)
        try container.encodeIfPresent(logprobs, forKey: .logprobs)
    }
}
