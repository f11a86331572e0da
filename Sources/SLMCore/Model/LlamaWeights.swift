/// The weights of one transformer block: views into the mapped file (GGML shape `[in, out]`).
public struct LlamaLayerWeights: Sendable {
    /// `attn_norm` `[dim]`, dequantized.
    public let attentionNorm: [Float]
    /// `attn_q` `[dim, n_heads·head_dim]`.
    public internal(set) var query: WeightMatrix
    /// `attn_k` `[dim, n_kv_heads·head_dim]`.
    public internal(set) var key: WeightMatrix
    /// `attn_v` `[dim, n_kv_heads·head_dim]`.
    public internal(set) var value: WeightMatrix
    /// `attn_output` `[n_heads·head_dim, dim]`.
    public internal(set) var attentionOutput: WeightMatrix
    /// `ffn_norm` `[dim]`, dequantized.
    public let feedForwardNorm: [Float]
    /// `ffn_gate` `[dim, ff]`.
    public internal(set) var gate: WeightMatrix
    /// `ffn_up` `[dim, ff]`.
    public internal(set) var up: WeightMatrix
    /// `ffn_down` `[ff, dim]`.
    public internal(set) var down: WeightMatrix
}

/// All weights of a llama-family model, found by their GGUF tensor names and checked against the hyper-parameters.
public struct LlamaWeights: Sendable {
    /// `token_embd` `[dim, vocab]`: row t is the embedding of token t.
    public internal(set) var tokenEmbedding: WeightMatrix
    /// One entry per block.
    public internal(set) var layers: [LlamaLayerWeights]
    /// `output_norm` `[dim]`, dequantized.
    public let outputNorm: [Float]
    /// `output` `[dim, vocab]`, or `token_embd` when the file has no `output.weight` (tied embeddings).
    public internal(set) var output: WeightMatrix
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

    /// Every distinct weight matrix, in a fixed order (the tied output head counted once).
    var matrices: [WeightMatrix] {
        var all = [tokenEmbedding]
        for layer in layers {
            all += [layer.query, layer.key, layer.value, layer.attentionOutput, layer.gate, layer.up, layer.down]
        }
        if !outputIsTied { all.append(output) }
        return all
    }

    /// These weights with each matrix's repacked copy from `repacked` (made from `matrices`).
    func withPanels(_ repacked: RepackedWeights) -> LlamaWeights {
        var copy = self
        var next = repacked.panels.makeIterator()
        func attach(_ matrix: inout WeightMatrix) {
            if let panels = next.next() ?? nil { matrix = matrix.withPanels(panels) }
        }
        attach(&copy.tokenEmbedding)
        for l in copy.layers.indices {
            attach(&copy.layers[l].query)
            attach(&copy.layers[l].key)
            attach(&copy.layers[l].value)
            attach(&copy.layers[l].attentionOutput)
            attach(&copy.layers[l].gate)
            attach(&copy.layers[l].up)
            attach(&copy.layers[l].down)
        }
        if outputIsTied { copy.output = copy.tokenEmbedding } else { attach(&copy.output) }
        return copy
    }
}
