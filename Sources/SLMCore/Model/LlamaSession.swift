/// One sequence running on a `LlamaModel`: the KV cache, the buffers and the forward pass.
///
/// A session is used by one task at a time. `evaluate` appends tokens at `position` (prompts in
/// batches of up to `maxBatch` positions per forward pass) and hands out the logits asked for.
public final class LlamaSession {
    /// The model this session runs.
    public let model: LlamaModel
    /// Tokens the KV cache holds.
    public let maxContext: Int
    /// Positions per forward pass.
    public let maxBatch: Int
    /// How matrix products are computed.
    public var path: ComputePath { engine.path }
    /// Tokens evaluated so far (the position of the next token).
    public private(set) var position = 0

    let threads: Int
    let state: RunState
    let engine: MatrixEngine

    init(model: LlamaModel, maxContext: Int, maxBatch: Int, path: ComputePath, threads: Int) {
        self.model = model
        self.maxContext = maxContext
        self.maxBatch = maxBatch
        self.threads = threads
        let h = model.hyper
        state = RunState(hyper: h, maxBatch: maxBatch, maxContext: maxContext, threads: threads)
        engine = MatrixEngine(path: path, maxColumns: max(h.embeddingLength, h.queryWidth, h.feedForwardLength),
                              threads: threads)
    }

    /// Forgets every evaluated token (the KV cache is overwritten from position 0).
    public func reset() { position = 0 }

    /// Rewinds to `newPosition` (≤ `position`), keeping the cache of the tokens before it.
    public func rewind(to newPosition: Int) {
        precondition(newPosition >= 0 && newPosition <= position, "cannot rewind from \(position) to \(newPosition)")
        position = newPosition
    }

    // MARK: Evaluating tokens

    /// Evaluates `tokens` after the ones already in the cache and returns the logits after the last one.
    /// - Throws: `ModelError` when the input is empty, a token is out of range or the context is full.
    public func evaluate(_ tokens: [Int32]) throws(ModelError) -> [Float] {
        var result: [Float] = []
        try evaluate(tokens, logitsFor: (tokens.count - 1)..<tokens.count) { _, logits in result = Array(logits) }
        return result
    }

    /// Evaluates `tokens` after the ones already in the cache, calling `body(i, logits)` for each
    /// index `i` of `tokens` in `wanted` with the logits that predict the token after `tokens[i]`.
    ///
    /// The logits buffer is reused: copy what you need before `body` returns.
    /// - Throws: `ModelError` when the input is empty, a token is out of range or the context is full.
    public func evaluate(_ tokens: [Int32], logitsFor wanted: Range<Int>,
                         _ body: (Int, UnsafeBufferPointer<Float>) -> Void) throws(ModelError) {
        guard !tokens.isEmpty else { throw .emptyInput }
        let vocabulary = model.hyper.vocabularySize
        for token in tokens where token < 0 || Int(token) >= vocabulary {
            throw .tokenOutOfRange(token: token, vocabularySize: vocabulary)
        }
        guard position + tokens.count <= maxContext else {
            throw .contextFull(position: position, adding: tokens.count, maxContext: maxContext)
        }
        var batchStart = 0
        while batchStart < tokens.count {
            let batchEnd = min(tokens.count, batchStart + maxBatch)
            tokens[batchStart..<batchEnd].withContiguousStorageIfAvailable { batch in
                forward(batch, startPosition: position)
            }!
            position += batchEnd - batchStart
            // Logits of the wanted rows of this batch, `logitsRows` at a time.
            let rows = max(wanted.lowerBound, batchStart)..<min(wanted.upperBound, batchEnd)
            var row = rows.lowerBound
            while row < rows.upperBound {
                let count = min(state.logitsRows, rows.upperBound - row)
                computeLogits(batchRow: row - batchStart, count: count)
                for j in 0..<count {
                    body(row + j, UnsafeBufferPointer(start: state.logits + j * vocabulary, count: vocabulary))
                }
                row += count
            }
            batchStart = batchEnd
        }
    }

    // MARK: The forward pass

    /// Runs `tokens` at positions `startPosition...` through every block, leaving the final-normed
    /// hidden states in `state.xb` (`[batch × dim]`) and their keys and values in the cache.
    func forward(_ tokens: UnsafeBufferPointer<Int32>, startPosition: Int) {
        let h = model.hyper, w = model.weights, s = state
        let batch = tokens.count
        let dim = h.embeddingLength, qWidth = h.queryWidth, kvWidth = h.keyValueWidth
        let ff = h.feedForwardLength, pairs = h.ropeDimensionCount / 2

        // Token embeddings.
        for b in 0..<batch { Dequantize.row(Int(tokens[b]), of: w.tokenEmbedding, into: s.x + b * dim) }
        // RoPE angles of each position, shared by every block.
        for b in 0..<batch {
            TransformerOps.ropeAngles(position: startPosition + b, base: h.ropeFrequencyBase, dimensions: h.ropeDimensionCount,
                                      cos: s.ropeCos + b * pairs, sin: s.ropeSin + b * pairs)
        }

        for (l, layer) in w.layers.enumerated() {
            // Attention: xb = rmsnorm(x); q, k, v = xb·Wq, xb·Wk, xb·Wv; rotate q and k.
            layer.attentionNorm.withUnsafeBufferPointer { norm in
                for b in 0..<batch {
                    TransformerOps.rmsNorm(s.xb + b * dim, s.x + b * dim, norm.baseAddress!, count: dim, epsilon: h.rmsNormEpsilon)
                }
            }
            engine.multiply(layer.query, s.xb, batch: batch, into: s.q)
            engine.multiply(layer.key, s.xb, batch: batch, into: s.k)
            engine.multiply(layer.value, s.xb, batch: batch, into: s.v)
            for b in 0..<batch {
                let cos = s.ropeCos + b * pairs, sin = s.ropeSin + b * pairs
                TransformerOps.rope(s.q + b * qWidth, heads: h.headCount, headDimension: h.headDimension, pairs: pairs, cos: cos, sin: sin)
                TransformerOps.rope(s.k + b * kvWidth, heads: h.headCountKV, headDimension: h.headDimension, pairs: pairs, cos: cos, sin: sin)
            }
            // Append this batch's keys and values to the cache of block l.
            let layerCache = l * maxContext * kvWidth
            (s.keyCache + layerCache + startPosition * kvWidth).update(from: s.k, count: batch * kvWidth)
            (s.valueCache + layerCache + startPosition * kvWidth).update(from: s.v, count: batch * kvWidth)
            // xb = softmax(q·Kᵀ/√d, causal) · V per head; then x += xb·Wo.
            attention(layer: l, batch: batch, startPosition: startPosition, output: s.xb)
            engine.multiply(layer.attentionOutput, s.xb, batch: batch, into: s.xb2)
            TransformerOps.add(s.x, s.xb2, count: batch * dim)

            // Feed-forward: x += (silu(xb·Wgate) ⊙ xb·Wup)·Wdown with xb = rmsnorm(x).
            layer.feedForwardNorm.withUnsafeBufferPointer { norm in
                for b in 0..<batch {
                    TransformerOps.rmsNorm(s.xb + b * dim, s.x + b * dim, norm.baseAddress!, count: dim, epsilon: h.rmsNormEpsilon)
                }
            }
            engine.multiply(layer.gate, s.xb, batch: batch, into: s.hb)
            engine.multiply(layer.up, s.xb, batch: batch, into: s.hb2)
            TransformerOps.swiGLU(s.hb, s.hb2, count: batch * ff)
            engine.multiply(layer.down, s.hb, batch: batch, into: s.xb2)
            TransformerOps.add(s.x, s.xb2, count: batch * dim)
        }

        // Final norm into xb, ready for the output head.
        w.outputNorm.withUnsafeBufferPointer { norm in
            for b in 0..<batch {
                TransformerOps.rmsNorm(s.xb + b * dim, s.x + b * dim, norm.baseAddress!, count: dim, epsilon: h.rmsNormEpsilon)
            }
        }
    }

    /// Causal grouped-query attention of the batch's queries over the cache of block `layer`.
    /// Query head `hd` reads key/value head `hd / queryHeadsPerKVHead`.
    private func attention(layer: Int, batch: Int, startPosition: Int, output: UnsafeMutablePointer<Float>) {
        let h = model.hyper, s = state
        let headDim = h.headDimension, qWidth = h.queryWidth, kvWidth = h.keyValueWidth
        let group = h.queryHeadsPerKVHead
        let scale = 1 / Float(headDim).squareRoot()
        let keys = s.keyCache + layer * maxContext * kvWidth
        let values = s.valueCache + layer * maxContext * kvWidth
        let maxContext = self.maxContext
        let tasks = batch * h.headCount
        let parts = min(threads, tasks, max(1, (startPosition + batch) * tasks / 2048))

        let run = { (part: Int) in
            let scores = s.scores + part * maxContext
            for task in (tasks * part / parts)..<(tasks * (part + 1) / parts) {
                let b = task / h.headCount, head = task % h.headCount
                let kvHead = head / group
                let length = startPosition + b + 1
                let query = s.q + b * qWidth + head * headDim
                for t in 0..<length {
                    scores[t] = ExactMatrixMultiplier.dot(query, keys + t * kvWidth + kvHead * headDim, headDim) * scale
                }
                TransformerOps.softmax(scores, count: length)
                let out = output + b * qWidth + head * headDim
                out.initialize(repeating: 0, count: headDim)
                for t in 0..<length {
                    let weight = scores[t]
                    let value = values + t * kvWidth + kvHead * headDim
                    for i in 0..<headDim { out[i] += weight * value[i] }
                }
            }
        }
        ParallelFor.run(parts: parts, run)
    }

    /// Logits of `count` batch rows starting at `batchRow` into `state.logits`.
    private func computeLogits(batchRow: Int, count: Int) {
        let dim = model.hyper.embeddingLength
        engine.multiply(model.weights.output, state.xb + batchRow * dim, batch: count, into: state.logits)
    }
}
