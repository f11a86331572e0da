import Foundation
import Providers
import Routing
import SwitchyardTypes

/// One call of a provider for a whole answer, with the answer's confidence when the provider or the
/// upstream's logprobs give it, and the mapping of provider failures onto the planner's ``RouteFailure``.
enum RoutingProviderCall {
    /// Calls `provider` for a whole answer: local models and workers report confidence and cost themselves
    /// (workers in the answer's `switchyard` member); for hosted providers confidence comes from the answer's
    /// `logprobs`, if any, and the cost is left to the caller.
    static func whole(_ provider: any ChatProvider, _ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws
        -> (response: ChatCompletionResponse, confidence: ConfidenceRecord?, costUSD: Double?) {
        if let reporting = provider as? any ConfidenceReportingProvider {
            return try await reporting.completeWithConfidence(request, attempts: attempts)
        }
        var response = try await provider.complete(request, attempts: attempts)
        let fromLogprobs = CascadeConfidence.fromLogprobs(response.choices.first?.logprobs)
        guard reportsOwnFigures(provider.kind), let figures = response.switchyard else {
            response.switchyard = nil
            return (response, fromLogprobs, nil)
        }
        return (response, figures.confidence ?? fromLogprobs, figures.costUSD)
    }

    /// Whether answers of a provider of `kind` carry `switchyard` figures the gateway trusts: models we run
    /// (`local`, `worker`); a hosted upstream's figures are ignored.
    static func reportsOwnFigures(_ kind: String) -> Bool {
        kind == "local" || kind == "worker"
    }

    /// How a failed call counts for choosing the next route: load refusals (429) and refused credentials
    /// make the model unusable for now; other client errors are the request's fault and end the request.
    static func routeFailure(_ error: ProviderError) -> RouteFailure {
        switch error {
        case .timedOut: return .timeout
        case .connectionFailed, .malformedResponse, .streamInterrupted: return .upstreamError(status: nil)
        case .upstreamStatus(_, let status, _, _):
            switch status {
            case 429, 401, 403, 404: return .modelUnavailable
            case 408: return .timeout
            case 400..<500: return .invalidRequest(status: status)
            default: return .upstreamError(status: status)
            }
        }
    }
}
