/// Why a provider could not answer. The gateway maps each case to an HTTP status once.
///
/// `description` never holds a key, a prompt or an answer.
public enum ProviderError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The connection to the upstream could not be opened or broke before an answer.
    case connectionFailed(provider: String, host: String, detail: String)
    /// The upstream did not answer (or went silent) within the time allowed.
    case timedOut(provider: String, host: String, phase: String)
    /// The upstream answered with an error status.
    case upstreamStatus(provider: String, status: Int, message: String?, retryAfter: String?)
    /// The upstream's answer could not be read as its API promises.
    case malformedResponse(provider: String, detail: String)
    /// A stream ended or broke before its end marker.
    case streamInterrupted(provider: String, detail: String)

    /// A short machine-readable code, as logged and as sent in `error.code`.
    public var code: String {
        switch self {
        case .connectionFailed: return "upstream_connection_failed"
        case .timedOut: return "upstream_timeout"
        case .upstreamStatus(_, let status, _, _):
            return status == 429 ? "upstream_rate_limited" : "upstream_status_\(status)"
        case .malformedResponse: return "upstream_malformed_response"
        case .streamInterrupted: return "upstream_stream_interrupted"
        }
    }

    /// Whether a new attempt may succeed (connection failures and 5xx answers).
    public var isRetryable: Bool {
        switch self {
        case .connectionFailed: return true
        case .upstreamStatus(_, let status, _, _): return status >= 500
        case .timedOut, .malformedResponse, .streamInterrupted: return false
        }
    }

    public var description: String {
        switch self {
        case .connectionFailed(let provider, let host, let detail):
            return "Could not reach the \(provider) upstream at \(host): \(detail)."
        case .timedOut(let provider, let host, let phase):
            return "The \(provider) upstream at \(host) timed out \(phase)."
        case .upstreamStatus(let provider, let status, let message, _):
            return "The \(provider) upstream answered HTTP \(status)" + (message.map { ": \($0)" } ?? ".")
        case .malformedResponse(let provider, let detail):
            return "The \(provider) upstream sent an answer that could not be read: \(detail)."
        case .streamInterrupted(let provider, let detail):
            return "The \(provider) upstream's stream broke off: \(detail)."
        }
    }
}
