/// One decode step over several sessions at once: each session contributes one token at its own
/// position and keeps its own KV cache, while every weight matrix is read once for all of them.
///
/// This is the continuous-batching step: B sequences cost little more weight traffic than one.
/// ```swift
/// let step = LlamaBatchStep(model: model, maxSequences: 8)
/// try step.evaluate([session1, session2], tokens: [next1, next2]) { i, logits in
///     nextTokens[i] = sample(logits)        // logits of sequence i; copy before returning
/// }
/// ```
/// A step is used by one task at a time; it owns activation buffers for `maxSequences` rows but
/// no KV cache. The sessions must come from the same model and be distinct.
public final class LlamaBatchStep {
    /// The model every session must run.
    public let model: LlamaModel
    /// Sessions per step at most.
    public let maxSequences: Int
    /// How matrix products are computed.
    public var path: ComputePath { engine.path }

    let state: RunState
    let engine: MatrixEngine
    let pool: ThreadPool

    /// A step for up to `maxSequences` sessions of `model`, computing on `path` with the model's
    /// shared pool of `threads` threads.
    public init(model: LlamaModel, maxSequences: Int, path: ComputePath = .default, threads: Int = 2) {
        self.model = model
        self.maxSequences = max(1, maxSequences)
        pool = model.threadPool(threads: threads)
        let h = model.hyper
        state = RunState(hyper: h, maxBatch: self.maxSequences, maxContext: 0, maxAttention: h.contextLength,
                         threads: pool.threadCount)
        engine = MatrixEngine(path: path, maxColumns: max(h.embeddingLength, h.queryWidth, h.feedForwardLength),
                              maxRows: self.maxSequences, pool: pool)
    }

    /// Evaluates `tokens[i]` at the current position of `sessions[i]` for every i, appending to
    /// each session's cache, and calls `body(i, logits)` with the logits that predict the next
    /// token of sequence i. The logits buffer is reused: copy what you need before `body` returns.
    ///
    /// With `concurrentRows`, `body` runs for several rows at once on the model's pool threads
    /// (sampling each sequence's token, say, on both cores): it must then touch only its own row's
    /// state. Otherwise the rows come one after another on the calling thread.
    /// - Throws: `ModelError` when the input is empty or too large, a token is out of range or a
    ///   session's context is full; nothing is evaluated then.
    public func evaluate(_ sessions: [LlamaSession], tokens: [Int32], concurrentRows: Bool = false,
                         _ body: (Int, UnsafeBufferPointer<Float>) -> Void) throws(ModelError) {
        let count = sessions.count
        guard count > 0 else { throw .emptyInput }
        guard count == tokens.count else { throw .batchMismatch(sessions: count, tokens: tokens.count) }
        guard count <= maxSequences else { throw .tooManySequences(count: count, maxSequences: maxSequences) }
        let vocabulary = model.hyper.vocabularySize
        for i in 0..<count {
            let session = sessions[i], token = tokens[i]
            precondition(session.model === model, "session \(i) runs another model")
            for j in 0..<i { precondition(sessions[j] !== session, "session \(i) appears twice in one step") }
            guard token >= 0, Int(token) < vocabulary else { throw .tokenOutOfRange(token: token, vocabularySize: vocabulary) }
            guard session.position < session.maxContext else {
                throw .contextFull(position: session.position, adding: 1, maxContext: session.maxContext)
            }
            state.rows[i] = RowTarget(cache: session.state.cache, position: session.position)
        }
        let pass = ForwardPass(model: model, state: state, engine: engine, pool: pool)
        tokens.withUnsafeBufferPointer { pass.run($0) }
        for session in sessions { session.position += 1 }

        var row = 0
        while row < count {
            let rows = min(state.logitsRows, count - row)
            pass.logits(row: row, count: rows)
            let logits = state.logits
            if concurrentRows {
                pool.parallelFor(count: rows) { j in
                    body(row + j, UnsafeBufferPointer(start: logits + j * vocabulary, count: vocabulary))
                }
            } else {
                for j in 0..<rows {
                    body(row + j, UnsafeBufferPointer(start: logits + j * vocabulary, count: vocabulary))
                }
            }
            row += rows
        }
    }

    /// `evaluate(_:tokens:_:)` returning a copy of every sequence's logits.
    public func evaluate(_ sessions: [LlamaSession], tokens: [Int32]) throws(ModelError) -> [[Float]] {
        var result = [[Float]](repeating: [], count: sessions.count)
        try evaluate(sessions, tokens: tokens) { i, logits in result[i] = Array(logits) }
        return result
    }
}
