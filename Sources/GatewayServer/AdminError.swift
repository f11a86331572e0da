import Foundation
import HTTPTypes
import Hummingbird
import SwitchyardTypes

/// Failures of the control-plane endpoints (`/admin/*`, `/v1/feedback`) that ``GatewayError`` has no case for,
/// answered with OpenAI-style error bodies.
enum AdminError: Error, Sendable, Equatable {
    /// The key is valid but its role may not use this endpoint.
    case forbidden(role: String, required: String)
    /// Feedback names a request id this gateway never answered.
    case unknownRequest(id: String)
    /// The feedback store could not be reached.
    case feedbackUnavailable

    /// The HTTP status of the answer.
    var status: HTTPResponse.Status {
        switch self {
        case .forbidden: return .forbidden
        case .unknownRequest: return .notFound
        case .feedbackUnavailable: return .serviceUnavailable
        }
    }

    /// The `error` object sent to the client.
    var body: OpenAIError {
        switch self {
        case .forbidden(let role, let required):
            return OpenAIError(message: "This endpoint needs an API key with the '\(required)' role; this key's role is '\(role)'.",
                               type: "invalid_request_error", code: "insufficient_permissions")
        case .unknownRequest(let id):
            return OpenAIError(message: "No request with id '\(id.prefix(64))' was served by this gateway.",
                               type: "invalid_request_error", param: "request_id", code: "request_not_found")
        case .feedbackUnavailable:
            return OpenAIError(message: "Feedback cannot be stored right now (the metrics database is unreachable). Try again shortly.",
                               type: "api_error", code: "feedback_unavailable")
        }
    }

    /// The answer carrying this error.
    var response: Response {
        Response(status: status, headers: [.contentType: "application/json"],
                 body: .init(byteBuffer: JSONBody.encode(OpenAIErrorBody(error: body))))
    }
}
