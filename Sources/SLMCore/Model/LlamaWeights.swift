/// The weights of one transformer block: views into the mapped file (GGML shape `[in, out]`).
public struct LlamaLayerWeights: Sendable {
    /// `attn_norm` `[dim]`, dequantized.
    public let attentionNorm: [Float]
    /// `attn_q` `[dim, n_heads·head_dim]`.
    public let query: WeightMatrix
    /// `attn_k` `[dim, n_kv_heads·head_dim]`.
    public let key: WeightMatrix
    /// `attn_v` `[dim, n_kv_heads·head_dim]`.
    public let value: WeightMatrix
    /// `attn_output` `[n_heads·head_dim, dim]`.
    public let attentionOutput: WeightMatrix
    /// `ffn_norm` `[dim]`, dequantized.
    public let feedForwardNorm: [Float]
    /// `ffn_gate` `[dim, ff]`.
    public let gate: WeightMatrix
    /// `ffn_up` `[dim, ff]`.
    public let up: WeightMatrix
    /// `ffn_down` `[ff, dim]`.
    public let down: WeightMatrix
}

/// All weights of a llama-family model, found by their GGUF tensor names and checked against the hyper-parameters.
public struct LlamaWeights: Sendable {
    /// `token_embd` `[dim, vocab]`: row t is the embedding of token t.
    public let tokenEmbedding: WeightMatrix
    /// One entry per block.
    public let layers: [LlamaLayerWeights]
    /// `output_norm` `[dim]`, dequantized.
    public let outputNorm: [Float]
    /// `output` `[dim, vocab]`, or `token_embd` when the file has no `output.weight` (tied embeddings).
    public let output: WeightMatrix
    /// Whether `output` is the token embedding.
    public let outputIsTied: Bool

    /// Finds and checks every weight of `file` for `hyper`.
    /// - Throws: `GGUFError.missingTensor`/`.unexpectedTensor` or `ModelError.unsupportedTensorType`, naming the tensor.
    public init(file: GGUFFile, hyper h: LlamaHyperParameters) throws {
        func matrix(_ name: String, columns: Int, rows: Int) throws -> WeightMatrix {
            let info = try file.requireTensor(name)
            guard info.dimensions == [columns, rows] else {
                throw GGUFError.unexpectedTensor(tensor: name, reason: "shape \(info.dimensions), expected [\(columns), \(rows)]")
            }
            guard Dequantize.isDequantizable(info.type) else { throw ModelError.unsupportedTensorType(tensor: name, type: info.type) }
            return try file.weightMatrix(name)
        }
        func vector(_ name: String, count: Int) throws -> [Float] {
            let info = try file.requireTensor(name)
            guard info.dimensions == [count] else {
                throw GGUFError.unexpectedTensor(tensor: name, reason: "shape \(info.dimensions), expected [\(count)]")
            }
            guard Dequantize.isDequantizable(info.type) else { throw ModelError.unsupportedTensorType(tensor: name, type: info.type) }
            return Dequantize.array(info.type, from: file.bytes(of: info), count: count)
        }

        let dim = h.embeddingLength
        tokenEmbedding = try matrix("token_embd.weight", columns: dim, rows: h.vocabularySize)
        layers = try (0..<h.blockCount).map { i in
            let p = "blk.\(i)."
            return LlamaLayerWeights(
                attentionNorm: try vector(p + "attn_norm.weight", count: dim),
                query: try matrix(p + "attn_q.weight", columns: dim, rows: h.queryWidth),
                key: try matrix(p + "attn_k.weight", columns: dim, rows: h.keyValueWidth),
                value: try matrix(p + "attn_v.weight", columns: dim, rows: h.keyValueWidth),
                attentionOutput: try matrix(p + "attn_output.weight", columns: h.queryWidth, rows: dim),
                feedForwardNorm: try vector(p + "ffn_norm.weight", count: dim),
                gate: try matrix(p + "ffn_gate.weight", columns: dim, rows: h.feedForwardLength),
                up: try matrix(p + "ffn_up.weight", columns: dim, rows: h.feedForwardLength),
                down: try matrix(p + "ffn_down.weight", columns: h.feedForwardLength, rows: dim))
        }
        outputNorm = try vector("output_norm.weight", count: dim)
        if file.tensorInfo("output.weight") != nil {
            output = try matrix("output.weight", columns: dim, rows: h.vocabularySize)
            outputIsTied = false
        } else {
            output = tokenEmbedding
            outputIsTied = true
        }
    }
}
