/// The body of every error answer: `{"error": {"message", "type", "param", "code"}}`.
public struct OpenAIErrorBody: Sendable, Equatable, Codable {
    public var error: OpenAIError
    public init(error: OpenAIError) { self.error = error }
}

/// What went wrong, in OpenAI's shape; `param` and `code` are written as `null` when absent.
public struct OpenAIError: Sendable, Equatable, Codable {
    public var message: String
    /// `invalid_request_error`, `authentication_error`, `rate_limit_error`, `api_error`...
    public var type: String
    public var param: String?
    public var code: String?

    public init(message: String, type: String, param: String? = nil, code: String? = nil) {
        self.message = message; self.type = type; self.param = param; self.code = code
    }

    enum CodingKeys: String, CodingKey { case message, type, param, code }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        message = try container.decodeIfPresent(String.self, forKey: .message) ?? ""
        type = try container.decodeIfPresent(String.self, forKey: .type) ?? "api_error"
        param = try? container.decodeIfPresent(String.self, forKey: .param)
        code = try? container.decodeIfPresent(String.self, forKey: .code)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(message, forKey: .message)
        try container.encode(type, forKey: .type)
        try container.encode(param, forKey: .param)
        try container.encode(code, forKey: .code)
    }
}
