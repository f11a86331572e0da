/// The llama forward pass over a batch of activation rows, each row a token with its own KV cache
/// and position (`RunState.rows`): the prompt positions of one session in prefill, or one token of
/// each of several sessions in a batched decode step. Every matrix product runs once over all rows.
struct ForwardPass {
    let model: LlamaModel
    let state: RunState
    let engine: MatrixEngine
    let pool: ThreadPool

    /// Runs `tokens` (row b at `state.rows[b]`) through every block, storing each row's key and
    /// value in its cache and leaving the final-normed hidden states in `state.xb` (`[batch × dim]`).
    ///
    /// The element-wise work between the products runs per row, spread over the pool for large
    /// batches (prefill) and on the calling thread for small ones (decode, where a dispatch would
    /// cost more than the work). Each residual add is fused with the norm that follows it.
    func run(_ tokens: UnsafeBufferPointer<Int32>) {
        let h = model.hyper, w = model.weights, s = state
        let batch = tokens.count
        let dim = h.embeddingLength, qWidth = h.queryWidth, kvWidth = h.keyValueWidth
        let ff = h.feedForwardLength, ropeDims = h.ropeDimensionCount, epsilon = h.rmsNormEpsilon

        // Token embeddings, the RoPE tables of each row's position (shared by every block) and
        // the first block's attention norm: xb = rmsnorm(x).
        w.layers[0].attentionNorm.withUnsafeBufferPointer { norm in
            forRows(batch) { rows in
                for b in rows {
                    Dequantize.row(Int(tokens[b]), of: w.tokenEmbedding, into: s.x + b * dim)
                    TransformerOps.ropeTables(position: s.rows[b].position, base: h.ropeFrequencyBase, dimensions: ropeDims,
                                              cos: s.ropeCos + b * ropeDims, sin: s.ropeSin + b * ropeDims)
                    TransformerOps.rmsNorm(s.xb + b * dim, s.x + b * dim, norm.baseAddress!, count: dim, epsilon: epsilon)
                }
            }
        }

        for (l, layer) in w.layers.enumerated() {
            // Attention: q, k, v = xb·Wq, xb·Wk, xb·Wv; rotate q and k; store k and v in block l
            // of each row's cache, at its position.
            engine.multiply(MatrixProduct(layer.query, into: s.q), MatrixProduct(layer.key, into: s.k),
                            MatrixProduct(layer.value, into: s.v), s.xb, batch: batch)
            forRows(batch) { rows in
                for b in rows {
                    let cos = s.ropeCos + b * ropeDims, sin = s.ropeSin + b * ropeDims
                    TransformerOps.rope(s.q + b * qWidth, heads: h.headCount, headDimension: h.headDimension, rotated: ropeDims,
                                        cos: cos, sin: sin)
                    TransformerOps.rope(s.k + b * kvWidth, heads: h.headCountKV, headDimension: h.headDimension, rotated: ropeDims,
                                        cos: cos, sin: sin)
                    let row = s.rows[b]
                    row.cache.store(layer: l, position: row.position, keys: s.k + b * kvWidth, values: s.v + b * kvWidth)
                }
            }
            // xb = softmax(q·Kᵀ/√d, causal) · V per head; x += xb·Wo; xb = rmsnorm(x).
            attention(layer: l, batch: batch, output: s.xb)
            engine.multiply(layer.attentionOutput, s.xb, batch: batch, into: s.xb2)
            addNorm(layer.feedForwardNorm, batch: batch)

            // Feed-forward: x += (silu(xb·Wgate) ⊙ xb·Wup)·Wdown; then xb = rmsnorm(x) with the
            // next block's attention norm, or the final norm after the last block.
            engine.multiply(MatrixProduct(layer.gate, into: s.hb), MatrixProduct(layer.up, into: s.hb2), nil, s.xb, batch: batch)
            forRows(batch) { rows in
                TransformerOps.swiGLU(s.hb + rows.lowerBound * ff, s.hb2 + rows.lowerBound * ff, count: rows.count * ff)
            }
            engine.multiply(layer.down, s.hb, batch: batch, into: s.xb2)
            addNorm(l + 1 < w.layers.count ? w.layers[l + 1].attentionNorm : w.outputNorm, batch: batch)
        }
    }

    /// Logits of `count` rows of `state.xb` starting at `row`, into `state.logits`.
    func logits(row: Int, count: Int) {
        engine.multiply(model.weights.output, state.xb + row * model.hyper.embeddingLength, batch: count, into: state.logits)
    }

    /// `x[b] += xb2[b]`, then `xb[b] = rmsnorm(x[b]) · weight`, for every row.
    private func addNorm(_ weight: [Float], batch: Int) {
        let h = model.hyper, s = state, dim = h.embeddingLength
        weight.withUnsafeBufferPointer { norm in
            forRows(batch) { rows in
                for b in rows {
                    TransformerOps.addRMSNorm(s.x + b * dim, s.xb2 + b * dim, s.xb + b * dim, norm.baseAddress!,
                                              count: dim, epsilon: h.rmsNormEpsilon)
                }
            }
        }
    }

    /// Runs `body` over row ranges covering `0..<batch`: on the calling thread below two chunks
    /// of `elementwiseChunkRows` rows, else one chunk per pool index.
    @inline(__always)
    private func forRows(_ batch: Int, _ body: (Range<Int>) -> Void) {
        let chunkRows = Self.elementwiseChunkRows
        if batch < 2 * chunkRows || pool.threadCount == 1 { return body(0..<batch) }
        pool.parallelFor(count: (batch + chunkRows - 1) / chunkRows) { chunk in
            body((chunk * chunkRows)..<min(batch, (chunk + 1) * chunkRows))
        }
    }

    /// Rows per parallel chunk of element-wise work.
    static let elementwiseChunkRows = 16

    /// Causal grouped-query attention of each row's queries over its own cache of block `layer`
    /// (positions `0...rows[b].position`). Query head `hd` reads key/value head `hd / queryHeadsPerKVHead`.
    ///
    /// Rows are cut into tiles, runs of up to `attentionTileRows` consecutive positions of one
    /// sequence (a prefill chunk gives many, a batched decode step one per sequence); one work item
    /// is a tile and a key/value head, so its keys and values are read once for all the queries
    /// that use them. Items go to the pool longest first, as causal rows have unequal lengths.
    private func attention(layer: Int, batch: Int, output: UnsafeMutablePointer<Float>) {
        let h = model.hyper, s = state
        let headDim = h.headDimension, qWidth = h.queryWidth
        let group = h.queryHeadsPerKVHead, kvHeads = h.headCountKV
        let scale = 1 / Float(headDim).squareRoot()
        let tileRows = max(1, min(s.attentionTileRows, AttentionKernel.maxQueries / group))
        let tiles = s.attentionTiles
        var tileCount = 0, work = 0, b = 0
        while b < batch {
            let first = s.rows[b]
            var count = 1
            while b + count < batch, count < tileRows, s.rows[b + count].cache.keys == first.cache.keys,
                  s.rows[b + count].position == first.position + count {
                count += 1
            }
            let tile = AttentionTile(firstRow: b, rows: count, cost: count * (first.position + (count + 1) / 2))
            // Insertion by cost, largest first (a handful of tiles).
            var slot = tileCount
            while slot > 0, tiles[slot - 1].cost < tile.cost {
                tiles[slot] = tiles[slot - 1]
                slot -= 1
            }
            tiles[slot] = tile
            tileCount += 1
            work += tile.cost
            b += count
        }
        let items = tileCount * kvHeads
        let maxAttention = s.maxAttention

        func run(item: Int, scores: UnsafeMutablePointer<Float>) {
            let tile = tiles[item / kvHeads], kvHead = item % kvHeads
            let row = s.rows[tile.firstRow]
            let queryOffset = tile.firstRow * qWidth + kvHead * group * headDim
            switch row.cache.format {
            case .f16:
                AttentionKernel.rows(query: s.q + queryOffset, queryStride: qWidth, rows: tile.rows, group: group,
                                     firstPosition: row.position, keyTiles: row.cache.keyTiles(layer: layer, kvHead: kvHead),
                                     values: row.cache.valueRows(layer: layer, kvHead: kvHead), headDimension: headDim, scale: scale,
                                     output: output + queryOffset, outputStride: qWidth, scores: scores)
            case .q8:
                AttentionKernel.rowsQ8(query: s.q + queryOffset, queryStride: qWidth, rows: tile.rows, group: group,
                                       firstPosition: row.position, keyTiles: row.cache.keyBytes(layer: layer, kvHead: kvHead),
                                       values: row.cache.valueBytes(layer: layer, kvHead: kvHead), headDimension: headDim,
                                       scale: scale, output: output + queryOffset, outputStride: qWidth, scores: scores)
            }
        }

        // Parallel only when the scores are worth a dispatch (a decode row of a short context is not).
        if work * h.headCount < ForwardPass.parallelAttentionPairs || items == 1 {
            for item in 0..<items { run(item: item, scores: s.scores) }
        } else if AttentionKernel.usesRunKernel && headDim <= AttentionKernel.maxRunHeadDimension {
            // No score scratch: one index per item, claimed longest first.
            pool.parallelFor(count: items) { item in run(item: item, scores: s.scores) }
        } else {
            // Each index owns one score row and takes every `parts`-th item.
            let parts = min(s.attentionParts, items)
            pool.parallelFor(count: parts) { part in
                var item = part
                while item < items {
                    run(item: item, scores: s.scores + part * maxAttention)
                    item += parts
                }
            }
        }
    }

    /// Query-key pairs below which a layer's attention runs on the calling thread.
    ///
    /// A decode row's keys and values come from memory (the weights streamed since evict them), so
    /// its attention costs more than a dispatch from short contexts on: SmolLM2-135M, one sequence,
    /// decode steps alternating A B B A in one process, 1024 against 8192 pairs: steps 8–10 %
    /// faster after a 600-token prompt, 0–8 % after a 128-token one (three runs each).
    static let parallelAttentionPairs = 1024
}

/// A run of consecutive positions of one sequence in a forward pass's batch (rows `firstRow...`),
/// the unit of attention work together with one key/value head.
struct AttentionTile {
    var firstRow: Int
    var rows: Int
    /// Query-key pairs of one query head, the tile's share of the work.
    var cost: Int
}
