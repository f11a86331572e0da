import Foundation
import HTTPTypes
import Providers
import SwitchyardTypes

/// Every way a request can fail, each with its HTTP status and OpenAI-style error (the one mapping).
public enum GatewayError: Error, Sendable, Equatable {
    case missingAPIKey
    case invalidAPIKey
    case authenticationUnavailable
    case bodyTooLarge(limit: Int)
    case malformedJSON(detail: String)
    case invalidField(param: String, reason: String)
    case unknownModel(name: String)
    case noAvailableModel(requested: String, hint: String)
    case tooManyRequests(limit: Int)
    case routeNotFound(path: String)
    case methodNotAllowed
    case upstream(ProviderError)
    case clientClosedRequest

    /// The HTTP status of the answer.
    public var status: HTTPResponse.Status {
        switch self {
        case .missingAPIKey, .invalidAPIKey: return .unauthorized
        case .authenticationUnavailable, .noAvailableModel: return .serviceUnavailable
        case .bodyTooLarge: return .contentTooLarge
        case .malformedJSON, .invalidField: return .badRequest
        case .unknownModel, .routeNotFound: return .notFound
        case .methodNotAllowed: return .methodNotAllowed
        case .tooManyRequests: return .tooManyRequests
        case .clientClosedRequest: return .init(code: 499)
        case .upstream(let error):
            switch error {
            case .timedOut: return .gatewayTimeout
            case .upstreamStatus(_, let status, _, _):
                if status == 429 { return .tooManyRequests }
                if status == 504 || status == 408 { return .gatewayTimeout }
                if status == 400 || status == 422 { return .badRequest }
                return .badGateway
            case .connectionFailed, .malformedResponse, .streamInterrupted: return .badGateway
            }
        }
    }

    /// The `error` object sent to the client.
    public var body: OpenAIError {
        switch self {
        case .missingAPIKey:
            return OpenAIError(message: "Missing API key. Send it as 'Authorization: Bearer <key>'; create one with 'switchyard keys create'.",
                               type: "invalid_request_error", code: "missing_api_key")
        case .invalidAPIKey:
            return OpenAIError(message: "Incorrect API key provided.", type: "invalid_request_error", code: "invalid_api_key")
        case .authenticationUnavailable:
            return OpenAIError(message: "API keys cannot be checked right now (the key store is unreachable). Try again shortly.",
                               type: "api_error", code: "auth_unavailable")
        case .bodyTooLarge(let limit):
            return OpenAIError(message: "The request body is larger than the \(limit) bytes this gateway accepts.",
                               type: "invalid_request_error", code: "request_too_large")
        case .malformedJSON(let detail):
            return OpenAIError(message: "We could not parse the JSON body of your request: \(detail)", type: "invalid_request_error")
        case .invalidField(let param, let reason):
            return OpenAIError(message: "Invalid value for '\(param)': \(reason)", type: "invalid_request_error", param: param, code: "invalid_value")
        case .unknownModel(let name):
            return OpenAIError(message: "The model '\(name)' does not exist. GET /v1/models lists the models this gateway serves.",
                               type: "invalid_request_error", param: "model", code: "model_not_found")
        case .noAvailableModel(let requested, let hint):
            return OpenAIError(message: "No model is available to answer '\(requested)': \(hint)", type: "api_error", param: "model", code: "no_available_model")
        case .tooManyRequests(let limit):
            return OpenAIError(message: "The gateway is serving its limit of \(limit) requests at once. Retry shortly.",
                               type: "rate_limit_error", code: "rate_limit_exceeded")
        case .routeNotFound(let path):
            return OpenAIError(message: "Unknown request URL: \(path.prefix(200)).", type: "invalid_request_error", code: "unknown_url")
        case .methodNotAllowed:
            return OpenAIError(message: "This method is not allowed on this URL.", type: "invalid_request_error", code: "method_not_allowed")
        case .clientClosedRequest:
            return OpenAIError(message: "The client closed the request.", type: "invalid_request_error", code: "client_closed_request")
        case .upstream(let error):
            let type: String
            switch status {
            case .tooManyRequests: type = "rate_limit_error"
            case .badRequest: type = "invalid_request_error"
            default: type = "api_error"
            }
            return OpenAIError(message: error.description, type: type, code: error.code)
        }
    }

    /// The short code logged in `requests.error_code`.
    public var code: String { body.code ?? "error" }

    /// A `Retry-After` value to send, if any.
    public var retryAfter: String? {
        switch self {
        case .tooManyRequests: return "1"
        case .upstream(.upstreamStatus(_, 429, _, let retryAfter)): return retryAfter ?? "1"
        default: return nil
        }
    }
}
