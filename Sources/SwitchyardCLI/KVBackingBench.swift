import ArgumentParser
import Foundation
import SLMCore

/// The options `bench kv-backing` and `bench kv-format` share.
struct KVABOptions: ParsableArguments {
    @Option(help: "Path of the GGUF model.") var model: String
    @Option(help: "Threads (the caller included).") var threads = 2
    @Option(help: "Decode steps per setting.") var genTokens = 200
    @Option(help: "Sequences in the batched steps.") var streams = 8

    func validate() throws {
        guard threads >= 1, genTokens >= 4, streams >= 1 else {
            throw ValidationError("--threads and --streams must be at least 1, --gen-tokens at least 4")
        }
    }
}

/// `switchyard bench kv-backing`: the KV cache on demand against in huge pages, in one process.
struct KVBackingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kv-backing",
        abstract: "Decode steps with the KV cache on demand against in huge pages, alternating in one process.",
        discussion: KVSettingsAB.discussion + " Both backings must choose the same tokens."
    )

    @OptionGroup var options: KVABOptions

    func run() throws {
        try KVSettingsAB(options: options, names: ["on demand", "in huge pages"], ratio: "huge/on-demand",
                         backings: [.onDemand, .hugePages], formats: [.f16, .f16]).run(requireSameTokens: true)
    }
}

/// `switchyard bench kv-format`: the fp16 KV cache against the 8-bit one, in one process.
struct KVFormatBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kv-format",
        abstract: "Decode steps with the fp16 KV cache against the 8-bit one, alternating in one process.",
        discussion: KVSettingsAB.discussion
            + " The formats round keys and values differently, so the greedy tokens may part; the streams still choosing the same token at the end are counted."
    )

    @OptionGroup var options: KVABOptions

    func run() throws {
        try KVSettingsAB(options: options, names: ["f16", "q8"], ratio: "q8/f16",
                         backings: [.onDemand, .onDemand], formats: [.f16, .q8]).run(requireSameTokens: false)
    }
}

/// Decode steps of two KV cache settings, A B B A in one process: the comparison this VM's
/// hour-to-hour swings leave possible.
struct KVSettingsAB {
    static let discussion = """
        Two sets of sessions, one per setting, read the same 128-token prompts; then their decode \
        steps alternate in blocks of 4, A B B A (an A B A B order favours the second setting on this \
        kind of VM), --gen-tokens steps each: first --streams sequences in one batched step, then one \
        sequence. Prints each setting's median step and the ratio.
        """

    let options: KVABOptions
    /// The two settings' names, and the ratio's label (second over first).
    let names: [String]
    let ratio: String
    let backings: [KVCacheBacking]
    let formats: [KVCacheFormat]

    func run(requireSameTokens: Bool) throws {
        let llama = try LlamaModel(path: options.model)
        let vocabulary = llama.hyper.vocabularySize
        let context = ModelBench.decodePrompt + options.genTokens + 1
        func session(_ k: Int) -> LlamaSession {
            llama.makeSession(maxContext: context, maxBatch: ModelBench.decodePrompt, path: .quantized, threads: options.threads,
                              cacheBacking: backings[k], cacheFormat: formats[k])
        }
        func prompt(_ s: Int) -> [Int32] {
            Array(ModelBench.promptTokens(ModelBench.decodePrompt + s, vocabulary: vocabulary).dropFirst(s))
        }
        /// Runs `step(k)` for setting k in A B B A blocks, `genTokens` times each; returns the seconds per step.
        func alternate(_ step: (Int) throws -> Void) rethrows -> [[Double]] {
            var times: [[Double]] = [[], []]
            for i in 0..<(2 * options.genTokens) {
                let k = [0, 1, 1, 0][(i / 4) % 4]
                let start = ModelBench.now()
                try step(k)
                times[k].append(ModelBench.now() - start)
            }
            return times
        }
        func report(_ label: String, _ times: [[Double]]) {
            let medians = times.map { $0.sorted()[$0.count / 2] * 1000 }
            print(String(format: "%@: median step %.3f ms %@, %.3f ms %@, %@ %.3f", label as NSString, medians[0],
                         names[0] as NSString, medians[1], names[1] as NSString, ratio as NSString, medians[1] / medians[0]))
        }

        var sets = [0, 1].map { k in (0..<options.streams).map { _ in session(k) } }
        var tokens = try sets.map { sessions in try sessions.enumerated().map { s, one in ModelBench.argmax(try one.evaluate(prompt(s))) } }
        let step = LlamaBatchStep(model: llama, maxSequences: options.streams, path: .quantized, threads: options.threads)
        report("\(options.streams) streams", try alternate { k in
            try step.evaluate(sets[k], tokens: tokens[k]) { s, logits in tokens[k][s] = ModelBench.argmax(logits) }
        })
        sets = []

        let singles = [0, 1].map(session)
        var single = try singles.map { ModelBench.argmax(try $0.evaluate(prompt(0))) }
        report("1 stream", try alternate { k in single[k] = ModelBench.argmax(try singles[k].evaluate([single[k]])) })
        let agreeing = zip(tokens[0], tokens[1]).filter { $0 == $1 }.count + (single[0] == single[1] ? 1 : 0)
        if requireSameTokens {
            guard agreeing == options.streams + 1 else { throw ValidationError("the two settings chose different tokens") }
            print("same tokens with both settings")
        } else {
            print("last tokens the same in \(agreeing) of \(options.streams + 1) sequences")
        }
    }
}
