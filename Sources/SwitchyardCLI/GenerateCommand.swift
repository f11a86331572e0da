import ArgumentParser
import Foundation
import SLMCore

/// `switchyard generate`: answer one prompt with a local model, streaming tokens to the terminal.
struct GenerateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate", abstract: "Answer a prompt with a local GGUF model (chat template applied).")

    @Option(help: "Path of the GGUF model.")
    var model: String

    @Option(help: "The user message.")
    var prompt: String

    @Option(help: "A system message (default: the template's own).")
    var system: String?

    @Option(help: "Most tokens to generate.")
    var maxTokens = 256

    @Option(help: "Sampling temperature; 0 is greedy.")
    var temperature: Float = 0.7

    @Option(help: "Keep the k most likely tokens (0: all).")
    var topK = 40

    @Option(help: "Nucleus sampling mass.")
    var topP: Float = 0.95

    @Option(help: "Seed of the random draws (same seed, same text).")
    var seed: UInt64?

    @Option(help: "Threads for the forward pass.")
    var threads = 2

    @Flag(help: "Compute in fp32 (slow; the exact reference path) instead of with int8 activations.")
    var exact = false

    func run() async throws {
        let generator: TextGenerator
        do {
            var loaded = try TextGenerator(model: LlamaModel(path: model))
            loaded.threads = threads
            loaded.path = exact ? .exact : .default
            generator = loaded
        }
        var parameters = SamplingParameters()
        parameters.temperature = temperature
        parameters.topK = topK
        parameters.topP = topP
        parameters.seed = seed
        parameters.maxTokens = maxTokens
        var messages: [ChatMessage] = []
        if let system { messages.append(ChatMessage(role: .system, content: system)) }
        messages.append(ChatMessage(role: .user, content: prompt))

        let summary = try generator.generate(messages, parameters: parameters) { piece in
            FileHandle.standardOutput.write(Data(piece.text.utf8))
        }
        print()
        var line = String(format: "\n%d prompt tokens in %.2f s (%.1f tokens/s); %d tokens in %.2f s: %.1f tokens/s; finish: %@",
                          summary.promptTokens, summary.prefillSeconds, Double(summary.promptTokens) / max(summary.prefillSeconds, 1e-9),
                          summary.completionTokens, summary.decodeSeconds, summary.tokensPerSecond, summary.finishReason.rawValue)
        if let confidence = summary.confidence {
            line += String(format: "; mean logprob %.3f, min %.3f, mean entropy %.3f",
                           confidence.meanLogprob, confidence.minLogprob, confidence.meanEntropy)
        }
        line += String(format: "; peak RSS %.1f MiB", Double(PeakMemory.residentBytes()) / 1_048_576)
        FileHandle.standardError.write(Data((line + "\n").utf8))
    }
}
