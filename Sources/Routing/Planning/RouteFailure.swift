/// How a route attempt failed, as far as choosing the next route is concerned.
public enum RouteFailure: Sendable, Equatable {
    /// The call exceeded its time budget.
    case timeout
    /// The upstream answered with a server error (5xx) or the connection broke.
    case upstreamError(status: Int?)
    /// The upstream refused for load (429) or the circuit breaker is open: the model itself is unusable for now.
    case modelUnavailable
    /// The request itself is at fault (4xx other than 429, e.g. too long for the context): no other route is tried.
    case invalidRequest(status: Int)
}

extension Decision {
    /// The next route to try after `route` failed with `failure`, or nil when the request should fail.
    ///
    /// Walks the plan past `route`. When the model itself is unavailable, routes on the same model
    /// are skipped too. An invalid request is never retried elsewhere.
    public func nextRoute(after route: String, failure: RouteFailure) -> PlannedRoute? {
        if case .invalidRequest = failure { return nil }
        guard let index = plan.firstIndex(where: { $0.route == route }) else { return nil }
        let failedModel = plan[index].model
        return plan[(index + 1)...].first { next in
            if case .modelUnavailable = failure, next.model == failedModel { return false }
            return true
        }
    }
}
