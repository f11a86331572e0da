/// Why a decoded chat request cannot be served, naming the offending field as OpenAI's `param`.
public struct InvalidFieldError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The field, in OpenAI's notation (`messages[2].role`, `temperature`).
    public var param: String
    /// What is wrong with it.
    public var reason: String
    public init(param: String, reason: String) { self.param = param; self.reason = reason }
    public var description: String { "Invalid value for '\(param)': \(reason)" }
}

extension ChatCompletionRequest {
    /// Checks the fields' ranges and shapes the way OpenAI's API does.
    /// - Throws: ``InvalidFieldError`` naming the first offending field.
    public func validate() throws(InvalidFieldError) {
        if model.isEmpty { throw InvalidFieldError(param: "model", reason: "must not be empty.") }
        if messages.isEmpty { throw InvalidFieldError(param: "messages", reason: "must hold at least one message.") }
        for (index, message) in messages.enumerated() {
            if !ChatMessage.knownRoles.contains(message.role) {
                throw InvalidFieldError(
                    param: "messages[\(index)].role",
                    reason: "must be one of system, developer, user, assistant, tool.")
            }
            if message.content == nil, message.role != "assistant" {
                throw InvalidFieldError(param: "messages[\(index)].content", reason: "is required for role '\(message.role)'.")
            }
        }
        try Self.check(temperature, in: 0...2, param: "temperature")
        try Self.check(topP, in: 0...1, param: "top_p")
        try Self.check(presencePenalty, in: -2...2, param: "presence_penalty")
        try Self.check(frequencyPenalty, in: -2...2, param: "frequency_penalty")
        if let maxTokens, maxTokens < 1 { throw InvalidFieldError(param: "max_tokens", reason: "must be at least 1.") }
        if let maxCompletionTokens, maxCompletionTokens < 1 {
            throw InvalidFieldError(param: "max_completion_tokens", reason: "must be at least 1.")
        }
        if let n, !(1...128).contains(n) { throw InvalidFieldError(param: "n", reason: "must be between 1 and 128.") }
        if let stop, stop.values.count > 4 { throw InvalidFieldError(param: "stop", reason: "must hold at most 4 sequences.") }
        if streamOptions != nil, !isStreaming {
            throw InvalidFieldError(param: "stream_options", reason: "is only allowed when 'stream' is true.")
        }
    }

    private static func check(_ value: Double?, in range: ClosedRange<Double>, param: String) throws(InvalidFieldError) {
        guard let value else { return }
        if !value.isFinite || !range.contains(value) {
            throw InvalidFieldError(param: param, reason: "must be between \(range.lowerBound) and \(range.upperBound).")
        }
    }
}
