import Foundation
import SwitchyardTypes

/// The question and the answer a judge grades, read from the bytes the gateway received and sent.
struct JudgeTranscript: Sendable, Equatable {
    /// The conversation as the client sent it (system and user turns included).
    var messages: [ChatMessage]
    /// The answer's text as the client received it.
    var answer: String

    /// The transcript of a chat request body and its answer body (one JSON object, or server-sent events), nil when
    /// either cannot be read or the answer is empty.
    static func read(requestBody: Data, responseBody: Data) -> JudgeTranscript? {
        guard let request = try? JSONDecoder().decode(ChatCompletionRequest.self, from: requestBody) else { return nil }
        let answer = request.isStreaming ? streamedText(responseBody) : wholeText(responseBody)
        guard let answer, !answer.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { return nil }
        return JudgeTranscript(messages: request.messages, answer: answer)
    }

    private static func wholeText(_ body: Data) -> String? {
        guard let response = try? JSONDecoder().decode(ChatCompletionResponse.self, from: body) else { return nil }
        return response.choices.first?.message.content?.text
    }

    private static func streamedText(_ body: Data) -> String? {
        let text = String(decoding: body, as: UTF8.self)
        var answer = ""
        for line in text.split(whereSeparator: \.isNewline) where line.hasPrefix("data:") {
            let payload = line.dropFirst(5).trimmingCharacters(in: .whitespaces)
            guard payload != "[DONE]", let chunk = try? JSONDecoder().decode(ChatCompletionChunk.self, from: Data(payload.utf8)) else { continue }
            answer += chunk.choices.first(where: { $0.index == 0 })?.delta.content ?? ""
        }
        return answer
    }

    /// The request the judge model is sent: the rubric, the conversation and the answer, asking for one number.
    func judgeRequest(model: String, rubric: String, maxCharacters: Int) -> ChatCompletionRequest {
        let conversation = messages.map { message in
            "\(message.role): \(Self.cut(message.content?.text ?? "", to: maxCharacters))"
        }.joined(separator: "\n")
        let instructions = """
            You grade answers given by an AI assistant. \(rubric)
            Reply with a single number between 0 and 1 and nothing else.
            """
        let task = """
            Conversation:
            \(Self.cut(conversation, to: maxCharacters))

            Answer to grade:
            \(Self.cut(answer, to: maxCharacters))
            """
        return ChatCompletionRequest(model: model, messages: [ChatMessage(role: "system", text: instructions), ChatMessage(role: "user", text: task)],
                                     stream: false, temperature: 0, maxTokens: 8)
    }

    private static func cut(_ text: String, to limit: Int) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + " [...]"
    }
}
