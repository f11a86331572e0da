/// Every buffer a session needs, allocated once: activations for a batch of positions, the KV
/// cache and the logits. Shapes are `[rows × width]`, row-major.
final class RunState {
    let maxBatch: Int
    let maxContext: Int
    /// Positions whose logits are computed together.
    let logitsRows: Int

    /// Residual stream `[batch × dim]`.
    let x: UnsafeMutablePointer<Float>
    /// Normed input of a sub-layer, then the attention output `[batch × max(dim, q width)]`.
    let xb: UnsafeMutablePointer<Float>
    /// Output of a sub-layer before the residual add `[batch × dim]`.
    let xb2: UnsafeMutablePointer<Float>
    /// Queries `[batch × q width]`.
    let q: UnsafeMutablePointer<Float>
    /// Keys and values of the batch `[batch × kv width]`.
    let k: UnsafeMutablePointer<Float>
    let v: UnsafeMutablePointer<Float>
    /// Feed-forward gate and up projections `[batch × ff]`.
    let hb: UnsafeMutablePointer<Float>
    let hb2: UnsafeMutablePointer<Float>
    /// RoPE cosines and sines of the batch positions `[batch × rope dims / 2]`.
    let ropeCos: UnsafeMutablePointer<Float>
    let ropeSin: UnsafeMutablePointer<Float>
    /// Attention scores, one row of `maxContext` per thread.
    let scores: UnsafeMutablePointer<Float>
    /// KV cache `[layer × maxContext × kv width]`.
    let keyCache: UnsafeMutablePointer<Float>
    let valueCache: UnsafeMutablePointer<Float>
    /// Logits `[logitsRows × vocab]`.
    let logits: UnsafeMutablePointer<Float>

    private let allocations: [UnsafeMutablePointer<Float>]

    init(hyper h: LlamaHyperParameters, maxBatch: Int, maxContext: Int, threads: Int) {
        self.maxBatch = maxBatch
        self.maxContext = maxContext
        logitsRows = min(maxBatch, 32)
        var all: [UnsafeMutablePointer<Float>] = []
        func make(_ count: Int) -> UnsafeMutablePointer<Float> {
            let p = UnsafeMutablePointer<Float>.allocate(capacity: max(1, count))
            p.initialize(repeating: 0, count: max(1, count))
            all.append(p)
            return p
        }
        x = make(maxBatch * h.embeddingLength)
        xb = make(maxBatch * max(h.embeddingLength, h.queryWidth))
        xb2 = make(maxBatch * h.embeddingLength)
        q = make(maxBatch * h.queryWidth)
        k = make(maxBatch * h.keyValueWidth)
        v = make(maxBatch * h.keyValueWidth)
        hb = make(maxBatch * h.feedForwardLength)
        hb2 = make(maxBatch * h.feedForwardLength)
        ropeCos = make(maxBatch * h.ropeDimensionCount / 2)
        ropeSin = make(maxBatch * h.ropeDimensionCount / 2)
        scores = make(threads * maxContext)
        keyCache = make(h.blockCount * maxContext * h.keyValueWidth)
        valueCache = make(h.blockCount * maxContext * h.keyValueWidth)
        logits = make(logitsRows * h.vocabularySize)
        allocations = all
    }

    deinit { for p in allocations { p.deallocate() } }
}
