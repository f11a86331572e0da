import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import SwitchyardTypes
#if canImport(Glibc)
import Glibc
#endif

/// Carries out one scripted behaviour for one request, in OpenAI's or Anthropic's shape.
struct FakeUpstreamResponder: Sendable {
    enum Dialect: Sendable { case openAI, anthropic }
    /// Thrown after the fake cut a connection on purpose.
    struct ConnectionCut: Error {}

    let state: FakeUpstreamState
    let dialect: Dialect
    /// How long a stalled stream stays silent at most (tests end long before).
    static let stallLimit: Duration = .seconds(120)

    func respond(to request: Request, channel: any Channel) async throws -> Response {
        let body = try await request.body.collect(upTo: 16 << 20)
        let text = String(buffer: body)
        let credential = dialect == .openAI ? request.headers[.authorization] : request.headers[HTTPField.Name("x-api-key")!]
        let (behavior, latency, chunkDelay) = state.next(for: FakeUpstreamRequest(path: request.uri.path, credential: credential, body: text))
        let json = (try? JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))) ?? .null
        let streaming = json["stream"] == .bool(true)
        let includeUsage = json["stream_options"]?["include_usage"] == .bool(true)
        let model = json["model"]?.stringValue ?? "fake-model"
        if latency > .zero { try await Task.sleep(for: latency) }

        switch behavior {
        case .answer(let answer, let promptTokens, let completionTokens):
            let words = Self.pieces(of: answer)
            let usage = Usage(promptTokens: promptTokens, completionTokens: completionTokens ?? words.count)
            if streaming {
                return stream(words: words, usage: includeUsage || dialect == .anthropic ? usage : nil, model: model,
                              chunkDelay: chunkDelay, ending: .complete, channel: channel)
            }
            return json200(dialect == .openAI ? FakeAnswers.openAICompletion(text: answer, model: model, usage: usage)
                                              : FakeAnswers.anthropicMessage(text: answer, model: model, usage: usage))
        case .status(let status, let message, let retryAfter):
            var headers: HTTPFields = [.contentType: "application/json"]
            if let retryAfter { headers[.retryAfter] = retryAfter }
            let errorBody = dialect == .openAI ? FakeAnswers.openAIError(message: message, status: status)
                                               : FakeAnswers.anthropicError(message: message)
            return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: ByteBuffer(string: errorBody)))
        case .resetConnection:
            try await cut(channel)
            throw ConnectionCut()
        case .malformed(let payload):
            if streaming {
                return Response(status: .ok, headers: [.contentType: "text/event-stream"],
                                body: .init(byteBuffer: ByteBuffer(string: "data: \(payload)\n\n")))
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: payload)))
        case .stall(let count, let answer):
            return stream(words: Self.pieces(of: answer), usage: nil, model: model, chunkDelay: chunkDelay,
                          ending: .stall(after: count), channel: channel)
        case .stopHalfway(let count, let answer):
            return stream(words: Self.pieces(of: answer), usage: nil, model: model, chunkDelay: chunkDelay,
                          ending: .cut(after: count), channel: channel)
        }
    }

    enum Ending: Sendable { case complete, stall(after: Int), cut(after: Int) }

    private func stream(words: [String], usage: Usage?, model: String, chunkDelay: Duration, ending: Ending, channel: any Channel) -> Response {
        let dialect = self.dialect
        let body = ResponseBody { writer in
            let events = dialect == .openAI ? FakeAnswers.openAIStream(words: words, model: model, usage: usage)
                                            : FakeAnswers.anthropicStream(words: words, model: model, usage: usage ?? Usage(promptTokens: 0, completionTokens: 0))
            // The first event of an Anthropic stream is `message_start`; count content chunks only after it.
            let leading = dialect == .openAI ? 0 : 2
            for (index, event) in events.enumerated() {
                switch ending {
                case .complete: break
                case .stall(let after) where index == after + leading:
                    try await Task.sleep(for: Self.stallLimit)
                    return
                case .cut(let after) where index == after + leading:
                    try await cut(channel)
                    throw ConnectionCut()
                default: break
                }
                if chunkDelay > .zero, index > 0 { try await Task.sleep(for: chunkDelay) }
                try await writer.write(ByteBuffer(string: event))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: [.contentType: "text/event-stream", .cacheControl: "no-cache"], body: body)
    }

    private func json200(_ text: String) -> Response {
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: text)))
    }

    /// Closes the connection with a TCP reset.
    private func cut(_ channel: any Channel) async throws {
        if let options = channel as? any SocketOptionProvider {
            _ = try? await options.setSoLinger(linger(l_onoff: 1, l_linger: 0)).get()
        }
        try? await channel.close()
    }

    /// The answer split into stream pieces: each word with the space before it.
    static func pieces(of text: String) -> [String] {
        var pieces: [String] = []
        for (index, word) in text.split(separator: " ", omittingEmptySubsequences: false).enumerated() {
            pieces.append(index == 0 ? String(word) : " " + word)
        }
        return pieces
    }
}
