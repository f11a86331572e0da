import ArgumentParser
import Foundation
import SLMCore

/// `switchyard bench`: measures the inference core alone.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the inference core: prefill, decode, concurrent streams, memory; or the kernels alone.",
        subcommands: [ModelBench.self, KernelsBench.self, KVBackingBench.self, KVFormatBench.self, MemoryBench.self, SamplerBench.self],
        defaultSubcommand: ModelBench.self
    )
}

/// `switchyard bench [model]`: prefill, decode and concurrent-stream speed of the core on a GGUF model.
struct ModelBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "model",
        abstract: "Prefill tok/s, decode tok/s, the aggregate of concurrent streams and peak RSS of the core.",
        discussion: """
        Prefill evaluates one prompt of --prompt-tokens tokens. Decode evaluates a 128-token prompt,
        then --gen-tokens tokens one at a time, greedily. Streams give each of --streams sequences a
        128-token prompt and then step them all together, one token each in one batched step
        (LlamaBatchStep, as the serving scheduler does), --gen-tokens times. Then the same streams
        go through the serving scheduler (ModelScheduler, one slot each, greedy sampling with its
        log-probabilities, answers of --gen-tokens tokens whatever the model says), and the
        aggregate is counted while all of them decode. Prompts are deterministic token ids, the
        same rule deploy/bench/llama_bench.py uses for llama.cpp.
        """
    )

    /// Tokens in the context before decode is timed.
    static let decodePrompt = 128

    @Option(help: "Path of the GGUF model.") var model: String
    @Option(help: "Threads (the caller included).") var threads = 2
    @Option(help: "Tokens in the prefill prompt.") var promptTokens = 512
    @Option(help: "Tokens generated in the decode and streams runs.") var genTokens = 128
    @Option(help: "Concurrent sequences in the streams run.") var streams = 8
    @Option(help: "How matrix products are computed: quantized (int8 activations) or exact (fp32).") var path = ComputePath.default.name
    @Flag(name: .customLong("kv-huge-pages"), help: "Back every session's KV cache with huge pages (as `worker --kv-huge-pages`).")
    var kvHugePages = false

    @Option(name: .customLong("kv-cache"), help: "How every session's KV cache stores keys and values: f16 or q8 (as `worker --kv-cache`).")
    var kvCache: KVCacheFormat = .f16
    @Flag(help: "Print one JSON object: prefill_tok_s, decode_tok_s, aggregate_tok_s, scheduler_aggregate_tok_s, peak_rss_bytes, scheduler_peak_rss_bytes.")
    var json = false

    func run() async throws {
        guard let computePath = ComputePath(name: path) else {
            throw ValidationError("unknown path '\(path)'; known: \(ComputePath.quantized.name), \(ComputePath.exact.name)")
        }
        guard threads >= 1, promptTokens >= 1, genTokens >= 1, streams >= 1 else {
            throw ValidationError("--threads, --prompt-tokens, --gen-tokens and --streams must be at least 1")
        }
        let llama = try LlamaModel(path: model)
        let cacheBacking: KVCacheBacking = kvHugePages ? .hugePages : .onDemand
        let vocabulary = llama.hyper.vocabularySize
        let prompt = Self.promptTokens(promptTokens, vocabulary: vocabulary)
        let perStream = Self.decodePrompt + genTokens + 1

        // Prefill, then decode after a 128-token prompt (greedy), in one session freed before the
        // streams run, so the peak RSS is that of the larger phase, not of both.
        let (prefill, decode, singleRSS) = try {
            let session = llama.makeSession(maxContext: max(promptTokens, perStream), maxBatch: max(promptTokens, Self.decodePrompt),
                                            path: computePath, threads: threads, cacheBacking: cacheBacking, cacheFormat: kvCache)
            var start = Self.now()
            _ = try session.evaluate(prompt)
            let prefill = Double(promptTokens) / (Self.now() - start)
            session.reset()
            var token = Self.argmax(try session.evaluate(Array(Self.promptTokens(Self.decodePrompt, vocabulary: vocabulary))))
            start = Self.now()
            for _ in 0..<genTokens { token = Self.argmax(try session.evaluate([token])) }
            return (prefill, Double(genTokens) / (Self.now() - start), PeakMemory.residentBytes())
        }()

        // Concurrent streams: one batched decode step per token reads each weight once for all
        // sequences (the step the serving scheduler runs). Their sessions are freed before the
        // scheduler's own are made.
        let aggregate = try {
            let sessions = (0..<streams).map { _ in
                llama.makeSession(maxContext: perStream, maxBatch: Self.decodePrompt, path: computePath, threads: threads,
                                  cacheBacking: cacheBacking, cacheFormat: kvCache)
            }
            var tokens = try sessions.enumerated().map { s, session in
                Self.argmax(try session.evaluate(Array(Self.promptTokens(Self.decodePrompt + s, vocabulary: vocabulary).dropFirst(s))))
            }
            let step = LlamaBatchStep(model: llama, maxSequences: streams, path: computePath, threads: threads)
            let start = Self.now()
            for _ in 0..<genTokens {
                try step.evaluate(sessions, tokens: tokens) { s, logits in tokens[s] = Self.argmax(logits) }
            }
            return Double(streams * genTokens) / (Self.now() - start)
        }()
        // The peak so far is the core's, compared with llama.cpp's bench; the scheduler's slots
        // (each with its own KV cache and prefill-chunk buffers) are reported on their own.
        let peakRSS = PeakMemory.residentBytes()
        let scheduled = try await schedulerAggregate(llama, computePath: computePath, cacheBacking: cacheBacking)
        let schedulerPeakRSS = PeakMemory.residentBytes()
        if json {
            let fields: [String: Any] = [
                "engine": "switchyard", "path": path, "threads": threads, "kv_huge_pages": kvHugePages, "kv_cache": kvCache.rawValue,
                "prefill_tok_s": prefill, "decode_tok_s": decode, "aggregate_tok_s": aggregate,
                "scheduler_aggregate_tok_s": scheduled, "scheduler_peak_rss_bytes": schedulerPeakRSS,
                "peak_rss_bytes": peakRSS, "single_sequence_peak_rss_bytes": singleRSS,
            ]
            print(String(decoding: try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys]), as: UTF8.self))
        } else {
            print("model \(model), \(threads) threads, path \(path), KV cache \(kvCache.rawValue)\(kvHugePages ? " in huge pages" : "")")
            print(String(format: "prefill (%d tokens): %8.1f tok/s", promptTokens, prefill))
            print(String(format: "decode (%d after %d): %8.1f tok/s", genTokens, Self.decodePrompt, decode))
            print(String(format: "%d streams aggregate: %8.1f tok/s (%.2fx one stream)", streams, aggregate, aggregate / decode))
            print(String(format: "  through the scheduler: %8.1f tok/s (%.2fx one stream), peak RSS then %.1f MiB", scheduled,
                         scheduled / decode, Double(schedulerPeakRSS) / 1_048_576))
            print(String(format: "peak RSS:           %8.1f MiB (one sequence: %.1f MiB)", Double(peakRSS) / 1_048_576,
                         Double(singleRSS) / 1_048_576))
        }
    }

    /// The streams' aggregate through a `ModelScheduler` with a slot each: every stream's token
    /// times are taken as they arrive, and the tokens that arrive between the moment the last
    /// stream got its first token and the moment the first stream got its last one are counted
    /// over that time (all streams decoding, none reading its prompt).
    private func schedulerAggregate(_ llama: LlamaModel, computePath: ComputePath, cacheBacking: KVCacheBacking) async throws -> Double {
        let tokenizer = try TokenizerFactory.tokenizer(for: llama.file)
        let vocabulary = llama.hyper.vocabularySize
        let scheduler = ModelScheduler(model: llama, tokenizer: tokenizer, configuration: SchedulerConfiguration(
            slots: streams, contextLength: Self.decodePrompt + streams + genTokens + 8, queueCapacity: 0, threads: threads,
            computePath: computePath, cacheBacking: cacheBacking, cacheFormat: kvCache))
        var sampling = SamplingParameters.greedy
        sampling.maxTokens = genTokens
        let eventStreams = try (0..<streams).map { s in
            try scheduler.submit(SequenceRequest(
                promptTokens: Array(Self.promptTokens(Self.decodePrompt + s, vocabulary: vocabulary).dropFirst(s)),
                sampling: sampling, stopsAtEndOfGeneration: false))
        }
        let arrivals = try await withThrowingTaskGroup(of: [Double].self) { group in
            for events in eventStreams {
                group.addTask {
                    var times: [Double] = []
                    for try await event in events { if case .token = event { times.append(Self.now()) } }
                    return times
                }
            }
            var all: [[Double]] = []
            for try await times in group { all.append(times) }
            return all
        }
        await scheduler.shutdown()
        guard arrivals.allSatisfy({ $0.count == genTokens }) else {
            throw ValidationError("a stream through the scheduler ended before --gen-tokens \(genTokens) tokens")
        }
        let from = arrivals.map { $0[0] }.max()!, to = arrivals.map { $0[genTokens - 1] }.min()!
        guard genTokens >= 2, to > from else {
            throw ValidationError("with --gen-tokens \(genTokens) no stretch of time has every stream decoding through the scheduler")
        }
        let counted = arrivals.reduce(0) { total, times in total + times.count { $0 > from && $0 <= to } }
        return Double(counted) / (to - from)
    }

    /// Deterministic token ids spread over the vocabulary (a 32-bit LCG; llama_bench.py uses the same).
    static func promptTokens(_ count: Int, vocabulary: Int) -> [Int32] {
        var state: UInt64 = 12345
        return (0..<count).map { _ in
            state = (state &* 1_664_525 &+ 1_013_904_223) % (1 << 32)
            return Int32(256 + Int(state) % (vocabulary - 512))
        }
    }

    /// The index of the largest logit.
    static func argmax(_ logits: [Float]) -> Int32 {
        logits.withUnsafeBufferPointer { argmax($0) }
    }

    /// The index of the largest logit.
    static func argmax(_ logits: UnsafeBufferPointer<Float>) -> Int32 {
        Int32(Argmax.index(of: logits))
    }

    static func now() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_MONOTONIC, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}

/// `switchyard bench kernels`: streams a model's weight matrices through the matrix kernels.
struct KernelsBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kernels",
        abstract: "Stream every weight matrix of a GGUF model through the matrix kernels and compare with memory bandwidth.",
        discussion: """
        One pass quantizes a random activation batch and multiplies it by every 2-D weight matrix
        the kernels support (the tied embedding counts as the output head), as one decode step
        (batch 1) or one prefill step (batch = prompt tokens) does. Prints the median pass, the
        weight bytes per second and the tokens per second the products alone allow, next to the
        read bandwidth of the same threads.
        """
    )

    @Option(help: "Path of the GGUF model.") var model: String
    @Option(help: "Threads (the caller included).") var threads = 2
    @Option(help: "Activation rows per product: 1 for decode, the prompt length for prefill.") var batch = 1
    @Option(help: "Kernels: best, all, or one of \(KernelSet.Backend.allCases.map(\.rawValue).joined(separator: ", ")).")
    var backend = "best"
    @Option(help: "Seconds to measure each backend.") var seconds = 3.0
    @Flag(help: "Print one JSON object per backend.") var json = false

    func run() throws {
        let file = try GGUFFile(path: model)
        let fileMatrices = file.tensors
            .filter { $0.dimensions.count == 2 && KernelSet.supports($0.type) }
            .map { info in WeightMatrix(type: info.type, rows: info.rows, columns: info.columns, base: file.bytes(of: info).baseAddress!) }
        // Repacked as a model load repacks them (SWITCHYARD_PANEL_CACHE=off measures the file's rows).
        let repacked = RepackedWeights(matrices: fileMatrices, source: file.mapping, cache: .fromProcessEnvironment)
        let matrices = zip(fileMatrices, repacked?.panels ?? fileMatrices.map { _ in nil }).map { matrix, panels in
            panels.map { matrix.withPanels($0) } ?? matrix
        }
        guard !matrices.isEmpty else { throw ValidationError("\(model) has no weight matrix the kernels support") }
        let backends: [KernelSet.Backend]
        switch backend {
        case "best": backends = [KernelSet.best.backend]
        case "all": backends = KernelSet.supportedBackends.filter { $0 != .reference }
        default:
            guard let chosen = KernelSet.Backend(rawValue: backend), KernelSet(backend: chosen) != nil else {
                throw ValidationError("backend '\(backend)' is unknown or unsupported here; supported: \(KernelSet.supportedBackends.map(\.rawValue))")
            }
            backends = [chosen]
        }
        let pool = ThreadPool(threads: threads)
        let bandwidth = KernelBenchmark.memoryBandwidth(pool: pool)
        let bytes = matrices.reduce(0) { $0 + $1.rowStride * $1.rows }
        let bound = bandwidth * 1e9 / Double(bytes)
        if !json {
            print("model \(model): \(matrices.count) matrices, \(String(format: "%.1f", Double(bytes) / 1e6)) MB of weights per pass")
            print("read bandwidth, \(threads) threads: \(String(format: "%.1f", bandwidth)) GB/s -> decode bound \(String(format: "%.0f", bound)) tok/s")
        }
        for backend in backends {
            let result = KernelBenchmark.run(matrices: matrices, kernels: KernelSet(backend: backend)!, pool: pool, batch: batch, seconds: seconds)
            if json {
                let fields: [String: Any] = [
                    "backend": backend.rawValue, "threads": threads, "batch": batch, "weight_bytes": bytes,
                    "seconds_per_pass": result.secondsPerPass, "cpu_seconds_per_pass": result.cpuSecondsPerPass, "weight_gb_s": result.gigabytesPerSecond,
                    "tok_s": result.tokensPerSecond, "bandwidth_gb_s": bandwidth,
                    "fraction_of_bandwidth": batch == 1 ? result.gigabytesPerSecond / bandwidth : NSNull(),
                ]
                let data = try JSONSerialization.data(withJSONObject: fields, options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                let name = backend.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)
                let share = batch == 1 ? String(format: "  (%.0f%% of bandwidth)", 100 * result.gigabytesPerSecond / bandwidth) : ""
                print(name + String(format: "batch %4d: %7.3f ms/pass (%7.3f ms CPU)  %6.1f GB/s of weights  %8.1f tok/s",
                                    batch, result.secondsPerPass * 1e3, result.cpuSecondsPerPass * 1e3,
                                    result.gigabytesPerSecond, result.tokensPerSecond) + share)
            }
        }
        withExtendedLifetime(repacked) {}  // the matrices point into it
    }
}

extension KVCacheFormat: ExpressibleByArgument {}
