import ArgumentParser
import Foundation
import SLMCore

/// `switchyard perplexity`: perplexity of a model on a text file, computed as llama-perplexity does.
struct PerplexityCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "perplexity",
        abstract: "Perplexity of a model on a text file, as llama.cpp's llama-perplexity computes it.",
        discussion: """
            The text (minus one trailing newline) is tokenized without parsing special tokens and cut into \
            chunks of --ctx tokens. Each chunk is evaluated with an empty cache, and its second half is scored \
            against the next token.
            """)

    @Option(help: "Path of the GGUF model.")
    var model: String

    @Option(help: "Text file to score.")
    var file: String

    @Option(help: "Tokens per chunk.")
    var ctx = 512

    @Option(help: "Stop after this many chunks.")
    var chunks: Int?

    @Option(help: "Threads for the forward pass.")
    var threads = 2

    @Flag(help: "Compute in fp32 (slow; the exact reference path) instead of with int8 activations.")
    var exact = false

    @Option(name: .customLong("kv-cache"), help: "How the KV cache stores keys and values: f16 or q8.")
    var kvCache: KVCacheFormat = .f16

    func run() async throws {
        guard ctx >= 4 else { throw ValidationError("--ctx must be at least 4") }
        let loaded = try LlamaModel(path: model)
        let tokenizer = try TokenizerFactory.tokenizer(for: loaded.file)
        guard var text = String(data: try Data(contentsOf: URL(fileURLWithPath: file)), encoding: .utf8) else {
            throw ValidationError("\(file) is not UTF-8 text")
        }
        if text.hasSuffix("\n") { text.removeLast() }
        let tokens = tokenizer.encode(text, parseSpecial: false, addingBOS: true)
        let available = Perplexity.chunkCount(tokenCount: tokens.count, context: ctx)
        guard available > 0 else { throw ValidationError("\(tokens.count) tokens do not fill one chunk of \(ctx)") }
        let count = min(available, chunks ?? available)
        let path: ComputePath = exact ? .exact : .default
        say("\(tokens.count) tokens, \(count) chunks of \(ctx), \(threads) threads, path \(path), KV cache \(kvCache.rawValue)\n")

        let session = loaded.makeSession(maxContext: ctx, maxBatch: min(ctx, 512), path: path, threads: threads, cacheFormat: kvCache)
        let clock = ContinuousClock()
        let start = clock.now
        let result = try Perplexity.evaluate(session: session, tokens: tokens, context: ctx, maxChunks: count, progress: { chunk, ppl in
            let separator = chunk + 1 == count ? "\n" : ","
            say("[\(chunk + 1)]\(String(format: "%.4f", ppl))\(separator)")
        })
        let elapsed = clock.now - start
        let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
        say("Final estimate: PPL = \(String(format: "%.4f", result.perplexity)) over \(result.scoredTokens) scored tokens\n")
        say(String(format: "%.1f s, %.1f s per chunk, %.1f tokens/s\n", seconds, seconds / Double(count),
                   Double(count * ctx) / seconds))
    }

    /// Writes `text` to standard output at once (progress lines appear as chunks finish).
    private func say(_ text: String) {
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}
