import Foundation
import Providers
import SwitchyardTypes

/// A provider that reports each answer's confidence (and, when it knows it, its cost) beside the answer,
/// as local models do; cascades check these figures before accepting a cheap answer.
public protocol ConfidenceReportingProvider: ChatProvider {
    /// Answers in one piece, with the answer's confidence signals and cost in USD when known.
    func completeWithConfidence(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws
        -> (response: ChatCompletionResponse, confidence: ConfidenceRecord?, costUSD: Double?)
}

extension LocalSLMProvider: ConfidenceReportingProvider {
    /// The local answer with the confidence and CPU-time cost the inference core measured.
    public func completeWithConfidence(_ request: ChatCompletionRequest, attempts: ProviderAttemptLog) async throws
        -> (response: ChatCompletionResponse, confidence: ConfidenceRecord?, costUSD: Double?) {
        let (response, info) = try await answer(request, attempts: attempts)
        return (response, info.confidence, info.costUSD)
    }
}

/// Confidence signals read from an OpenAI-style `logprobs` object of a hosted answer.
enum CascadeConfidence {
    /// Mean and minimum token logprob and mean entropy of `choice.logprobs.content`; nil when it has no tokens.
    ///
    /// The entropy of a token is computed over its `top_logprobs` (renormalised) when at least two are
    /// given; otherwise the token's surprisal (−logprob) stands in for it, whose mean estimates the mean entropy.
    static func fromLogprobs(_ logprobs: JSONValue?) -> ConfidenceRecord? {
        guard case .array(let tokens)? = logprobs?["content"] else { return nil }
        var sum = 0.0, minimum = 0.0, entropySum = 0.0, count = 0
        for token in tokens {
            guard case .number(let logprob)? = token["logprob"], logprob.isFinite else { continue }
            sum += logprob
            minimum = count == 0 ? logprob : min(minimum, logprob)
            entropySum += entropy(of: token) ?? -logprob
            count += 1
        }
        guard count > 0 else { return nil }
        return ConfidenceRecord(meanLogprob: sum / Double(count), minLogprob: minimum, meanEntropy: entropySum / Double(count))
    }

    /// The entropy in nats of one token's renormalised `top_logprobs`, nil with fewer than two alternatives.
    private static func entropy(of token: JSONValue) -> Double? {
        guard case .array(let top)? = token["top_logprobs"] else { return nil }
        let logprobs = top.compactMap { entry -> Double? in
            if case .number(let value)? = entry["logprob"], value.isFinite { return value }
            return nil
        }
        guard logprobs.count >= 2, let largest = logprobs.max() else { return nil }
        let weights = logprobs.map { exp($0 - largest) }
        let total = weights.reduce(0, +)
        return -weights.reduce(0) { sum, weight in
            let p = weight / total
            return p > 0 ? sum + p * log(p) : sum
        }
    }
}
