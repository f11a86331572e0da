import Testing
@testable import SLMCore

// Last-position logits and greedy decoding against ../shared/refs (see its README for the bounds):
// the default (int8) path against llama.cpp, the exact path also against the tight fp32 reference.

private func promptNames() -> [String] { ["greeting", "factual", "math", "code", "korean"] }

private func prompt(_ name: String) throws -> PromptReference {
    try #require(try PromptReference.all().first { $0.name == name }, "prompt \(name) missing from prompts.jsonl")
}

/// Logits after the whole prompt, evaluated as one batch on `path`.
private func lastLogits(_ prompt: PromptReference, path: ComputePath) throws -> [Float] {
    let session = try TestModel.shared().makeSession(maxContext: prompt.ids.count + 32, path: path)
    return try session.evaluate(prompt.ids.map(Int32.init))
}

@Test(arguments: promptNames())
func exactPathMatchesFP32ReferenceLogits(_ name: String) throws {
    let prompt = try prompt(name)
    let logits = try lastLogits(prompt, path: .exact)
    let reference = try TestSupport.refsLogits(prompt.fp32ref.logits_file)
    let diff = LogitStats.maxAbsDiff(logits, reference)
    let pearson = LogitStats.pearson(logits, reference)
    #expect(diff <= 0.05, "max abs diff \(diff)")
    #expect(pearson >= 0.99999, "Pearson \(pearson)")
    #expect(LogitStats.argmax(logits) == prompt.fp32ref.argmax)
}

@Test(arguments: promptNames(), [ComputePath.default, .exact])
func logitsMeetLlamaCppBounds(_ name: String, path: ComputePath) throws {
    let prompt = try prompt(name)
    let logits = try lastLogits(prompt, path: path)
    let reference = try TestSupport.refsLogits(prompt.logits_file)
    let pearson = LogitStats.pearson(logits, reference)
    #expect(pearson >= 0.995, "Pearson \(pearson)")
    let ours = LogitStats.logSumExp(logits)
    for (id, value) in zip(prompt.top20_ids, prompt.top20_logits) {
        let delta = abs((Double(logits[id]) - ours) - (value - prompt.logsumexp))
        #expect(delta <= 1.0, "token \(id): log-prob differs by \(delta)")
    }
    let margin = prompt.top20_logits[0] - prompt.top20_logits[1]
    let argmax = LogitStats.argmax(logits)
    if margin >= 1.0 {
        #expect(argmax == prompt.argmax, "margin \(margin)")
    } else {
        #expect(prompt.top20_ids.prefix(2).contains(argmax), "argmax \(argmax) is not one of llama.cpp's top 2")
    }
}

/// Greedy ids on `path`, feeding each argmax back one token at a time.
private func greedy(_ prompt: PromptReference, steps: Int, path: ComputePath) throws -> [Int] {
    let session = try TestModel.shared().makeSession(maxContext: prompt.ids.count + steps + 1, path: path)
    var logits = try session.evaluate(prompt.ids.map(Int32.init))
    var ids: [Int] = []
    for _ in 0..<steps {
        let next = LogitStats.argmax(logits)
        ids.append(next)
        if next == 2 { break }
        logits = try session.evaluate([Int32(next)])
    }
    return ids
}

/// The first step where `ours` leaves `reference`, or nil when it never does.
private func firstDivergence(_ ours: [Int], _ reference: [Int]) -> Int? {
    zip(ours, reference).enumerated().first { $0.element.0 != $0.element.1 }?.offset
}

@Test(arguments: promptNames())
func greedyDecodingFollowsLlamaCppUntilAThinMargin(_ name: String) throws {
    let prompt = try prompt(name)
    let ours = try greedy(prompt, steps: prompt.greedy_ids.count, path: .default)
    if let step = firstDivergence(ours, prompt.greedy_ids) {
        #expect(prompt.greedy_top1_minus_top2[step] < 1.0, "diverged at step \(step) where llama.cpp's margin is \(prompt.greedy_top1_minus_top2[step])")
    } else {
        #expect(ours.count == prompt.greedy_ids.count)
    }
}

@Test(arguments: promptNames())
func exactPathGreedyDecodingFollowsFP32Reference(_ name: String) throws {
    let prompt = try prompt(name)
    let reference = prompt.fp32ref.greedy_ids_16
    let ours = try greedy(prompt, steps: reference.count, path: .exact)
    if let step = firstDivergence(ours, reference) {
        #expect(prompt.fp32ref.greedy_top1_minus_top2[step] < 0.1, "diverged at step \(step)")
    } else {
        #expect(ours.count == reference.count)
    }
}
