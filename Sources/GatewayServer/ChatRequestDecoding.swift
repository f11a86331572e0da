import Foundation
import Hummingbird
import NIOCore
import SwitchyardTypes

/// Reads and checks the body of a chat request; every failure is a 4xx naming what is wrong.
enum ChatRequestDecoding {
    /// The decoded, validated request.
    /// - Throws: ``GatewayError/bodyTooLarge(limit:)``, ``GatewayError/malformedJSON(detail:)``,
    ///   ``GatewayError/invalidField(param:reason:)``.
    static func read(_ request: Request, maxBytes: Int) async throws(GatewayError) -> ChatCompletionRequest {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maxBytes {
            throw .bodyTooLarge(limit: maxBytes)
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: maxBytes)
        } catch is NIOTooManyBytesError {
            throw .bodyTooLarge(limit: maxBytes)
        } catch {
            throw .malformedJSON(detail: "the body could not be read.")
        }
        let chat = try decode(Data(buffer.readableBytesView))
        do {
            try chat.validate()
        } catch {
            throw .invalidField(param: error.param, reason: error.reason)
        }
        return chat
    }

    /// Decodes JSON bytes into a chat request, naming the field a decoding error is about.
    static func decode(_ data: Data) throws(GatewayError) -> ChatCompletionRequest {
        if data.isEmpty { throw .malformedJSON(detail: "the body is empty.") }
        do {
            return try JSONDecoder().decode(ChatCompletionRequest.self, from: data)
        } catch let error as DecodingError {
            let mapped = map(error)
            if case .malformedJSON = mapped, let param = integerFieldOutOfRange(in: data) {
                throw .invalidField(param: param, reason: "must be a whole number within range.")
            }
            throw mapped
        } catch {
            throw .malformedJSON(detail: "the body is not valid JSON.")
        }
    }

    /// The gateway error for a decoding error.
    static func map(_ error: DecodingError) -> GatewayError {
        switch error {
        case .keyNotFound(let key, let context):
            return .invalidField(param: param(context.codingPath + [key]), reason: "is required.")
        case .valueNotFound(_, let context):
            let path = param(context.codingPath)
            return path.isEmpty ? .malformedJSON(detail: "the body must be a JSON object.") : .invalidField(param: path, reason: "must not be null.")
        case .typeMismatch(let type, let context):
            let path = param(context.codingPath)
            return path.isEmpty ? .malformedJSON(detail: "the body must be a JSON object.")
                                : .invalidField(param: path, reason: "has the wrong type (expected \(describe(type))).")
        case .dataCorrupted(let context):
            let path = param(context.codingPath)
            return path.isEmpty ? .malformedJSON(detail: "the body is not valid JSON (or not UTF-8).")
                                : .invalidField(param: path, reason: "is not a valid value (out of range or the wrong shape).")
        @unknown default:
            return .malformedJSON(detail: "the body could not be decoded.")
        }
    }

    /// The integer field holding a fractional or out-of-range number, when the body is otherwise valid JSON.
    static func integerFieldOutOfRange(in data: Data) -> String? {
        guard case .object(let members)? = try? JSONDecoder().decode(JSONValue.self, from: data) else { return nil }
        for field in ["max_tokens", "max_completion_tokens", "n", "seed"] {
            if case .number(let value)? = members[field], value.rounded() != value || abs(value) >= 9.2e18 { return field }
        }
        return nil
    }

    /// OpenAI's notation for a coding path: `messages[0].content`.
    static func param(_ path: [any CodingKey]) -> String {
        var text = ""
        for key in path {
            if let index = key.intValue {
                text += "[\(index)]"
            } else {
                text += text.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return text
    }

    private static func describe(_ type: Any.Type) -> String {
        switch type {
        case is String.Type: return "a string"
        case is Int.Type, is Double.Type: return "a number"
        case is Bool.Type: return "a boolean"
        default:
            let name = String(describing: type)
            return name.hasPrefix("Array") ? "an array" : (name.hasPrefix("Dictionary") ? "an object" : "another type")
        }
    }
}
