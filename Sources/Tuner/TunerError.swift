import Foundation

/// Why a tuning run or the routing-state listener could not go on, with the context needed to fix the cause.
///
/// Descriptions never contain prompts, answers or database passwords.
public enum TunerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A `--window` value that is not a positive number followed by `m`, `h`, `d` or `w`.
    case invalidWindow(text: String)
    /// A tuner setting out of range (`field` names it).
    case invalidSetting(field: String, reason: String)
    /// No logged request of the window has a quality score, so there is nothing to learn from.
    case noScoredRequests(windowStart: Date, windowEnd: Date, requests: Int)
    /// A query of the tuner failed; `operation` names what it was doing.
    case queryFailed(operation: String, message: String)
    /// Routing's math rejected the inputs (a propensity outside (0, 1], a quality outside [0, 1]...).
    case invalidInputs(reason: String)
    /// A `routing_state` row could not be read as a tuned state.
    case unreadableState(version: Int64, reason: String)

    /// A message for people.
    public var description: String {
        switch self {
        case .invalidWindow(let text):
            return "invalid window '\(text)': expected a positive number and a unit, e.g. 30m, 12h, 7d or 2w"
        case .invalidSetting(let field, let reason):
            return "invalid tuner setting \(field): \(reason)"
        case .noScoredRequests(let start, let end, let requests):
            let format = ISO8601DateFormatter()
            return "no request between \(format.string(from: start)) and \(format.string(from: end)) has a quality score "
                + "(\(requests) logged requests with a route and propensity); post feedback or enable judge sampling, or widen --window"
        case .queryFailed(let operation, let message):
            return "\(operation) failed: \(message)"
        case .invalidInputs(let reason):
            return "the logged requests cannot be tuned on: \(reason)"
        case .unreadableState(let version, let reason):
            return "routing_state version \(version) cannot be read: \(reason)"
        }
    }
}
