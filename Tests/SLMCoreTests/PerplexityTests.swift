import Foundation
import Testing
@testable import SLMCore

@Test func negativeLogLikelihoodOfUniformLogitsIsLogOfTheCount() {
    let logits: [Float] = [3, 3, 3, 3]
    let nll = logits.withUnsafeBufferPointer { Perplexity.negativeLogLikelihood($0, target: 2) }
    #expect(abs(nll - log(4.0)) < 1e-12)
}

@Test func chunkingDropsTheShortTail() {
    #expect(Perplexity.chunkCount(tokenCount: 7638, context: 512) == 14)
    #expect(Perplexity.chunkCount(tokenCount: 511, context: 512) == 0)
}

/// First two 512-token chunks of GPL-3: exact path vs the fp32 reference (±0.1 %), and per
/// position vs llama.cpp (argmax agreement, argmax at wide margins, next-token NLL).
@Test func firstTwoChunksMatchTheReferences() throws {
    let reference = try PerplexityReference.load()
    let session = try TestModel.shared().makeSession(maxContext: reference.n_ctx)
    var agree = 0, compared = 0, nllDiffSum = 0.0, nllDiffMax = 0.0
    var wideMarginMisses: [String] = []
    let tokens = reference.token_ids.map(Int32.init)
    let result = try Perplexity.evaluate(session: session, tokens: tokens, context: reference.n_ctx, maxChunks: 2) { chunk, position, logits in
        let ref = reference.first_2_chunks_per_position[chunk]
        let argmax = LogitStats.argmax(logits)
        compared += 1
        if argmax == ref.argmax[position] { agree += 1 }
        else if ref.top1_minus_top2[position] >= 1.0 { wideMarginMisses.append("chunk \(chunk) position \(position)") }
        let target = Int(tokens[ref.first_token_index + position + 1])
        let diff = abs(Perplexity.negativeLogLikelihood(logits, target: target) - ref.nll_next[position])
        nllDiffSum += diff
        nllDiffMax = max(nllDiffMax, diff)
    }
    #expect(result.chunks == 2 && result.scoredTokens == 2 * 255)
    let relative = abs(result.perplexity / reference.fp32ref_ppl_first_2_chunks - 1)
    #expect(relative <= 0.001, "PPL \(result.perplexity) vs fp32 reference \(reference.fp32ref_ppl_first_2_chunks)")
    #expect(abs(result.perplexity / reference.ppl_first_2_chunks - 1) <= 0.02)
    #expect(compared == 2 * 511)
    #expect(Double(agree) / Double(compared) >= 0.93, "argmax agreement \(agree)/\(compared)")
    #expect(wideMarginMisses.isEmpty, "argmax differs at margin ≥ 1: \(wideMarginMisses)")
    #expect(nllDiffSum / Double(compared) <= 0.15, "mean |Δ nll| \(nllDiffSum / Double(compared))")
    #expect(nllDiffMax <= 1.5, "max |Δ nll| \(nllDiffMax)")
}

/// The whole GPL-3 text (14 chunks) within 2 % of llama.cpp's 18.354.
@Test func wholeTextPerplexityIsWithinTwoPercentOfLlamaCpp() throws {
    let reference = try PerplexityReference.load()
    let session = try TestModel.shared().makeSession(maxContext: reference.n_ctx)
    let result = try Perplexity.evaluate(session: session, tokens: reference.token_ids.map(Int32.init), context: reference.n_ctx)
    #expect(result.chunks == reference.n_chunks)
    #expect(abs(result.perplexity / reference.ppl - 1) <= 0.02, "PPL \(result.perplexity) vs llama.cpp \(reference.ppl)")
}
