import Foundation
import HTTPTypes
import Hummingbird
import Synchronization

/// Admits `/v1` requests: a known `Authorization: Bearer` key (401 otherwise) and a free slot (429 otherwise).
struct APIKeyMiddleware: RouterMiddleware {
    typealias Context = GatewayRequestContext
    let authenticator: any APIKeyAuthenticator
    let limiter: ConcurrencyLimiter
    let recorder: RequestRecorder

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        var context = context
        do {
            context.apiKey = try await authenticate(request)
        } catch {
            recorder.recordRejection(error, request: request, context: context)
            throw error
        }
        guard limiter.tryAcquire() else {
            let error = GatewayError.tooManyRequests(limit: limiter.limit)
            recorder.recordRejection(error, request: request, context: context)
            throw error
        }
        defer { limiter.release() }
        return try await next(request, context)
    }

    private func authenticate(_ request: Request) async throws(GatewayError) -> AuthenticatedKey {
        guard let header = request.headers[.authorization] else { throw .missingAPIKey }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { throw .missingAPIKey }
        let bearer = parts[1].trimmingCharacters(in: .whitespaces)
        guard !bearer.isEmpty, bearer.utf8.count <= 256 else { throw .invalidAPIKey }
        let key: AuthenticatedKey?
        do {
            key = try await authenticator.authenticate(bearer: bearer)
        } catch {
            throw .authenticationUnavailable
        }
        guard let key else { throw .invalidAPIKey }
        return key
    }
}

/// Counts requests in flight against a fixed limit.
final class ConcurrencyLimiter: Sendable {
    let limit: Int
    private let inFlight = Atomic<Int>(0)

    init(limit: Int) { self.limit = max(1, limit) }

    /// Takes a slot; false when all are taken.
    func tryAcquire() -> Bool {
        let now = inFlight.wrappingAdd(1, ordering: .relaxed).newValue
        if now > limit {
            inFlight.wrappingSubtract(1, ordering: .relaxed)
            return false
        }
        return true
    }

    /// Gives a slot back.
    func release() { inFlight.wrappingSubtract(1, ordering: .relaxed) }
}
