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

// MARK: Chunk events

/// One chunk as a server-sent event, `data: <the chunk as JSON>\n\n`: the JSON `JSONEncoder` (without
/// escaping slashes) would give, keys in the order the types declare them.
///
/// A stream sends one such event per token, so the common chunk (one choice whose delta is text, nothing
/// else) is written straight into the buffer; any other chunk goes through `JSONEncoder`.
enum ChunkEvents {
    /// The event for `chunk`.
    static func event(_ chunk: ChatCompletionChunk) -> ByteBuffer {
        guard chunk.usage == nil, chunk.systemFingerprint == nil, chunk.switchyard == nil, chunk.choices.count == 1,
              let choice = chunk.choices.first, choice.finishReason == nil, choice.logprobs == nil,
              choice.delta.role == nil, choice.delta.toolCalls == nil, let content = choice.delta.content else {
            return encoded(chunk)
        }
        var buffer = ByteBuffer()
        buffer.reserveCapacity(128 + chunk.id.utf8.count + chunk.model.utf8.count + content.utf8.count)
        buffer.writeStaticString("data: {\"id\":")
        writeJSONString(chunk.id, to: &buffer)
        buffer.writeStaticString(",\"object\":")
        writeJSONString(chunk.object, to: &buffer)
        buffer.writeStaticString(",\"created\":")
        buffer.writeString(String(chunk.created))
        buffer.writeStaticString(",\"model\":")
        writeJSONString(chunk.model, to: &buffer)
        buffer.writeStaticString(",\"choices\":[{\"index\":")
        buffer.writeString(String(choice.index))
        buffer.writeStaticString(",\"delta\":{\"content\":")
        writeJSONString(content, to: &buffer)
        buffer.writeStaticString("},\"finish_reason\":null}]}\n\n")
        return buffer
    }

    /// The event for any value, through `JSONEncoder`.
    static func encoded(_ value: some Encodable) -> ByteBuffer {
        var buffer = ByteBuffer(staticString: "data: ")
        var json = JSONBody.encode(value)
        buffer.writeBuffer(&json)
        buffer.writeStaticString("\n\n")
        return buffer
    }

    /// `text` as a JSON string literal, escaped as `JSONEncoder` escapes it: `"` and `\`, the control
    /// characters (`\b \t \n \f \r`, the rest as `\u00xx`); everything else, slashes and non-ASCII
    /// included, as its UTF-8 bytes.
    static func writeJSONString(_ text: String, to buffer: inout ByteBuffer) {
        buffer.writeInteger(UInt8(ascii: "\""))
        var text = text
        text.withUTF8 { bytes in
            var start = 0
            for index in bytes.indices {
                let byte = bytes[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else { continue }
                buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start..<index])))
                start = index + 1
                switch byte {
                case UInt8(ascii: "\""): buffer.writeStaticString("\\\"")
                case UInt8(ascii: "\\"): buffer.writeStaticString("\\\\")
                case 0x08: buffer.writeStaticString("\\b")
                case 0x09: buffer.writeStaticString("\\t")
                case 0x0A: buffer.writeStaticString("\\n")
                case 0x0C: buffer.writeStaticString("\\f")
                case 0x0D: buffer.writeStaticString("\\r")
                default:
                    let hex: StaticString = "0123456789abcdef"
                    buffer.writeStaticString("\\u00")
                    buffer.writeInteger(hex.utf8Start[Int(byte >> 4)])
                    buffer.writeInteger(hex.utf8Start[Int(byte & 0xF)])
                }
            }
            buffer.writeBytes(UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: bytes[start...])))
        }
        buffer.writeInteger(UInt8(ascii: "\""))
    }
}
