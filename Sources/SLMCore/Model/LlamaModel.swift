import Synchronization

/// A llama-family model loaded from a GGUF file: hyper-parameters and weight views into the mapping.
///
/// The model is immutable and shared; each sequence runs in its own `LlamaSession`.
/// ```swift
/// let model = try LlamaModel(path: "SmolLM2-135M-Instruct.Q4_1.gguf")
/// let session = model.makeSession(maxContext: 2048)
/// let logits = try session.evaluate(promptTokens)   // logits after the last prompt token
/// ```
public final class LlamaModel: Sendable {
    /// The mapped file the weights point into.
    public let file: GGUFFile
    /// Sizes and constants from the metadata.
    public let hyper: LlamaHyperParameters
    /// Weight views.
    public let weights: LlamaWeights
    /// The weights repacked for the panel kernels, when they are (kept alive for `weights`).
    public let repackedWeights: RepackedWeights?
    /// Thread pools by thread count, made on first use and shared by this model's sessions, so
    /// many sessions do not mean many spinning workers.
    private let pools = Mutex<[Int: ThreadPool]>([:])

    /// Loads the model in `file`, its weights repacked for the panel kernels as `panelCache` says
    /// (by default from the environment: `PanelCache.fromProcessEnvironment`).
    /// - Throws: `GGUFError` or `ModelError` naming the key or tensor at fault.
    public init(file: GGUFFile, panelCache: PanelCache = .fromProcessEnvironment) throws {
        self.file = file
        hyper = try LlamaHyperParameters(file: file)
        let weights = try LlamaWeights(file: file, hyper: hyper)
        let repacked = RepackedWeights(matrices: weights.matrices, source: file.mapping, cache: panelCache)
        self.weights = repacked.map { weights.withPanels($0) } ?? weights
        repackedWeights = repacked
    }

    /// Maps and loads the model at `path` (see `init(file:panelCache:)`).
    /// - Throws: `GGUFError` or `ModelError` naming the key or tensor at fault.
    public convenience init(path: String, panelCache: PanelCache = .fromProcessEnvironment) throws {
        try self.init(file: GGUFFile(path: path), panelCache: panelCache)
    }

    /// A new session with its own KV cache and buffers, allocated once.
    /// - Parameters:
    ///   - maxContext: tokens the KV cache holds (capped at the model's trained context length).
    ///   - maxBatch: prompt positions evaluated per forward pass.
    ///   - path: how matrix products are computed (by default int8 activations, `.quantized`).
    ///   - threads: threads for matrix products and attention (the model's shared pool of that size).
    ///   - cacheBacking: ordinary pages that follow use (the default) or huge pages (see `KVCacheBacking`).
    ///   - cacheFormat: keys and values as halves (the default) or 8-bit blocks (see `KVCacheFormat`).
    public func makeSession(maxContext: Int, maxBatch: Int = 512, path: ComputePath = .default, threads: Int = 2,
                            cacheBacking: KVCacheBacking = .onDemand, cacheFormat: KVCacheFormat = .f16) -> LlamaSession {
        LlamaSession(model: self, maxContext: min(max(1, maxContext), hyper.contextLength),
                     maxBatch: max(1, maxBatch), path: path, pool: threadPool(threads: threads), cacheBacking: cacheBacking,
                     cacheFormat: cacheFormat)
    }

    /// The pool of `threads` threads this model's sessions and batch steps share. Calls from
    /// several sessions at once take turns on it.
    public func threadPool(threads: Int) -> ThreadPool {
        let count = max(1, threads)
        return pools.withLock { pools in
            if let pool = pools[count] { return pool }
            let pool = ThreadPool(threads: count)
            pools[count] = pool
            return pool
        }
    }
}
