/// Who wrote a chat message.
public enum ChatRole: String, Sendable, Equatable, CaseIterable {
    case system
    case user
    case assistant
    case tool
}

/// One message of a conversation, as the chat template renders it.
public struct ChatMessage: Sendable, Equatable {
    /// Who wrote it.
    public var role: ChatRole
    /// Its text.
    public var content: String

    /// A message from `role` with `content`.
    public init(role: ChatRole, content: String) {
        self.role = role
        self.content = content
    }

    /// A system message.
    public static func system(_ content: String) -> ChatMessage { .init(role: .system, content: content) }
    /// A user message.
    public static func user(_ content: String) -> ChatMessage { .init(role: .user, content: content) }
    /// An assistant message.
    public static func assistant(_ content: String) -> ChatMessage { .init(role: .assistant, content: content) }
}
