import ArgumentParser
import Foundation
import SLMCore

/// `switchyard bench kv-backing`: the KV cache on demand against in huge pages, in one process.
struct KVBackingBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kv-backing",
        abstract: "Decode steps with the KV cache on demand against in huge pages, alternating in one process.",
        discussion: """
        Two sets of sessions, one per backing, read the same 128-token prompts; then their decode
        steps alternate in blocks of 4, A B B A (an A B A B order favours the second setting on this
        kind of VM), --gen-tokens steps each: first --streams sequences in one batched step, then one
        sequence. Prints each backing's median step and the ratio, and checks that both backings
        chose the same tokens.
        """
    )

    @Option(help: "Path of the GGUF model.") var model: String
    @Option(help: "Threads (the caller included).") var threads = 2
    @Option(help: "Decode steps per backing.") var genTokens = 200
    @Option(help: "Sequences in the batched steps.") var streams = 8

    func validate() throws {
        guard threads >= 1, genTokens >= 4, streams >= 1 else {
            throw ValidationError("--threads and --streams must be at least 1, --gen-tokens at least 4")
        }
    }

    func run() throws {
        let llama = try LlamaModel(path: model)
        let vocabulary = llama.hyper.vocabularySize
        let backings: [KVCacheBacking] = [.onDemand, .hugePages]
        let context = ModelBench.decodePrompt + genTokens + 1
        func session(_ backing: KVCacheBacking) -> LlamaSession {
            llama.makeSession(maxContext: context, maxBatch: ModelBench.decodePrompt, path: .quantized, threads: threads,
                              cacheBacking: backing)
        }
        func prompt(_ s: Int) -> [Int32] {
            Array(ModelBench.promptTokens(ModelBench.decodePrompt + s, vocabulary: vocabulary).dropFirst(s))
        }
        /// Runs `step(k)` for backing k in A B B A blocks, `genTokens` times each; returns the seconds per step.
        func alternate(_ step: (Int) throws -> Void) rethrows -> [[Double]] {
            var times: [[Double]] = [[], []]
            for i in 0..<(2 * genTokens) {
                let k = [0, 1, 1, 0][(i / 4) % 4]
                let start = ModelBench.now()
                try step(k)
                times[k].append(ModelBench.now() - start)
            }
            return times
        }
        func report(_ label: String, _ times: [[Double]]) {
            let medians = times.map { $0.sorted()[$0.count / 2] * 1000 }
            print(String(format: "%@: median step %.3f ms on demand, %.3f ms in huge pages, huge/on-demand %.3f",
                         label as NSString, medians[0], medians[1], medians[1] / medians[0]))
        }

        var sets = backings.map { backing in (0..<streams).map { _ in session(backing) } }
        var tokens = try sets.map { sessions in try sessions.enumerated().map { s, one in ModelBench.argmax(try one.evaluate(prompt(s))) } }
        let step = LlamaBatchStep(model: llama, maxSequences: streams, path: .quantized, threads: threads)
        report("\(streams) streams", try alternate { k in
            try step.evaluate(sets[k], tokens: tokens[k]) { s, logits in tokens[k][s] = ModelBench.argmax(logits) }
        })
        sets = []

        let singles = backings.map(session)
        var single = try singles.map { ModelBench.argmax(try $0.evaluate(prompt(0))) }
        report("1 stream", try alternate { k in single[k] = ModelBench.argmax(try singles[k].evaluate([single[k]])) })
        guard tokens[0] == tokens[1], single[0] == single[1] else {
            throw ValidationError("the two backings chose different tokens")
        }
        print("same tokens on both backings")
    }
}
