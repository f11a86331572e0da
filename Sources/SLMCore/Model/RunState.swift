#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Where one activation row of a forward pass reads and writes its keys and values: a
/// sequence's KV cache and the position of the row's token in it.
struct RowTarget {
    /// The KV cache of the row's sequence.
    var cache: KeyValueCache
    /// Position of the row's token; attention reads positions `0...position`.
    var position: Int
}

/// Every buffer a forward pass needs, allocated once: activations for a batch of rows, the row
/// targets, the KV cache (for a session; none for a batch step) and the logits. Shapes are
/// `[rows × width]`, row-major.
final class RunState {
    let maxBatch: Int
    /// Positions of this state's own KV cache (0 when the rows use other sessions' caches).
    let maxContext: Int
    /// Longest attention row the score scratch holds (a multiple of 16).
    let maxAttention: Int
    /// Attention chunks that can run at once, each with its own score row.
    let attentionParts: Int
    /// Positions whose logits are computed together.
    let logitsRows: Int
    /// Consecutive positions of one sequence whose attention runs as one work item.
    let attentionTileRows = 16

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
    /// RoPE tables of the batch positions `[batch × rope dims]`: each pair's cosine twice, its sine as (−sin, +sin).
    let ropeCos: UnsafeMutablePointer<Float>
    let ropeSin: UnsafeMutablePointer<Float>
    /// Attention scores, one row of `maxAttention` per attention chunk.
    let scores: UnsafeMutablePointer<Float>
    /// Cache and position of each batch row `[maxBatch]`.
    let rows: UnsafeMutablePointer<RowTarget>
    /// Attention tiles of the current batch `[maxBatch]`.
    let attentionTiles: UnsafeMutablePointer<AttentionTile>
    /// KV cache of `maxContext` positions (rounded up to whole key tiles).
    let cache: KeyValueCache
    /// Logits `[logitsRows × vocab]`.
    let logits: UnsafeMutablePointer<Float>

    private let allocations: [UnsafeMutableRawPointer]
    /// Mappings of a huge-page cache (start, bytes), unmapped in deinit.
    private let mappings: [(UnsafeMutableRawPointer, Int)]

    init(hyper h: LlamaHyperParameters, maxBatch: Int, maxContext: Int, maxAttention: Int, threads: Int,
         cacheBacking: KVCacheBacking = .onDemand, cacheFormat: KVCacheFormat = .f16) {
        self.maxBatch = maxBatch
        self.maxContext = maxContext
        self.maxAttention = KeyValueCache.capacity(forPositions: maxAttention)  // whole tiles, as the AVX2 kernel writes them
        attentionParts = max(1, threads * 4)
        logitsRows = min(maxBatch, 32)
        var all: [UnsafeMutableRawPointer] = []
        // calloc: large buffers come zeroed from fresh pages that stay unmapped until first
        // written, so a cache or logits area a run never reaches costs no resident memory.
        func make<Element>(_ count: Int, of _: Element.Type = Float.self) -> UnsafeMutablePointer<Element> {
            guard let raw = calloc(max(1, count), MemoryLayout<Element>.stride) else {
                fatalError("out of memory allocating \(count) elements of run state")
            }
            all.append(raw)
            return raw.bindMemory(to: Element.self, capacity: max(1, count))
        }
        x = make(maxBatch * h.embeddingLength)
        xb = make(maxBatch * max(h.embeddingLength, h.queryWidth))
        xb2 = make(maxBatch * h.embeddingLength)
        q = make(maxBatch * h.queryWidth)
        k = make(maxBatch * h.keyValueWidth)
        v = make(maxBatch * h.keyValueWidth)
        hb = make(maxBatch * h.feedForwardLength)
        hb2 = make(maxBatch * h.feedForwardLength)
        ropeCos = make(maxBatch * h.ropeDimensionCount)
        ropeSin = make(maxBatch * h.ropeDimensionCount)
        scores = make(attentionParts * self.maxAttention)
        let capacity = KeyValueCache.capacity(forPositions: maxContext)
        let cacheBytes = KeyValueCache.bytes(format: cacheFormat, layers: h.blockCount, kvHeads: h.headCountKV,
                                             headDimension: h.headDimension, capacity: capacity)
        var mapped: [(UnsafeMutableRawPointer, Int)] = []
        func makeCache(_ bytes: Int) -> UnsafeMutableRawPointer {
            if cacheBacking == .hugePages, let (start, length, aligned) = Self.hugePageMapping(bytes: bytes) {
                mapped.append((start, length))
                return aligned
            }
            return UnsafeMutableRawPointer(make(bytes, of: UInt8.self))
        }
        cache = KeyValueCache(format: cacheFormat, keys: makeCache(cacheBytes), values: makeCache(cacheBytes), capacity: capacity,
                              kvHeads: h.headCountKV, headDimension: h.headDimension)
        logits = make(logitsRows * h.vocabularySize)
        allocations = all
        mappings = mapped
        rows = .allocate(capacity: maxBatch)
        rows.initialize(repeating: RowTarget(cache: cache, position: 0), count: maxBatch)
        attentionTiles = .allocate(capacity: maxBatch)
        attentionTiles.initialize(repeating: AttentionTile(firstRow: 0, rows: 0, cost: 0), count: maxBatch)
    }

    deinit {
        for p in allocations { free(p) }
        for (start, bytes) in mappings { munmap(start, bytes) }
        rows.deallocate()
        attentionTiles.deallocate()
    }

    /// Zeroed anonymous memory of at least `bytes`, starting on a 2 MiB boundary and advised for
    /// transparent huge pages: the mapping's start and length (for `munmap`) and the aligned
    /// start. Nil off Linux or when the mapping fails (the caller falls back to `calloc`).
    static func hugePageMapping(bytes: Int) -> (UnsafeMutableRawPointer, Int, UnsafeMutableRawPointer)? {
        #if os(Linux)
        let huge = 2 << 20
        let length = (max(1, bytes) + huge - 1) / huge * huge + huge
        guard let start = mmap(nil, length, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0),
              start != MAP_FAILED else { return nil }
        let aligned = UnsafeMutableRawPointer(bitPattern: (Int(bitPattern: start) + huge - 1) / huge * huge)!
        _ = madvise(aligned, length - huge, MADV_HUGEPAGE)  // refused where THP is off: ordinary pages then
        return (start, length, aligned)
        #else
        return nil
        #endif
    }
}
