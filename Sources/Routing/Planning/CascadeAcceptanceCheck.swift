import Policy
import SwitchyardTypes

/// The cascade's verdict on one step's answer.
public enum CascadeVerdict: Sendable, Equatable {
    /// Return this answer to the client.
    case accept(reason: String)
    /// Discard the answer and call the next route; `next` is nil when no route is left (then the answer is kept).
    case escalate(reason: String, next: PlannedRoute)
}

extension Decision {
    /// Whether to accept the answer of cascade step `route` or escalate, from its confidence signals
    /// and the rule's thresholds.
    ///
    /// The last route of the plan is always accepted (nothing to escalate to). An answer without
    /// confidence signals (hosted models give none) is accepted. A non-cascade decision always accepts.
    public func cascadeVerdict(after route: String, confidence: ConfidenceRecord?) -> CascadeVerdict {
        guard case .cascade(let thresholds) = strategy else { return .accept(reason: "not a cascade") }
        guard let index = plan.firstIndex(where: { $0.route == route }), index + 1 < plan.count else {
            return .accept(reason: "last route of the plan")
        }
        guard let confidence else { return .accept(reason: "no confidence signals") }
        if thresholds.accepts(meanLogprob: confidence.meanLogprob, minLogprob: confidence.minLogprob,
                              meanEntropy: confidence.meanEntropy) {
            return .accept(reason: "confidence passes the thresholds")
        }
        return .escalate(reason: Self.failedThresholds(thresholds, confidence).joined(separator: ", "), next: plan[index + 1])
    }

    /// The thresholds an answer's confidence misses, named as in the policy file.
    static func failedThresholds(_ thresholds: CascadeAcceptance, _ confidence: ConfidenceRecord) -> [String] {
        var failed: [String] = []
        if let limit = thresholds.minMeanLogprob, confidence.meanLogprob < limit {
            failed.append("mean logprob \(confidence.meanLogprob) < min_mean_logprob \(limit)")
        }
        if let limit = thresholds.minTokenLogprob, confidence.minLogprob < limit {
            failed.append("min logprob \(confidence.minLogprob) < min_token_logprob \(limit)")
        }
        if let limit = thresholds.maxMeanEntropy, confidence.meanEntropy > limit {
            failed.append("mean entropy \(confidence.meanEntropy) > max_mean_entropy \(limit)")
        }
        return failed
    }
}
