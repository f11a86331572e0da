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

    /// Loads the model in `file`.
    /// - Throws: `GGUFError` or `ModelError` naming the key or tensor at fault.
    public init(file: GGUFFile) throws {
        self.file = file
        hyper = try LlamaHyperParameters(file: file)
        weights = try LlamaWeights(file: file, hyper: hyper)
    }

    /// Maps and loads the model at `path`.
    /// - Throws: `GGUFError` or `ModelError` naming the key or tensor at fault.
    public convenience init(path: String) throws {
        try self.init(file: GGUFFile(path: path))
    }

    /// A new session with its own KV cache and buffers, allocated once.
    /// - Parameters:
    ///   - maxContext: tokens the KV cache holds (capped at the model's trained context length).
    ///   - maxBatch: prompt positions evaluated per forward pass.
    ///   - path: how matrix products are computed.
    ///   - threads: threads for matrix products and attention.
    public func makeSession(maxContext: Int, maxBatch: Int = 512, path: ComputePath = .exact, threads: Int = 2) -> LlamaSession {
        LlamaSession(model: self, maxContext: min(max(1, maxContext), hyper.contextLength),
                     maxBatch: max(1, maxBatch), path: path, threads: max(1, threads))
    }
}
