/// One message of a chat conversation (`messages[i]` of a request, `choices[i].message` of an answer).
public struct ChatMessage: Sendable, Equatable, Codable {
    /// `system`, `developer`, `user`, `assistant` or `tool`.
    public var role: String
    /// The text, or the list of content parts; nil for an assistant message that only calls tools.
    public var content: MessageContent?
    public var name: String?
    /// Tool calls of an assistant message, passed through untouched.
    public var toolCalls: JSONValue?
    /// The tool call a `tool` message answers.
    public var toolCallID: String?

    /// The roles OpenAI's chat API accepts.
    public static let knownRoles: Set<String> = ["system", "developer", "user", "assistant", "tool"]

    public init(role: String, content: MessageContent?, name: String? = nil, toolCalls: JSONValue? = nil, toolCallID: String? = nil) {
        self.role = role; self.content = content; self.name = name; self.toolCalls = toolCalls; self.toolCallID = toolCallID
    }

    /// A message whose content is plain text.
    public init(role: String, text: String) {
        self.init(role: role, content: .text(text))
    }

    enum CodingKeys: String, CodingKey {
        case role, content, name
        case toolCalls = "tool_calls"
        case toolCallID = "tool_call_id"
    }
}

/// A message's content: a string, or a list of typed parts (`{"type":"text","text":...}`, images...).
public enum MessageContent: Sendable, Equatable, Codable {
    case text(String)
    case parts([JSONValue])

    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .parts(try container.decode([JSONValue].self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        switch self {
        case .text(let text): try container.encode(text)
        case .parts(let parts): try container.encode(parts)
        }
    }

    /// The text of the content: the string itself, or the `text` parts joined by newlines.
    public var text: String {
        switch self {
        case .text(let text): return text
        case .parts(let parts):
            return parts.compactMap { part in part["type"]?.stringValue == "text" ? part["text"]?.stringValue : nil }
                .joined(separator: "\n")
        }
    }
}
