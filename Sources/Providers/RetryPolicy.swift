/// How often and how long to wait before trying an upstream again (exponential backoff, equal jitter).
public struct RetryPolicy: Sendable, Equatable {
    /// Retries after the first attempt (0 = one attempt only).
    public var maxRetries: Int
    /// The wait before the first retry, before jitter.
    public var baseDelay: Duration
    /// The longest wait, before jitter.
    public var maxDelay: Duration

    public init(maxRetries: Int, baseDelay: Duration = .milliseconds(100), maxDelay: Duration = .seconds(2)) {
        self.maxRetries = max(0, maxRetries); self.baseDelay = baseDelay; self.maxDelay = maxDelay
    }

    /// The wait before retry number `retry` (0-based): `min(max, base·2^retry)` scaled into `[½, 1]` by `jitter`.
    /// - Parameter jitter: A value in `[0, 1]`, random in production, fixed in tests.
    public func delay(beforeRetry retry: Int, jitter: Double) -> Duration {
        let exponent = min(max(retry, 0), 30)
        let uncapped = baseDelay * (1 << exponent)
        let capped = uncapped > maxDelay ? maxDelay : uncapped
        let fraction = 0.5 + 0.5 * min(max(jitter, 0), 1)
        return capped * fraction
    }
}
