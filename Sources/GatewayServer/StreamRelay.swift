import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import Providers
import SwitchyardTypes

/// Relays an upstream's chunks to the client as server-sent events and records the request at the end.
///
/// The usage chunk is forwarded only when the client asked (`stream_options.include_usage`); a stream
/// that breaks off after it started ends with an `error` event (the OpenAI SDKs raise it) instead of `[DONE]`.
/// The `switchyard` figures of a model we run (confidence, CPU-time cost) reach the client on the last
/// chunks and are logged with the call and the request.
struct StreamRelay: Sendable {
    let reader: ChunkReader
    let first: ChatCompletionChunk?
    let includeUsage: Bool
    let trace: RequestTrace
    /// The live call being relayed, logged when the stream ends; nil when replaying an answer already logged.
    let call: PendingStreamCall?
    let calls: RoutingCallLog
    let recorder: RequestRecorder
    let knownRoutes: Set<String>

    func run(_ writer: inout any ResponseBodyWriter) async throws {
        var trace = self.trace
        var usage: Usage?
        var ttftMS: Double?
        var figures: SwitchyardExtension?
        let trustsFigures = call.map { RoutingProviderCall.reportsOwnFigures($0.provider) } ?? false
        do {
            var next = first
            while let chunk = next {
                if let reported = chunk.usage { usage = reported }
                if trustsFigures, let reported = chunk.switchyard { figures = reported }
                if let event = event(for: chunk) {
                    try await writer.write(event)
                    if ttftMS == nil { ttftMS = trace.elapsedMS }
                }
                next = try await readNext()
            }
            try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            try await writer.finish(nil)
            call?.finish(usage: usage, ttftMS: ttftMS, errorCode: nil, modelFailed: false, reported: figures)
            if let confidence = figures?.confidence { trace.record.confidence = confidence }
            recorder.finish(trace.close(status: 200, errorCode: nil, usage: usage, ttftMS: ttftMS, calls: calls), knownRoutes: knownRoutes)
        } catch let failure as UpstreamFailure {
            let error = GatewayError.upstream(failure.error)
            let event = "data: \(String(buffer: JSONBody.encode(OpenAIErrorBody(error: error.body))))\n\n"
            try? await writer.write(ByteBuffer(string: event))
            try? await writer.finish(nil)
            call?.finish(usage: usage, ttftMS: ttftMS, errorCode: failure.error.code, modelFailed: true)
            recorder.finish(trace.close(status: 200, errorCode: error.code, usage: usage, ttftMS: ttftMS, calls: calls), knownRoutes: knownRoutes)
        } catch {
            let closed = GatewayError.clientClosedRequest
            call?.finish(usage: usage, ttftMS: ttftMS, errorCode: closed.code, modelFailed: false)
            recorder.finish(trace.close(status: Int(closed.status.code), errorCode: closed.code, usage: usage, ttftMS: ttftMS, calls: calls),
                            knownRoutes: knownRoutes)
            throw error
        }
    }

    /// The SSE event for a chunk, nil when the client should not see it (an unasked-for usage chunk).
    private func event(for chunk: ChatCompletionChunk) -> ByteBuffer? {
        guard !includeUsage, chunk.usage != nil else { return ChunkEvents.event(chunk) }
        if chunk.choices.isEmpty { return nil }
        var chunk = chunk
        chunk.usage = nil
        return ChunkEvents.event(chunk)
    }

    /// The next upstream chunk; upstream failures are told apart from the client going away.
    private func readNext() async throws -> ChatCompletionChunk? {
        do {
            return try await reader.next()
        } catch let error as ProviderError {
            throw UpstreamFailure(error: error)
        } catch {
            throw UpstreamFailure(error: .streamInterrupted(provider: trace.providerKind ?? "upstream", detail: "the stream failed"))
        }
    }

    private struct UpstreamFailure: Error { let error: ProviderError }
}
