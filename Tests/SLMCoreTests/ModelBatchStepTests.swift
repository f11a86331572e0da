import Testing
@testable import SLMCore

// A batched decode step over several sessions must give each the logits (and cache) it would get alone.

/// Three prompts of different lengths from the GPL-3 token ids, so the sessions sit at different positions.
private func prompts() throws -> [[Int32]] {
    let ids = try PerplexityReference.load().token_ids.map(Int32.init)
    return [Array(ids[0..<7]), Array(ids[100..<131]), Array(ids[400..<403])]
}

/// Cache formats of the three sessions: all fp16, all 8-bit, and mixed in one batch.
let batchCacheFormats: [[KVCacheFormat]] = [[.f16, .f16, .f16], [.q8, .q8, .q8], [.q8, .f16, .q8]]

@Test(arguments: [(ComputePath.default, batchCacheFormats[0]), (.exact, batchCacheFormats[0]),
                  (.default, batchCacheFormats[1]), (.default, batchCacheFormats[2])])
func batchStepEqualsSeparateSingleSequenceSteps(path: ComputePath, formats: [KVCacheFormat]) throws {
    let model = try TestModel.shared()
    let prompts = try prompts()
    let steps = 4
    func sessions() -> [LlamaSession] {
        zip(prompts, formats).map { model.makeSession(maxContext: $0.count + steps, path: path, cacheFormat: $1) }
    }

    // Each sequence alone: prefill, then greedy tokens one at a time.
    let alone = sessions()
    var aloneLogits: [[[Float]]] = []
    var fed: [[Int32]] = []
    for (session, prompt) in zip(alone, prompts) {
        var logits = try session.evaluate(prompt)
        var rows: [[Float]] = [], tokens: [Int32] = []
        for _ in 0..<steps {
            let next = Int32(LogitStats.argmax(logits))
            tokens.append(next)
            logits = try session.evaluate([next])
            rows.append(logits)
        }
        aloneLogits.append(rows)
        fed.append(tokens)
    }

    // The same tokens, all sequences in one batch step per token.
    let together = sessions()
    for (session, prompt) in zip(together, prompts) { _ = try session.evaluate(prompt) }
    let step = LlamaBatchStep(model: model, maxSequences: 4, path: path)
    for t in 0..<steps {
        let rows = try step.evaluate(together, tokens: fed.map { $0[t] })
        #expect(rows.count == prompts.count)
        for i in prompts.indices {
            let diff = LogitStats.maxAbsDiff(rows[i], aloneLogits[i][t])
            #expect(diff == 0, "sequence \(i), step \(t): max abs diff \(diff)")
        }
    }
    #expect(together.map(\.position) == alone.map(\.position))
}

@Test func batchStepRejectsBadInputWithoutEvaluating() throws {
    let model = try TestModel.shared()
    let a = model.makeSession(maxContext: 4), b = model.makeSession(maxContext: 1)
    _ = try b.evaluate([5])
    let step = LlamaBatchStep(model: model, maxSequences: 2)
    #expect(throws: ModelError.emptyInput) { try step.evaluate([], tokens: []) }
    #expect(throws: ModelError.batchMismatch(sessions: 1, tokens: 2)) { try step.evaluate([a], tokens: [1, 2]) }
    #expect(throws: ModelError.tooManySequences(count: 3, maxSequences: 2)) {
        try step.evaluate([a, b, model.makeSession(maxContext: 4)], tokens: [1, 2, 3])
    }
    #expect(throws: ModelError.contextFull(position: 1, adding: 1, maxContext: 1)) { try step.evaluate([a, b], tokens: [1, 2]) }
    #expect(throws: ModelError.tokenOutOfRange(token: -1, vocabularySize: model.hyper.vocabularySize)) {
        try step.evaluate([a], tokens: [-1])
    }
    #expect(a.position == 0 && b.position == 1)
}
