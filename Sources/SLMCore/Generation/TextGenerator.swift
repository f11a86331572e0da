import Foundation
import Synchronization

/// Chat generation with a local model: renders the messages with the model's chat template,
/// evaluates the prompt in batches, then samples token by token until a stop condition.
///
/// ```swift
/// let generator = try TextGenerator(model: LlamaModel(path: path))
/// var parameters = SamplingParameters.greedy
/// parameters.maxTokens = 64
/// let summary = try generator.generate([ChatMessage(role: .user, content: "Hi!")], parameters: parameters) { piece in
///     print(piece.text, terminator: "")
/// }
/// ```
public struct TextGenerator: Sendable {
    /// The model.
    public let model: LlamaModel
    /// The model's tokenizer.
    public let tokenizer: any Tokenizer
    /// The model's chat template.
    public let template: ChatTemplate
    /// How sessions compute matrix products.
    public var path: ComputePath = .default
    /// Threads per session.
    public var threads = 2
    /// Context used when the parameters set no token limit.
    public var defaultContext = 2048

    /// A generator with an explicit tokenizer and template.
    public init(model: LlamaModel, tokenizer: any Tokenizer, template: ChatTemplate) {
        self.model = model
        self.tokenizer = tokenizer
        self.template = template
    }

    /// A generator with the tokenizer and chat template the model's file describes.
    /// - Throws: `TokenizerError` or `ChatTemplateError` when the metadata cannot be used.
    public init(model: LlamaModel) throws {
        try self.init(model: model, tokenizer: TokenizerFactory.tokenizer(for: model.file), template: ChatTemplate(gguf: model.file))
    }

    /// Token ids of the rendered conversation, ending with the assistant header.
    public func promptTokens(_ messages: [ChatMessage]) -> [Int32] {
        tokenizer.encode(template.render(messages, addGenerationPrompt: true), parseSpecial: true, addingBOS: true)
    }

    /// Generates an answer to `messages`, calling `onToken` for every token as it is produced.
    /// - Throws: `SamplingError` for invalid parameters, `ModelError` when the prompt does not fit.
    public func generate(_ messages: [ChatMessage], parameters: SamplingParameters,
                         isCancelled: () -> Bool = { false },
                         onToken: (GeneratedToken) -> Void) throws -> GenerationSummary {
        try generate(promptTokens: promptTokens(messages), parameters: parameters, isCancelled: isCancelled, onToken: onToken)
    }

    /// Generates a continuation of already tokenized `promptTokens` (see `generate(_:parameters:onToken:)`).
    public func generate(promptTokens prompt: [Int32], parameters: SamplingParameters,
                         isCancelled: () -> Bool = { false },
                         onToken: (GeneratedToken) -> Void) throws -> GenerationSummary {
        var sampler = try TokenSampler(parameters: parameters, vocabularySize: model.hyper.vocabularySize)
        let wanted = prompt.count + (parameters.maxTokens ?? defaultContext)
        let session = model.makeSession(maxContext: min(wanted, model.hyper.contextLength), path: path, threads: threads)
        guard !prompt.isEmpty else { throw ModelError.emptyInput }
        guard prompt.count < session.maxContext else {
            throw ModelError.contextFull(position: 0, adding: prompt.count, maxContext: session.maxContext)
        }

        let clock = ContinuousClock()
        let start = clock.now
        var logits = [Float](repeating: 0, count: model.hyper.vocabularySize)
        func copy(_ values: UnsafeBufferPointer<Float>) {
            logits.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: values) }
        }
        sampler.remember(prompt)
        try session.evaluate(prompt, logitsFor: (prompt.count - 1)..<prompt.count) { _, values in copy(values) }
        let prefillEnd = clock.now

        var output = GenerationOutput(tokenizer: tokenizer, parameters: parameters)
        var confidence = ConfidenceAccumulator()
        var finish: FinishReason = .maxTokens
        while true {
            let sampled = sampler.sample(&logits)
            confidence.add(sampled)
            let step = output.append(sampled.id)
            onToken(GeneratedToken(text: step.text, token: sampled, topLogprobs: sampler.topLogprobs))
            if let reason = step.finishReason { finish = reason; break }
            if session.position >= session.maxContext || isCancelled() { break }
            try session.evaluate([sampled.id], logitsFor: 0..<1) { _, values in copy(values) }
        }
        let end = clock.now
        return GenerationSummary(
            promptTokens: prompt.count, completionTokens: output.tokenCount, finishReason: finish,
            confidence: confidence.confidence, prefillSeconds: Self.seconds(prefillEnd - start),
            decodeSeconds: Self.seconds(end - prefillEnd))
    }

    /// Generates an answer on a dedicated thread, streaming tokens and then the summary.
    /// Ending the stream's consumer stops generation after the current token.
    public func stream(_ messages: [ChatMessage], parameters: SamplingParameters) -> AsyncThrowingStream<GenerationEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream<GenerationEvent, any Error>.makeStream()
        let cancelled = CancellationFlag()
        continuation.onTermination = { _ in cancelled.cancel() }
        let generator = self
        let thread = Thread {
            do {
                let summary = try generator.generate(messages, parameters: parameters, isCancelled: { cancelled.isCancelled }) {
                    continuation.yield(.token($0))
                }
                continuation.yield(.finished(summary))
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
        thread.name = "slm-generate"
        thread.start()
        return stream
    }

    private static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) * 1e-18
    }
}

/// A flag the consumer of a stream sets to stop its producer thread.
final class CancellationFlag: Sendable {
    private let flag = Atomic<Bool>(false)
    func cancel() { flag.store(true, ordering: .relaxed) }
    var isCancelled: Bool { flag.load(ordering: .relaxed) }
}
