import SLMCore

/// Maps the scheduler's refusals onto the statuses the gateway already turns into HTTP answers.
enum LocalErrorMapping {
    /// `overloaded` → 429 with `Retry-After`; a prompt past the context or bad sampling → 400;
    /// shut down → 503; a model failure → 500.
    static func providerError(_ error: SchedulerError, provider: String) -> ProviderError {
        switch error {
        case let .overloaded(_, _, retryAfter):
            return .upstreamStatus(provider: provider, status: 429, message: error.description, retryAfter: String(retryAfter))
        case .promptTooLong, .emptyPrompt, .invalidSampling:
            return .upstreamStatus(provider: provider, status: 400, message: error.description, retryAfter: nil)
        case .shutDown:
            return .upstreamStatus(provider: provider, status: 503, message: error.description, retryAfter: "1")
        case .model:
            return .upstreamStatus(provider: provider, status: 500, message: error.description, retryAfter: nil)
        }
    }

    /// Any error thrown while a local stream runs, as a `ProviderError`.
    static func providerError(_ error: any Error, provider: String) -> ProviderError {
        switch error {
        case let error as ProviderError: return error
        case let error as SchedulerError: return providerError(error, provider: provider)
        default: return .streamInterrupted(provider: provider, detail: "\(error)")
        }
    }
}
