/// How one model's scheduler is sized: slots, context per slot, queue bound and prefill chunking.
public struct SchedulerConfiguration: Sendable, Equatable {
    /// Sequences decoded at once; each slot owns one `LlamaSession` (its own KV cache).
    public var slots: Int
    /// Tokens each slot's KV cache holds: prompt plus answer (capped at the model's trained context).
    public var contextLength: Int
    /// Requests allowed to wait for a slot; one more is refused as overloaded.
    public var queueCapacity: Int
    /// Prompt tokens evaluated per step, over all sequences still reading their prompt, so a
    /// long prompt is read in chunks between the decode steps of the running streams.
    public var prefillChunk: Int
    /// Threads each forward pass splits its products and attention over.
    public var threads: Int
    /// How matrix products are computed: the core's default path (`ComputePath.default`) unless told otherwise.
    public var computePath: ComputePath
    /// Whether the sequences decoding in a step share one `LlamaBatchStep` (every weight read once
    /// per step) instead of one forward pass each. Both give the same tokens.
    public var batchedDecode: Bool
    /// How each slot's KV cache is backed: pages that follow use (the default), or huge pages
    /// (faster decode, every slot's whole cache resident from the start; see `KVCacheBacking`).
    public var cacheBacking: KVCacheBacking
    /// How each slot's KV cache stores keys and values: halves (the default), or 8-bit blocks
    /// (half the memory per token and less to read per step; see `KVCacheFormat`).
    public var cacheFormat: KVCacheFormat

    /// A configuration; values below 1 are raised to 1 (the queue may be 0: no waiting at all).
    public init(slots: Int = 4, contextLength: Int = 2048, queueCapacity: Int = 16, prefillChunk: Int = 64,
                threads: Int = 2, computePath: ComputePath = .default, batchedDecode: Bool = true,
                cacheBacking: KVCacheBacking = .onDemand, cacheFormat: KVCacheFormat = .f16) {
        self.slots = max(1, slots)
        self.contextLength = max(1, contextLength)
        self.queueCapacity = max(0, queueCapacity)
        self.prefillChunk = max(1, prefillChunk)
        self.threads = max(1, threads)
        self.computePath = computePath
        self.batchedDecode = batchedDecode
        self.cacheBacking = cacheBacking
        self.cacheFormat = cacheFormat
    }
}
