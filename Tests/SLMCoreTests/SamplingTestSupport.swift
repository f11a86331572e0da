import Foundation
@testable import SLMCore

/// Helpers for the sampling tests: logits from probabilities, and many draws.
enum SamplingFixtures {
    /// Logits whose softmax is `probabilities` (which need not sum to 1).
    static func logits(fromProbabilities probabilities: [Double]) -> [Float] {
        probabilities.map { Float(log($0)) }
    }

    /// A sampler with the given settings; the vocabulary is the logits' length.
    static func sampler(_ logits: [Float], configure: (inout SamplingParameters) -> Void) throws -> TokenSampler {
        var parameters = SamplingParameters()
        configure(&parameters)
        return try TokenSampler(parameters: parameters, vocabularySize: logits.count)
    }

    /// The ids of `count` draws from `logits`.
    static func draws(_ count: Int, from logits: [Float], configure: (inout SamplingParameters) -> Void) throws -> [Int32] {
        var sampler = try sampler(logits, configure: configure)
        var scratch = logits
        return (0..<count).map { _ in sampler.sample(&scratch).id }
    }
}
