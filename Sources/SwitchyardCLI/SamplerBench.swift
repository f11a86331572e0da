import ArgumentParser
import Foundation
import SLMCore

/// `switchyard bench sampler`: the cost of choosing one token from a real row of logits.
struct SamplerBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sampler",
        abstract: "Microseconds to sample one token from the model's logits, for the common sampling settings.",
        discussion: """
        The logits are real: the model reads a short English text and the rows of its last \
        --rows positions are kept. Each setting samples every row in turn, --iterations times, \
        and the median time per token is printed. Then all rows are sampled as one batched \
        decode step samples them, one sampler per sequence: one row after another on one thread \
        (the anchor), and spread over a pool of --threads threads (as the scheduler does), with \
        the median time per step of each. --logits-out writes the rows (little-endian float32, \
        row after row) so that deploy/bench/sampler can time llama.cpp's sampler chain on the same \
        logits.
        """
    )

    /// The settings measured, by name: the sampler's parameters, and llama.cpp's equivalent chain
    /// as deploy/bench/sampler_bench.py builds it.
    static let settings: [(name: String, configure: @Sendable (inout SamplingParameters) -> Void)] = [
        ("greedy", { $0.temperature = 0 }),
        ("temperature 0.7", { $0.temperature = 0.7 }),
        ("top_p 0.9", { $0.temperature = 1; $0.topP = 0.9 }),
        ("top_k 40, temperature 0.7", { $0.temperature = 0.7; $0.topK = 40 }),
        ("min_p 0.05, temperature 0.7", { $0.temperature = 0.7; $0.minP = 0.05 }),
        ("greedy, 5 top logprobs", { $0.temperature = 0; $0.topLogprobs = 5 }),
    ]

    static let text = """
        The river leaves the mountains in the north and runs south through farmland for two \
        hundred miles before it reaches the sea. Along its banks are three towns, each built \
        around an old bridge. In spring the water rises quickly, and the farmers who work the \
        lower fields have learned to watch the sky over the hills. The largest of the towns
        """

    @Option(help: "Path of the GGUF model.") var model: String
    @Option(help: "Rows of logits (the text's last positions).") var rows = 8
    @Option(help: "Passes over the rows per setting.") var iterations = 200
    @Option(help: "Threads that sample a step's rows together.") var threads = 2
    @Option(name: .customLong("logits-out"), help: "Write the rows of logits to this file (float32).") var logitsOut: String?
    @Flag(help: "Print one JSON object: setting name → microseconds per token.") var json = false

    func run() throws {
        guard rows >= 1, iterations >= 1 else { throw ValidationError("--rows and --iterations must be at least 1") }
        let llama = try LlamaModel(path: model)
        let tokenizer = try TokenizerFactory.tokenizer(for: llama.file)
        let tokens = tokenizer.encode(Self.text, parseSpecial: false, addingBOS: true)
        guard tokens.count > rows else { throw ValidationError("the text has \(tokens.count) tokens, fewer than --rows \(rows)") }
        let session = llama.makeSession(maxContext: tokens.count, maxBatch: tokens.count)
        let vocabulary = llama.hyper.vocabularySize
        var logits = [Float]()
        logits.reserveCapacity(rows * vocabulary)
        try session.evaluate(tokens, logitsFor: (tokens.count - rows)..<tokens.count) { _, row in logits.append(contentsOf: row) }
        if let logitsOut {
            let data = logits.withUnsafeBytes { Data($0) }
            try data.write(to: URL(fileURLWithPath: logitsOut))
        }

        var results: [(String, Double)] = []
        var steps: [(String, Double, Double)] = []
        let pool = ThreadPool(threads: threads)
        for setting in Self.settings {
            var parameters = SamplingParameters()
            parameters.seed = 1
            setting.configure(&parameters)
            var sampler = try TokenSampler(parameters: parameters, vocabularySize: vocabulary)
            var times = [Double]()
            var chosen = 0
            try logits.withUnsafeMutableBufferPointer { all in
                for _ in 0..<iterations {
                    for row in 0..<rows {
                        let scratch = UnsafeMutableBufferPointer(rebasing: all[(row * vocabulary)..<((row + 1) * vocabulary)])
                        let start = ModelBench.now()
                        chosen &+= Int(sampler.sample(scratch).id)
                        times.append(ModelBench.now() - start)
                    }
                }
                if chosen < 0 { throw ValidationError("unreachable") }
            }
            times.sort()
            results.append((setting.name, times[times.count / 2] * 1e6))

            // A step's rows, each with its own sequence's sampler: serially, then on the pool.
            var samplers = try (0..<rows).map { _ in try TokenSampler(parameters: parameters, vocabularySize: vocabulary) }
            var serial = [Double](), spread = [Double]()
            logits.withUnsafeMutableBufferPointer { all in
                samplers.withUnsafeMutableBufferPointer { samplers in
                    func sampleRow(_ row: Int) {
                        let scratch = UnsafeMutableBufferPointer(rebasing: all[(row * vocabulary)..<((row + 1) * vocabulary)])
                        _ = samplers[row].sample(scratch)
                    }
                    // Steps back to back, as a scheduler's: the pool's worker stays awake between them.
                    for _ in 0..<iterations {
                        let start = ModelBench.now()
                        for row in 0..<rows { sampleRow(row) }
                        serial.append(ModelBench.now() - start)
                    }
                    for _ in 0..<iterations {
                        let start = ModelBench.now()
                        pool.parallelFor(count: rows) { row in sampleRow(row) }
                        spread.append(ModelBench.now() - start)
                    }
                }
            }
            serial.sort()
            spread.sort()
            steps.append((setting.name, serial[serial.count / 2] * 1e6, spread[spread.count / 2] * 1e6))
        }
        if json {
            var fields: [String: Double] = Dictionary(uniqueKeysWithValues: results)
            for (name, serial, spread) in steps {
                fields["step of \(rows), one thread: " + name] = serial
                fields["step of \(rows), \(threads) threads: " + name] = spread
            }
            print(String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print("model \(model), \(vocabulary) logits per token, \(rows) rows, \(iterations) passes; median per token:")
            for (name, microseconds) in results {
                print(name.padding(toLength: 30, withPad: " ", startingAt: 0) + String(format: "%8.1f µs", microseconds))
            }
            print("a step of \(rows) rows, median: one thread, then \(threads) threads (the scheduler's way)")
            for (name, serial, spread) in steps {
                print(name.padding(toLength: 30, withPad: " ", startingAt: 0)
                      + String(format: "%8.1f µs %8.1f µs  %.2fx", serial, spread, serial / spread))
            }
        }
    }
}
