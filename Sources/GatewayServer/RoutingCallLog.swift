import Foundation
import Providers
import Synchronization
import SwitchyardTypes

/// Collects one request's model calls (`model_calls` rows) in the order they were made.
///
/// Each provider call adds one record per upstream attempt: the first carries the call's purpose
/// (`answer`, `cascade_step`, `fallback`, `knowledge`), later ones are `retry`; the last attempt carries
/// the tokens, cost and confidence of the answer.
final class RoutingCallLog: Sendable {
    private let records = Mutex<[ModelCallRecord]>([])

    /// One finished (or failed) provider call.
    struct Call: Sendable {
        var purpose: String
        var route: String
        var model: GatewayModel
        var provider: String
        var attempts: [ProviderAttempt]
        var startedAt: Date
        var latencyMS: Double
        var usage: Usage?
        var costUSD: Double?
        var ttftMS: Double?
        var confidence: ConfidenceRecord?
        var accepted: Bool
        var errorCode: String?
    }

    /// Adds the records of one call.
    func append(_ call: Call) {
        var attempts = call.attempts
        if attempts.isEmpty {
            attempts = [ProviderAttempt(startedAt: call.startedAt, latencyMS: call.latencyMS, status: call.errorCode == nil ? 200 : nil,
                                        errorCode: call.errorCode)]
        }
        records.withLock { all in
            for (index, attempt) in attempts.enumerated() {
                let isLast = index == attempts.count - 1
                all.append(ModelCallRecord(
                    sequence: all.count, purpose: index == 0 ? call.purpose : "retry", route: call.route, provider: call.provider,
                    model: call.model.name, startedAt: attempt.startedAt, status: attempt.status,
                    errorCode: attempt.errorCode ?? (isLast ? call.errorCode : nil),
                    inputTokens: isLast ? call.usage?.promptTokens ?? 0 : 0, outputTokens: isLast ? call.usage?.completionTokens ?? 0 : 0,
                    costUSD: isLast ? call.costUSD : nil, latencyMS: isLast ? call.latencyMS : attempt.latencyMS,
                    ttftMS: isLast ? call.ttftMS : nil, accepted: isLast && call.accepted, confidence: isLast ? call.confidence : nil))
            }
        }
    }

    /// Every record so far.
    var all: [ModelCallRecord] { records.withLock { $0 } }

    /// The summed cost of every call whose cost is known; nil when none is.
    var totalCostUSD: Double? {
        let costs = all.compactMap(\.costUSD)
        return costs.isEmpty ? nil : costs.reduce(0, +)
    }
}
