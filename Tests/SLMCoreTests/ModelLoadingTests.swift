import Foundation
import Testing
@testable import SLMCore

/// A tiny llama model written by hand in F32: 1 block, width 32, 4 query heads over 2 KV heads, vocabulary 8.
private struct TinyLlama {
    var metadata: [(String, GGUFValue)] = [
        ("general.architecture", .string("llama")),
        ("llama.embedding_length", .uint32(32)),
        ("llama.block_count", .uint32(1)),
        ("llama.feed_forward_length", .uint32(64)),
        ("llama.attention.head_count", .uint32(4)),
        ("llama.attention.head_count_kv", .uint32(2)),
        ("llama.attention.layer_norm_rms_epsilon", .float32(1e-5)),
        ("llama.rope.freq_base", .float32(10000)),
        ("llama.context_length", .uint32(64)),
    ]
    var shapes: [(String, [UInt64])] = [
        ("token_embd.weight", [32, 8]),
        ("blk.0.attn_norm.weight", [32]),
        ("blk.0.attn_q.weight", [32, 32]),
        ("blk.0.attn_k.weight", [32, 16]),
        ("blk.0.attn_v.weight", [32, 16]),
        ("blk.0.attn_output.weight", [32, 32]),
        ("blk.0.ffn_norm.weight", [32]),
        ("blk.0.ffn_gate.weight", [32, 64]),
        ("blk.0.ffn_up.weight", [32, 64]),
        ("blk.0.ffn_down.weight", [64, 32]),
        ("output_norm.weight", [32]),
    ]

    func path() throws -> String {
        var writer = GGUFTestWriter()
        writer.metadata = metadata
        var seed: UInt64 = 42
        writer.tensors = shapes.map { name, dims in
            let count = Int(dims.reduce(1, *))
            let values = (0..<count).map { _ -> Float in
                seed = seed &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
                let unit = Float(seed >> 40) / Float(1 << 24)
                return name.hasSuffix("norm.weight") ? 0.5 + unit : (unit - 0.5) * 0.6
            }
            return .init(name: name, dimensions: dims, rawType: GGMLType.f32.rawValue, data: GGUFTestWriter.floatBytes(values))
        }
        return try TestSupport.temporaryFile(writer.bytes())
    }

    func model() throws -> LlamaModel { try LlamaModel(path: path()) }
}

@Test func readsHyperParametersFromMetadataAndTiesTheOutputHead() throws {
    let model = try TinyLlama().model()
    #expect(model.hyper.headDimension == 8)
    #expect(model.hyper.queryHeadsPerKVHead == 2)
    #expect(model.hyper.vocabularySize == 8)
    #expect(model.hyper.ropeDimensionCount == 8)
    #expect(model.weights.outputIsTied)
}

@Test(arguments: [ComputePath.exact, .quantized])
func batchedPrefillEqualsOneTokenAtATime(path: ComputePath) throws {
    let model = try TinyLlama().model()
    let tokens: [Int32] = [3, 1, 4, 1, 5, 2, 6, 5, 3, 5]
    var batched: [[Float]] = []
    try model.makeSession(maxContext: 16, path: path).evaluate(tokens, logitsFor: 0..<tokens.count) { _, logits in batched.append(Array(logits)) }
    var splitBatches: [[Float]] = []
    try model.makeSession(maxContext: 16, maxBatch: 3, path: path).evaluate(tokens, logitsFor: 0..<tokens.count) { _, logits in splitBatches.append(Array(logits)) }
    let single = model.makeSession(maxContext: 16, path: path)
    let stepwise = try tokens.map { try single.evaluate([$0]) }
    #expect(batched.count == tokens.count)
    for i in tokens.indices {
        #expect(LogitStats.maxAbsDiff(batched[i], stepwise[i]) < 1e-4, "position \(i)")
        #expect(LogitStats.maxAbsDiff(batched[i], splitBatches[i]) < 1e-4, "position \(i)")
    }
    // Later positions see earlier tokens: the same token at two positions gives different logits.
    #expect(batched[1] != batched[3])
}

@Test(arguments: [ComputePath.exact, .quantized])
func promptLongerThanTheBatchGivesTheLastLogitsOfOneBatch(path: ComputePath) throws {
    // Only the last row's logits are wanted, so the batches before it have none to give.
    let model = try TinyLlama().model()
    let tokens: [Int32] = [3, 1, 4, 1, 5, 2, 6, 5, 3, 5]
    let whole = try model.makeSession(maxContext: 16, path: path).evaluate(tokens)
    let split = try model.makeSession(maxContext: 16, maxBatch: 4, path: path).evaluate(tokens)
    #expect(whole.count == 8 && split.count == 8)
    #expect(LogitStats.maxAbsDiff(whole, split) < 1e-4)
    var seen: [Int] = []
    try model.makeSession(maxContext: 16, maxBatch: 3, path: path).evaluate(tokens, logitsFor: 4..<6) { i, _ in seen.append(i) }
    #expect(seen == [4, 5])
}

@Test(arguments: [ComputePath.exact, .quantized])
func aCacheInHugePagesGivesTheSameLogits(path: ComputePath) throws {
    let model = try TinyLlama().model()
    let tokens: [Int32] = [3, 1, 4, 1, 5, 2, 6, 5, 3, 5]
    let onDemand = model.makeSession(maxContext: 16, maxBatch: 4, path: path)
    let huge = model.makeSession(maxContext: 16, maxBatch: 4, path: path, cacheBacking: .hugePages)
    #expect(try huge.evaluate(tokens) == onDemand.evaluate(tokens))
    #expect(try huge.evaluate([2]) == onDemand.evaluate([2]))
    #if os(Linux)
    // The cache's keys and values each start on a 2 MiB boundary, as huge pages need.
    #expect(Int(bitPattern: huge.state.cache.keys) % (2 << 20) == 0)
    #expect(Int(bitPattern: huge.state.cache.values) % (2 << 20) == 0)
    #endif
}

@Test func rewindingReplaysTheSameLogits() throws {
    let session = try TinyLlama().model().makeSession(maxContext: 16)
    _ = try session.evaluate([1, 2, 3])
    let first = try session.evaluate([4])
    session.rewind(to: 3)
    #expect(try session.evaluate([4]) == first)
    #expect(session.position == 4)
}

@Test func rejectsTokensOutsideTheVocabularyAndAFullContext() throws {
    let session = try TinyLlama().model().makeSession(maxContext: 4)
    #expect(throws: ModelError.tokenOutOfRange(token: 8, vocabularySize: 8)) { try session.evaluate([8]) }
    #expect(throws: ModelError.emptyInput) { try session.evaluate([]) }
    _ = try session.evaluate([1, 2, 3])
    #expect(throws: ModelError.contextFull(position: 3, adding: 2, maxContext: 4)) { try session.evaluate([1, 2]) }
}

@Test func missingHyperParameterNamesTheKey() throws {
    var tiny = TinyLlama()
    tiny.metadata.removeAll { $0.0 == "llama.block_count" }
    #expect(throws: GGUFError.missingKey("llama.block_count")) { try tiny.model() }
}

@Test func headCountsThatDoNotDivideAreRejected() throws {
    var tiny = TinyLlama()
    tiny.metadata = tiny.metadata.map { $0.0 == "llama.attention.head_count_kv" ? ($0.0, .uint32(3)) : $0 }
    #expect(throws: GGUFError.invalidValue(key: "llama.attention.head_count_kv", reason: "3 does not divide head_count 4")) {
        try tiny.model()
    }
}

@Test func wrongTensorShapeNamesTheTensor() throws {
    var tiny = TinyLlama()
    tiny.shapes = tiny.shapes.map { $0.0 == "blk.0.attn_k.weight" ? ($0.0, [32, 32]) : $0 }
    #expect(throws: GGUFError.unexpectedTensor(tensor: "blk.0.attn_k.weight", reason: "shape [32, 32], expected [32, 16]")) {
        try tiny.model()
    }
}

@Test func missingTensorIsNamed() throws {
    var tiny = TinyLlama()
    tiny.shapes.removeAll { $0.0 == "blk.0.ffn_up.weight" }
    #expect(throws: GGUFError.missingTensor("blk.0.ffn_up.weight")) { try tiny.model() }
}

@Test func unsupportedArchitectureIsRejected() throws {
    var tiny = TinyLlama()
    tiny.metadata[0] = ("general.architecture", .string("mamba"))
    #expect(throws: ModelError.unsupportedArchitecture("mamba")) { try tiny.model() }
}

@Test func separateOutputHeadIsUsedWhenPresent() throws {
    var tiny = TinyLlama()
    tiny.shapes.append(("output.weight", [32, 8]))
    let model = try tiny.model()
    #expect(!model.weights.outputIsTied)
    #expect(model.weights.output.base != model.weights.tokenEmbedding.base)
}
