#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Perplexity of a model on a token sequence, computed the way llama.cpp's `llama-perplexity` does.
///
/// The tokens are cut into chunks of `context` tokens (a shorter tail is dropped). Each chunk is
/// evaluated from position 0 with an empty cache, and positions `context/2 ..< context−1` are
/// scored against the next token. PPL = exp(mean negative log-likelihood over all scored tokens).
public enum Perplexity {
    /// The outcome of a run.
    public struct Result: Sendable, Equatable {
        /// Chunks evaluated.
        public let chunks: Int
        /// Tokens scored in total.
        public let scoredTokens: Int
        /// Final perplexity.
        public let perplexity: Double
        /// Perplexity after each chunk (llama-perplexity's `[1] [2] ...` figures).
        public let runningByChunk: [Double]
    }

    /// Chunks that `tokenCount` tokens make at `context` tokens each.
    public static func chunkCount(tokenCount: Int, context: Int) -> Int { tokenCount / context }

    /// Runs the procedure over `tokens` with `session` (whose `maxContext` must be ≥ `context`).
    /// - Parameters:
    ///   - maxChunks: stop after this many chunks (all when nil).
    ///   - observe: when given, called for every position `0 ..< context−1` of every chunk with
    ///     its logits (computing logits for all positions, not only the scored half).
    ///   - progress: called after each chunk with its index and the running perplexity.
    /// - Throws: `ModelError` when a chunk cannot be evaluated.
    public static func evaluate(
        session: LlamaSession, tokens: [Int32], context: Int = 512, maxChunks: Int? = nil,
        observe: ((_ chunk: Int, _ position: Int, _ logits: UnsafeBufferPointer<Float>) -> Void)? = nil,
        progress: ((_ chunk: Int, _ perplexity: Double) -> Void)? = nil
    ) throws(ModelError) -> Result {
        let chunks = min(chunkCount(tokenCount: tokens.count, context: context), maxChunks ?? .max)
        let firstScored = context / 2
        var totalNLL = 0.0
        var scored = 0
        var running: [Double] = []
        for chunk in 0..<chunks {
            let chunkTokens = Array(tokens[(chunk * context)..<((chunk + 1) * context)])
            session.reset()
            let wanted = (observe == nil ? firstScored : 0)..<(context - 1)
            try session.evaluate(chunkTokens, logitsFor: wanted) { position, logits in
                observe?(chunk, position, logits)
                guard position >= firstScored else { return }
                totalNLL += negativeLogLikelihood(logits, target: Int(chunkTokens[position + 1]))
                scored += 1
            }
            running.append(exp(totalNLL / Double(scored)))
            progress?(chunk, running.last!)
        }
        return Result(chunks: chunks, scoredTokens: scored, perplexity: running.last ?? .nan, runningByChunk: running)
    }

    /// −ln softmax(logits)[target], with the log-sum-exp in Double.
    public static func negativeLogLikelihood(_ logits: UnsafeBufferPointer<Float>, target: Int) -> Double {
        var maximum = -Float.infinity
        for v in logits { maximum = max(maximum, v) }
        var sum = 0.0
        for v in logits { sum += exp(Double(v - maximum)) }
        return log(sum) + Double(maximum) - Double(logits[target])
    }
}
