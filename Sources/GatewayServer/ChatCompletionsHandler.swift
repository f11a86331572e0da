import Foundation
import HTTPTypes
import Hummingbird
import Providers
import SwitchyardTypes

/// `POST /v1/chat/completions`: decode, pick the model, call its provider, answer (whole or as SSE), record.
struct ChatCompletionsHandler: Sendable {
    let catalog: ModelCatalog
    let recorder: RequestRecorder
    let maxBodyBytes: Int

    func handle(_ request: Request, context: GatewayRequestContext) async throws -> Response {
        var trace = RequestTrace(context: context, policyHash: recorder.policyHash)
        let attempts = ProviderAttemptLog()
        do {
            let chat = try await ChatRequestDecoding.read(request, maxBytes: maxBodyBytes)
            trace.record.requestedModel = chat.model
            trace.record.stream = chat.isStreaming
            let chosen = try catalog.resolve(chat.model)
            trace.chose(chosen)
            if chat.isStreaming {
                return try await stream(chat, with: chosen, trace: trace, attempts: attempts, context: context)
            }
            let answer = try await chosen.provider.complete(chat, attempts: attempts)
            let record = trace.close(status: 200, errorCode: nil, usage: answer.usage, ttftMS: trace.elapsedMS, attempts: attempts.attempts)
            recorder.finish(record)
            var headers: HTTPFields = [.switchyardRoute: chosen.model.name]
            if let cost = record.costUSD { headers[.switchyardCostUSD] = String(format: "%.8f", cost) }
            return JSONBody.response(answer, headers: headers)
        } catch {
            let mapped = OpenAIErrorMiddleware.gatewayError(for: error, path: request.uri.path, context: context)
            let status = Int(mapped?.status.code ?? 500)
            recorder.finish(trace.close(status: status, errorCode: mapped?.code ?? "internal_error", usage: nil, ttftMS: nil, attempts: attempts.attempts))
            if let mapped { throw mapped }
            throw error
        }
    }

    /// Starts the upstream stream and waits for its first chunk, so failures up to there get a proper status;
    /// then relays the rest as server-sent events.
    private func stream(
        _ chat: ChatCompletionRequest, with chosen: ModelCatalog.Available, trace: RequestTrace,
        attempts: ProviderAttemptLog, context: GatewayRequestContext
    ) async throws -> Response {
        let chunks = try await chosen.provider.stream(chat, attempts: attempts)
        let reader = ChunkReader(chunks)
        let first = try await reader.next()
        let relay = StreamRelay(
            reader: reader, first: first, includeUsage: chat.streamOptions?.includeUsage ?? false,
            trace: trace, attempts: attempts, recorder: recorder)
        let headers: HTTPFields = [
            .contentType: "text/event-stream", .cacheControl: "no-cache", .switchyardRoute: chosen.model.name,
            .switchyardRequestID: context.requestID.uuidString.lowercased(),
        ]
        return Response(status: .ok, headers: headers, body: ResponseBody { writer in try await relay.run(&writer) })
    }
}

/// Reads a chunk stream from the handler first, then from the response body writer.
// Safe because the two users never overlap: the handler reads the first chunk and returns, and only then
// does the response body writer read the rest, one `next()` at a time.
final class ChunkReader: @unchecked Sendable {
    private var iterator: ChatChunkStream.AsyncIterator
    init(_ stream: ChatChunkStream) { iterator = stream.makeAsyncIterator() }
    func next() async throws -> ChatCompletionChunk? { try await iterator.next() }
}
