import Routing
import SwitchyardTypes

/// The parts of a chat request the classifier and planner look at.
struct RoutingPrompt: Sendable, Equatable {
    /// System and developer messages, joined by blank lines (nil when there are none).
    var system: String?
    /// The last user turn's text (empty when there is none).
    var lastUser: String

    /// The prompt of `request`: its system text and its last user turn.
    init(_ request: ChatCompletionRequest) {
        let system = request.messages.filter { $0.role == "system" || $0.role == "developer" }.compactMap { $0.content?.text }
        self.system = system.isEmpty ? nil : system.joined(separator: "\n\n")
        self.lastUser = request.messages.last { $0.role == "user" }?.content?.text ?? ""
    }

    /// Characters per token assumed when estimating token counts without a tokenizer.
    static let charactersPerToken = 4
    /// Answer length assumed when the request sets no limit.
    static let typicalAnswerTokens = 256

    /// Token counts to price routes with: about four characters per token over every message, and the
    /// request's answer limit (or a typical answer length).
    static func tokenEstimate(_ request: ChatCompletionRequest) -> TokenEstimate {
        let characters = request.messages.reduce(0) { $0 + ($1.content?.text.count ?? 0) + 4 }
        let input = max(1, (characters + charactersPerToken - 1) / charactersPerToken)
        return TokenEstimate(inputTokens: input, outputTokens: request.outputTokenLimit ?? typicalAnswerTokens)
    }
}
