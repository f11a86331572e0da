import Policy

/// Prices one call of a model from token counts: hosted models by their per-token prices,
/// local and worker models by CPU-seconds (so a local answer is never free).
public struct CostEstimator: Sendable, Equatable {
    /// CPU-seconds per token assumed when live stats give none.
    public var defaultCPUSecondsPerToken: Double

    /// Creates an estimator.
    public init(defaultCPUSecondsPerToken: Double) { self.defaultCPUSecondsPerToken = defaultCPUSecondsPerToken }

    /// Estimated USD cost of one call of `model` with these tokens.
    /// - Parameter cpuSecondsPerToken: the route's recent CPU time per token, if known.
    public func costUSD(of model: ModelSpec, tokens: TokenEstimate, cpuSecondsPerToken: Double? = nil) -> Double {
        switch model.provider {
        case .hosted(let hosted):
            return hosted.costUSD(inputTokens: tokens.inputTokens, outputTokens: tokens.outputTokens)
        case .local(let local):
            return local.pricePerCPUSecond * cpuSeconds(tokens, cpuSecondsPerToken)
        case .worker(let worker):
            return worker.pricePerCPUSecond * cpuSeconds(tokens, cpuSecondsPerToken)
        }
    }

    private func cpuSeconds(_ tokens: TokenEstimate, _ perToken: Double?) -> Double {
        Double(tokens.inputTokens + tokens.outputTokens) * (perToken ?? defaultCPUSecondsPerToken)
    }
}
