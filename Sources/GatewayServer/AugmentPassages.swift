import Foundation
import SwitchyardTypes

/// Passages a request carries for the bridge (BGM) augmentation, and how they are chosen and shown.
///
/// A client sends them in the request's `switchyard` extension member, which is never forwarded upstream:
/// `"switchyard": {"passages": ["text", {"title": "...", "text": "..."}]}`. With the route's `bridge` on,
/// they are ranked by overlap with the question and the top ``topCount`` are formatted into a system message;
/// with it off, all of them are included in the order given.
enum AugmentPassages {
    /// One retrieved passage.
    struct Passage: Sendable, Equatable {
        var title: String?
        var text: String
    }

    /// The extension member holding gateway-only options.
    static let extensionMember = "switchyard"
    /// Passages kept by the bridge.
    static let topCount = 3

    /// The passages of `request` (empty when it carries none).
    static func read(_ request: ChatCompletionRequest) -> [Passage] {
        guard case .array(let items)? = request.extra[extensionMember]?["passages"] else { return [] }
        return items.compactMap { item in
            switch item {
            case .string(let text): return text.isEmpty ? nil : Passage(title: nil, text: text)
            case .object:
                guard let text = item["text"]?.stringValue, !text.isEmpty else { return nil }
                return Passage(title: item["title"]?.stringValue, text: text)
            default: return nil
            }
        }
    }

    /// The `top` passages most relevant to `question`, best first: scored by the share of the question's
    /// distinct words they contain, weighted by each word's rarity among the passages; ties keep the given order.
    static func rank(_ passages: [Passage], question: String, top: Int = topCount) -> [Passage] {
        let questionWords = words(question)
        guard !questionWords.isEmpty else { return Array(passages.prefix(top)) }
        let passageWords = passages.map { words(($0.title ?? "") + " " + $0.text) }
        let scores = passageWords.map { contained in
            questionWords.reduce(0.0) { score, word in
                guard contained.contains(word) else { return score }
                let documents = passageWords.filter { $0.contains(word) }.count
                return score + log(1 + Double(passages.count) / Double(documents))
            }
        }
        let order = passages.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
        return order.prefix(top).map { passages[$0] }
    }

    /// The system message showing `passages`, numbered.
    static func systemMessage(_ passages: [Passage]) -> ChatMessage {
        var text = "Use the following passages where they help answer the user's question; cite them as [n]. Ignore passages that are not relevant.\n"
        for (index, passage) in passages.enumerated() {
            text += "\n[\(index + 1)] " + (passage.title.map { "\($0): " } ?? "") + passage.text
        }
        return ChatMessage(role: "system", text: text)
    }

    /// Lower-cased words of three or more letters or digits.
    static func words(_ text: String) -> Set<String> {
        Set(text.lowercased().split { !$0.isLetter && !$0.isNumber }.filter { $0.count >= 3 }.map(String.init))
    }
}
