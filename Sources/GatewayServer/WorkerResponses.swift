import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Providers
import SwitchyardTypes

/// JSON, server-sent-event and error answers of the worker.
enum WorkerResponses {
    /// `value` as a JSON body.
    static func json(_ value: some Encodable, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        let data = (try? JSONEncoder().encode(value)) ?? Data("{}".utf8)
        return Response(status: status, headers: fields, body: ResponseBody(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An OpenAI-style error body.
    static func error(status: HTTPResponse.Status, message: String, type: String, param: String? = nil, code: String? = nil,
                      headers: HTTPFields = [:]) -> Response {
        json(OpenAIErrorBody(error: OpenAIError(message: message, type: type, param: param, code: code)), status: status, headers: headers)
    }

    /// A provider's refusal as its HTTP answer: 429 with `Retry-After`, 400, 503 or 500.
    static func error(_ error: any Error) -> Response {
        guard let error = error as? ProviderError, case let .upstreamStatus(_, status, message, retryAfter) = error else {
            return self.error(status: .internalServerError, message: "The local model failed.", type: "api_error")
        }
        var headers: HTTPFields = [:]
        if let retryAfter { headers[HTTPField.Name("Retry-After")!] = retryAfter }
        let type = switch status {
        case 429: "rate_limit_error"
        case 400..<500: "invalid_request_error"
        default: "api_error"
        }
        let code = status == 429 ? "model_overloaded" : status == 400 ? "invalid_request" : "model_unavailable"
        return self.error(status: HTTPResponse.Status(code: status), message: message ?? error.description, type: type,
                          code: code, headers: headers)
    }

    /// The chunks as server-sent events, ending with `data: [DONE]`; the usage chunk is sent only
    /// when the client asked for usage (the finish chunk carries the `switchyard` figures either way).
    /// A client that goes away ends the writes, which drops `chunks` and so cancels the generation.
    static func eventStream(_ chunks: ChatChunkStream, includeUsage: Bool, logger: Logger) -> Response {
        var headers: HTTPFields = [:]
        headers[.contentType] = "text/event-stream"
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody { writer in
            do {
                for try await chunk in chunks where includeUsage || !chunk.choices.isEmpty || chunk.usage == nil {
                    try await writer.write(ChunkEvents.event(chunk))
                }
                try await writer.write(ByteBuffer(string: "data: [DONE]\n\n"))
            } catch let failure as ProviderError {
                logger.debug("local stream broke off", metadata: ["error": "\(failure)"])
                let body = OpenAIErrorBody(error: OpenAIError(message: failure.description, type: "api_error", code: failure.code))
                try await writer.write(event(body))
            }
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// One `data:` event holding `value` as JSON.
    static func event(_ value: some Encodable) -> ByteBuffer { ChunkEvents.encoded(value) }
}
