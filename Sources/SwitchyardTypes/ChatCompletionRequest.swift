/// The body of `POST /v1/chat/completions`.
///
/// Fields the gateway reads are typed; every other member is kept in ``extra`` and sent on to
/// hosted providers unchanged, so tools, response formats and newer options keep working.
public struct ChatCompletionRequest: Sendable, Equatable, Codable {
    public var model: String
    public var messages: [ChatMessage]
    public var stream: Bool?
    public var streamOptions: StreamOptions?
    public var temperature: Double?
    public var topP: Double?
    public var maxTokens: Int?
    public var maxCompletionTokens: Int?
    public var n: Int?
    public var stop: StopSequences?
    public var seed: Int?
    public var presencePenalty: Double?
    public var frequencyPenalty: Double?
    public var user: String?
    /// Members this type does not name, passed through as they came.
    public var extra: [String: JSONValue]

    public init(
        model: String, messages: [ChatMessage], stream: Bool? = nil, streamOptions: StreamOptions? = nil,
        temperature: Double? = nil, topP: Double? = nil, maxTokens: Int? = nil, maxCompletionTokens: Int? = nil,
        n: Int? = nil, stop: StopSequences? = nil, seed: Int? = nil, presencePenalty: Double? = nil,
        frequencyPenalty: Double? = nil, user: String? = nil, extra: [String: JSONValue] = [:]
    ) {
        self.model = model; self.messages = messages; self.stream = stream; self.streamOptions = streamOptions
        self.temperature = temperature; self.topP = topP; self.maxTokens = maxTokens
        self.maxCompletionTokens = maxCompletionTokens; self.n = n; self.stop = stop; self.seed = seed
        self.presencePenalty = presencePenalty; self.frequencyPenalty = frequencyPenalty; self.user = user
        self.extra = extra
    }

    /// Whether the client asked for server-sent events.
    public var isStreaming: Bool { stream ?? false }

    /// The answer length limit the client asked for, whichever field it used.
    public var outputTokenLimit: Int? { maxCompletionTokens ?? maxTokens }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case model, messages, stream, temperature, n, stop, seed, user
        case streamOptions = "stream_options"
        case topP = "top_p"
        case maxTokens = "max_tokens"
        case maxCompletionTokens = "max_completion_tokens"
        case presencePenalty = "presence_penalty"
        case frequencyPenalty = "frequency_penalty"
    }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        model = try container.decode(String.self, forKey: .model)
        messages = try container.decode([ChatMessage].self, forKey: .messages)
        stream = try container.decodeIfPresent(Bool.self, forKey: .stream)
        streamOptions = try container.decodeIfPresent(StreamOptions.self, forKey: .streamOptions)
        temperature = try container.decodeIfPresent(Double.self, forKey: .temperature)
        topP = try container.decodeIfPresent(Double.self, forKey: .topP)
        maxTokens = try container.decodeIfPresent(Int.self, forKey: .maxTokens)
        maxCompletionTokens = try container.decodeIfPresent(Int.self, forKey: .maxCompletionTokens)
        n = try container.decodeIfPresent(Int.self, forKey: .n)
        stop = try container.decodeIfPresent(StopSequences.self, forKey: .stop)
        seed = try container.decodeIfPresent(Int.self, forKey: .seed)
        presencePenalty = try container.decodeIfPresent(Double.self, forKey: .presencePenalty)
        frequencyPenalty = try container.decodeIfPresent(Double.self, forKey: .frequencyPenalty)
        user = try container.decodeIfPresent(String.self, forKey: .user)

        let known = Set(CodingKeys.allCases.map(\.stringValue))
        let all = try decoder.container(keyedBy: AnyCodingKey.self)
        var extra: [String: JSONValue] = [:]
        for key in all.allKeys where !known.contains(key.stringValue) {
            extra[key.stringValue] = try all.decode(JSONValue.self, forKey: key)
        }
        self.extra = extra
    }

    public func encode(to encoder: any Encoder) throws {
        var others = encoder.container(keyedBy: AnyCodingKey.self)
        for (key, value) in extra { try others.encode(value, forKey: AnyCodingKey(key)) }
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(model, forKey: .model)
        try container.encode(messages, forKey: .messages)
        try container.encodeIfPresent(stream, forKey: .stream)
        try container.encodeIfPresent(streamOptions, forKey: .streamOptions)
        try container.encodeIfPresent(temperature, forKey: .temperature)
        try container.encodeIfPresent(topP, forKey: .topP)
        try container.encodeIfPresent(maxTokens, forKey: .maxTokens)
        try container.encodeIfPresent(maxCompletionTokens, forKey: .maxCompletionTokens)
        try container.encodeIfPresent(n, forKey: .n)
        try container.encodeIfPresent(stop, forKey: .stop)
        try container.encodeIfPresent(seed, forKey: .seed)
        try container.encodeIfPresent(presencePenalty, forKey: .presencePenalty)
        try container.encodeIfPresent(frequencyPenalty, forKey: .frequencyPenalty)
        try container.encodeIfPresent(user, forKey: .user)
    }
}

/// `stream_options` of a streaming request.
public struct StreamOptions: Sendable, Equatable, Codable {
    /// Whether a last chunk with `usage` (and no choices) ends the stream.
    public var includeUsage: Bool?
    public init(includeUsage: Bool?) { self.includeUsage = includeUsage }
    enum CodingKeys: String, CodingKey { case includeUsage = "include_usage" }
}

/// `stop`: one string or a list of up to four.
public enum StopSequences: Sendable, Equatable, Codable {
    case one(String)
    case many([String])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let one = try? container.decode(String.self) {
            self = .one(one)
        } else {
            self = .many(try container.decode([String].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .one(let value): try container.encode(value)
        case .many(let values): try container.encode(values)
        }
    }

    /// The sequences as a list.
    public var values: [String] {
        switch self {
        case .one(let value): return [value]
        case .many(let values): return values
        }
    }
}
