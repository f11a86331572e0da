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
    public internal(set) var position = 0

    let threads: Int
    let state: RunState
    let engine: MatrixEngine
    let pool: ThreadPool

    init(model: LlamaModel, maxContext: Int, maxBatch: Int, path: ComputePath, pool: ThreadPool, cacheBacking: KVCacheBacking,
         cacheFormat: KVCacheFormat) {
        self.model = model
        self.maxContext = maxContext
        self.maxBatch = maxBatch
        self.pool = pool
        threads = pool.threadCount
        let h = model.hyper
        state = RunState(hyper: h, maxBatch: maxBatch, maxContext: maxContext, maxAttention: maxContext, threads: threads,
                         cacheBacking: cacheBacking, cacheFormat: cacheFormat)
        engine = MatrixEngine(path: path, maxColumns: max(h.embeddingLength, h.queryWidth, h.feedForwardLength),
                              maxRows: maxBatch, pool: pool)
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
            // Logits of the wanted rows of this batch (none when they all lie in other batches),
            // `logitsRows` at a time.
            let end = min(wanted.upperBound, batchEnd)
            var row = max(wanted.lowerBound, batchStart)
            while row < end {
                let count = min(state.logitsRows, end - row)
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
        for b in 0..<tokens.count {
            state.rows[b] = RowTarget(cache: state.cache, position: startPosition + b)
        }
        ForwardPass(model: model, state: state, engine: engine, pool: pool).run(tokens)
    }

    /// Logits of `count` batch rows starting at `batchRow` into `state.logits`.
    private func computeLogits(batchRow: Int, count: Int) {
        ForwardPass(model: model, state: state, engine: engine, pool: pool).logits(row: batchRow, count: count)
    }
}
