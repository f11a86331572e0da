/// One server-sent event of a streaming chat answer (`object: "chat.completion.chunk"`).
public struct ChatCompletionChunk: Sendable, Equatable, Codable {
    public var id: String
    public var object: String
    public var created: Int
    public var model: String
    public var choices: [ChunkChoice]
    /// Present on the last chunk only, when the client asked for `stream_options.include_usage`.
    public var usage: Usage?
    public var systemFingerprint: String?
    /// Switchyard's figures for the answer (`switchyard`: confidence, CPU time, cost); nil for hosted answers.
    public var switchyard: SwitchyardExtension?

    public init(id: String, created: Int, model: String, choices: [ChunkChoice], usage: Usage? = nil, systemFingerprint: String? = nil,
                switchyard: SwitchyardExtension? = nil) {
        self.id = id; self.object = "chat.completion.chunk"; self.created = created; self.model = model
        self.choices = choices; self.usage = usage; self.systemFingerprint = systemFingerprint
        self.switchyard = switchyard
    }

    enum CodingKeys: String, CodingKey {
        case id, object, created, model, choices, usage, switchyard
        case systemFingerprint = "system_fingerprint"
    }
}

/// The part of one choice carried by a chunk.
public struct ChunkChoice: Sendable, Equatable, Codable {
    public var index: Int
    public var delta: ChunkDelta
    public var finishReason: String?
    public var logprobs: JSONValue?

    public init(index: Int, delta: ChunkDelta, finishReason: String? = nil, logprobs: JSONValue? = nil) {
        self.index = index; self.delta = delta; self.finishReason = finishReason; self.logprobs = logprobs
    }

    enum CodingKeys: String, CodingKey {
        case index, delta, logprobs
        case finishReason = "finish_reason"
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(index, forKey: .index)
        try container.encode(delta, forKey: .delta)
        try container.encode(finishReason, forKey: .finishReason)
        try container.encodeIfPresent(logprobs, forKey: .logprobs)
    }
}

/// New text (and the role, on the first chunk) of one choice.
public struct ChunkDelta: Sendable, Equatable, Codable {
    public var role: String?
    public var content: String?
    public var toolCalls: JSONValue?

    public init(role: String? = nil, content: String? = nil, toolCalls: JSONValue? = nil) {
        self.role = role; self.content = content; self.toolCalls = toolCalls
    }

    enum CodingKeys: String, CodingKey {
        case role, content
        case toolCalls = "tool_calls"
    }
}
