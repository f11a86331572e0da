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

/// Per-position agreement of one path with llama.cpp over the first two chunks of GPL-3.
private struct FirstTwoChunks {
    var result: Perplexity.Result
    var agree = 0, compared = 0, nllDiffSum = 0.0, nllDiffMax = 0.0
    var wideMarginMisses: [String] = []

    init(path: ComputePath, reference: PerplexityReference, cacheFormat: KVCacheFormat = .f16) throws {
        let session = try TestModel.shared().makeSession(maxContext: reference.n_ctx, path: path, cacheFormat: cacheFormat)
        let tokens = reference.token_ids.map(Int32.init)
        var stats = (agree: 0, compared: 0, sum: 0.0, max: 0.0, misses: [String]())
        result = try Perplexity.evaluate(session: session, tokens: tokens, context: reference.n_ctx, maxChunks: 2) { chunk, position, logits in
            let ref = reference.first_2_chunks_per_position[chunk]
            let argmax = LogitStats.argmax(logits)
            stats.compared += 1
            if argmax == ref.argmax[position] { stats.agree += 1 }
            else if ref.top1_minus_top2[position] >= 1.0 { stats.misses.append("chunk \(chunk) position \(position)") }
            let target = Int(tokens[ref.first_token_index + position + 1])
            let diff = abs(Perplexity.negativeLogLikelihood(logits, target: target) - ref.nll_next[position])
            stats.sum += diff
            stats.max = max(stats.max, diff)
        }
        (agree, compared, nllDiffSum, nllDiffMax, wideMarginMisses) = stats
    }

    /// The README's per-position bounds against llama.cpp, and ±2 % of its perplexity.
    func expectLlamaCppBounds(_ reference: PerplexityReference) {
        #expect(result.chunks == 2 && result.scoredTokens == 2 * 255)
        #expect(abs(result.perplexity / reference.ppl_first_2_chunks - 1) <= 0.02,
                "PPL \(result.perplexity) vs llama.cpp \(reference.ppl_first_2_chunks)")
        #expect(compared == 2 * 511)
        #expect(Double(agree) / Double(compared) >= 0.93, "argmax agreement \(agree)/\(compared)")
        #expect(wideMarginMisses.isEmpty, "argmax differs at margin ≥ 1: \(wideMarginMisses)")
        #expect(nllDiffSum / Double(compared) <= 0.15, "mean |Δ nll| \(nllDiffSum / Double(compared))")
        #expect(nllDiffMax <= 1.5, "max |Δ nll| \(nllDiffMax)")
    }
}

/// First two 512-token chunks on the default (int8) path, per position against llama.cpp.
@Test func defaultPathFirstTwoChunksMatchLlamaCpp() throws {
    let reference = try PerplexityReference.load()
    try FirstTwoChunks(path: .default, reference: reference).expectLlamaCppBounds(reference)
}

/// First two chunks on the default path with the 8-bit KV cache: the same bounds against
/// llama.cpp's fp16 cache (prefill reads the cache through the run kernel, so every position's
/// attention goes through it).
@Test func eightBitCacheFirstTwoChunksMatchLlamaCpp() throws {
    let reference = try PerplexityReference.load()
    try FirstTwoChunks(path: .default, reference: reference, cacheFormat: .q8).expectLlamaCppBounds(reference)
}

/// First two chunks on the exact path: within ±0.1 % of the fp32 reference (the tight check), and
/// per position against llama.cpp.
@Test func exactPathFirstTwoChunksMatchTheReferences() throws {
    let reference = try PerplexityReference.load()
    let run = try FirstTwoChunks(path: .exact, reference: reference)
    let relative = abs(run.result.perplexity / reference.fp32ref_ppl_first_2_chunks - 1)
    #expect(relative <= 0.001, "PPL \(run.result.perplexity) vs fp32 reference \(reference.fp32ref_ppl_first_2_chunks)")
    run.expectLlamaCppBounds(reference)
}

/// The whole GPL-3 text (14 chunks) on the default path within 2 % of llama.cpp's 18.354.
@Test func wholeTextPerplexityIsWithinTwoPercentOfLlamaCpp() throws {
    let reference = try PerplexityReference.load()
    let session = try TestModel.shared().makeSession(maxContext: reference.n_ctx, path: .default)
    let result = try Perplexity.evaluate(session: session, tokens: reference.token_ids.map(Int32.init), context: reference.n_ctx)
    #expect(result.chunks == reference.n_chunks)
    #expect(abs(result.perplexity / reference.ppl - 1) <= 0.02, "PPL \(result.perplexity) vs llama.cpp \(reference.ppl)")
}
