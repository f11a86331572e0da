import SLMCore

/// A GGUF model loaded for serving: the weights (mapped once, shared by every slot and, through
/// the page cache, by other processes), its tokenizer, its chat template and its scheduler.
///
/// ```swift
/// let runtime = try LocalModelRuntime(path: "models/SmolLM2-135M-Instruct.Q4_1.gguf",
///                                     configuration: SchedulerConfiguration(slots: 4, contextLength: 2048))
/// let provider = LocalSLMProvider(runtime: runtime, modelName: "smollm2", pricePerCPUSecond: 0.00001)
/// ```
public final class LocalModelRuntime: Sendable {
    /// The loaded model.
    public let model: LlamaModel
    /// Its tokenizer, from the GGUF metadata.
    public let tokenizer: any Tokenizer
    /// Its chat template, from the GGUF metadata.
    public let template: ChatTemplate
    /// The scheduler that runs every request to this model.
    public let scheduler: ModelScheduler

    /// Maps the GGUF at `path`, builds its tokenizer and template, and starts its scheduler.
    /// - Throws: `LocalModelError.loadFailed` naming the file and what was wrong with it.
    public init(path: String, configuration: SchedulerConfiguration) throws(LocalModelError) {
        do {
            model = try LlamaModel(path: path)
            tokenizer = try TokenizerFactory.tokenizer(for: model.file)
            template = try ChatTemplate(gguf: model.file)
        } catch {
            throw .loadFailed(path: path, reason: "\(error)")
        }
        scheduler = ModelScheduler(model: model, tokenizer: tokenizer, configuration: configuration)
    }

    /// The prompt token ids of `messages` rendered through the model's chat template.
    public func promptTokens(_ messages: [SLMCore.ChatMessage]) -> [Int32] {
        tokenizer.encode(template.render(messages, addGenerationPrompt: true), parseSpecial: true, addingBOS: true)
    }

    /// Stops the scheduler; requests still running fail.
    public func shutdown() async { await scheduler.shutdown() }
}

/// Why a local model could not be loaded.
public enum LocalModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The GGUF file could not be read, or its model, tokenizer or template is not supported.
    case loadFailed(path: String, reason: String)

    public var description: String {
        switch self {
        case let .loadFailed(path, reason): "cannot load the local model at \(path): \(reason)"
        }
    }
}
