import Providers
import SwitchyardTypes

/// Turns a whole answer (an accepted cascade step) into the chunks a streaming client expects:
/// the role, the text a few words at a time, the finish reason, and a last chunk with `usage`.
enum CascadeReplay {
    /// Words per content chunk.
    static let wordsPerChunk = 8

    /// The chunks of `response`'s first choice.
    static func chunks(of response: ChatCompletionResponse) -> [ChatCompletionChunk] {
        func chunk(_ choices: [ChunkChoice], usage: Usage? = nil) -> ChatCompletionChunk {
            ChatCompletionChunk(id: response.id, created: response.created, model: response.model, choices: choices, usage: usage)
        }
        let choice = response.choices.first
        let text = choice?.message.content?.text ?? ""
        var chunks = [chunk([ChunkChoice(index: 0, delta: ChunkDelta(role: "assistant", content: ""))])]
        for piece in pieces(of: text) {
            chunks.append(chunk([ChunkChoice(index: 0, delta: ChunkDelta(content: piece))]))
        }
        chunks.append(chunk([ChunkChoice(index: 0, delta: ChunkDelta(), finishReason: choice?.finishReason ?? "stop")]))
        if let usage = response.usage { chunks.append(chunk([], usage: usage)) }
        return chunks
    }

    /// `text` cut after every ``wordsPerChunk``-th space; joined again they give `text` back exactly.
    static func pieces(of text: String) -> [String] {
        var pieces: [String] = []
        var current = ""
        var spaces = 0
        for character in text {
            current.append(character)
            if character == " " {
                spaces += 1
                if spaces == wordsPerChunk { pieces.append(current); current = ""; spaces = 0 }
            }
        }
        if !current.isEmpty { pieces.append(current) }
        return pieces
    }

    /// The chunks as a stream the relay reads.
    static func stream(of response: ChatCompletionResponse) -> ChatChunkStream {
        let chunks = chunks(of: response)
        return AsyncThrowingStream { continuation in
            for chunk in chunks { continuation.yield(chunk) }
            continuation.finish()
        }
    }
}
