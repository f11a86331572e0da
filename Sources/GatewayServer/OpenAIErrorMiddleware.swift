import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Providers
import SwitchyardTypes

/// Turns every error into an OpenAI-style error answer and stamps `x-switchyard-request-id` on every answer.
///
/// Nothing escapes as a bare 500: framework errors are mapped to their status, and anything
/// unexpected is logged and answered as a 500 with an OpenAI body (a bug to fix, never a crash).
struct OpenAIErrorMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var response: Response
        do {
            response = try await next(request, context)
        } catch {
            response = Self.response(for: Self.gatewayError(for: error, path: request.uri.path, context: context), context: context)
        }
        response.headers[.switchyardRequestID] = context.requestID.uuidString.lowercased()
        return response
    }

    /// The gateway error an error thrown anywhere below stands for.
    static func gatewayError(for error: any Error, path: String, context: Context) -> GatewayError? {
        switch error {
        case let error as GatewayError: return error
        case let error as ProviderError: return .upstream(error)
        case is NIOTooManyBytesError: return .bodyTooLarge(limit: context.maxUploadSize)
        case let error as HTTPError:
            switch error.status {
            case .notFound: return .routeNotFound(path: path)
            case .methodNotAllowed: return .methodNotAllowed
            case .contentTooLarge: return .bodyTooLarge(limit: context.maxUploadSize)
            case .badRequest: return .malformedJSON(detail: "the request could not be read.")
            default: return nil
            }
        default:
            context.logger.error("unexpected error", metadata: ["error.type": "\(type(of: error))"])
            return nil
        }
    }

    /// The answer for a gateway error (nil: an unexpected one).
    static func response(for error: GatewayError?, context: Context) -> Response {
        let status = error?.status ?? .internalServerError
        let body = error?.body ?? OpenAIError(message: "The gateway failed unexpectedly; request id \(context.requestID.uuidString.lowercased()).",
                                              type: "api_error", code: "internal_error")
        var headers: HTTPFields = [.contentType: "application/json"]
        if let retryAfter = error?.retryAfter { headers[.retryAfter] = retryAfter }
        return Response(status: status, headers: headers, body: .init(byteBuffer: JSONBody.encode(OpenAIErrorBody(error: body))))
    }
}

/// JSON encoding of answer bodies.
enum JSONBody {
    /// The value as JSON bytes (`{}` if it cannot be encoded, which our types never do).
    static func encode(_ value: some Encodable) -> ByteBuffer {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.withoutEscapingSlashes]
        return ByteBuffer(bytes: (try? encoder.encode(value)) ?? Data("{}".utf8))
    }

    /// A 200 JSON answer.
    static func response(_ value: some Encodable, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: .ok, headers: fields, body: .init(byteBuffer: encode(value)))
    }
}
