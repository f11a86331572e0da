import ArgumentParser
import Foundation
import GatewayServer
import Hummingbird
import Logging
import Providers
import SLMCore

/// `switchyard worker`: serves one GGUF model over the OpenAI-compatible API, with no database.
///
/// Several workers on one host map the same file, so they share its weights through the page cache.
/// ```
/// switchyard worker --model .models/SmolLM2-135M-Instruct.Q4_1.gguf --port 8081 --slots 4 --context 2048
/// switchyard worker bench --model .models/SmolLM2-135M-Instruct.Q4_1.gguf --streams 8
/// ```
struct WorkerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "worker",
        abstract: "Serve one local GGUF model over the OpenAI-compatible API (chat completions, /v1/models, /healthz).",
        subcommands: [WorkerServeCommand.self, WorkerBenchCommand.self],
        defaultSubcommand: WorkerServeCommand.self)
}

/// The model and scheduler sizes shared by the worker's subcommands.
struct WorkerModelOptions: ParsableArguments {
    @Option(help: "Path of the GGUF model file.")
    var model: String

    @Option(help: "Sequences decoded at once.")
    var slots: Int = 4

    @Option(help: "Tokens of context per slot (prompt and answer).")
    var context: Int = 2048

    @Option(help: "Requests that may wait for a slot before the worker answers 429.")
    var queue: Int = 16

    @Option(help: "Threads per forward pass.")
    var threads: Int = 2

    @Flag(name: .customLong("per-sequence-decode"), help: "Decode each sequence with its own forward pass instead of one batched step.")
    var perSequenceDecode = false

    @Flag(name: .customLong("kv-huge-pages"),
          help: "Back each slot's KV cache with huge pages: faster decode, every slot's whole cache resident from the start.")
    var kvHugePages = false

    @Option(name: .customLong("kv-cache"),
            help: "How each slot's KV cache stores keys and values: f16, or q8 (8-bit blocks: half the memory per token).")
    var kvCache: KVCacheFormat = .f16

    func validate() throws {
        guard FileManager.default.fileExists(atPath: model) else { throw ValidationError("--model: no file at \(model)") }
        guard slots >= 1 else { throw ValidationError("--slots: must be at least 1") }
        guard context >= 16 else { throw ValidationError("--context: must be at least 16") }
        guard queue >= 0 else { throw ValidationError("--queue: must be at least 0") }
        guard threads >= 1 else { throw ValidationError("--threads: must be at least 1") }
    }

    /// Loads the model and starts its scheduler.
    func loadRuntime() throws -> LocalModelRuntime {
        try LocalModelRuntime(path: model, configuration: SchedulerConfiguration(
            slots: slots, contextLength: context, queueCapacity: queue, threads: threads, batchedDecode: !perSequenceDecode,
            cacheBacking: kvHugePages ? .hugePages : .onDemand, cacheFormat: kvCache))
    }
}

/// `switchyard worker [serve]`: the worker process itself.
struct WorkerServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "serve", abstract: "Serve the model until SIGTERM or SIGINT.")

    @OptionGroup var options: WorkerModelOptions

    @Option(help: "Port to listen on.")
    var port: Int = 8081

    @Option(help: "Address to bind.")
    var host: String = "127.0.0.1"

    @Option(help: "Model name clients use (default: the file name without .gguf).")
    var name: String?

    @Option(name: .customLong("price-per-cpu-second"), help: "USD per CPU-second, reported as each answer's cost.")
    var pricePerCPUSecond: Double = 0

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port: must be 0...65535") }
    }

    func run() async throws {
        var logger = Logger(label: "switchyard.worker")
        logger.logLevel = .info
        let runtime = try options.loadRuntime()
        let modelName = name ?? URL(fileURLWithPath: options.model).deletingPathExtension().lastPathComponent
        let host = self.host
        let app = buildWorkerApplication(runtime: runtime, configuration: WorkerConfiguration(
            modelName: modelName, host: host, port: port, pricePerCPUSecond: pricePerCPUSecond), logger: logger) { channel in
            // The bound port (the one asked for, or the one picked for --port 0), for scripts and tests to wait on.
            FileHandle.standardOutput.write(Data("switchyard worker listening on \(host):\(channel.localAddress?.port ?? -1)\n".utf8))
        }
        logger.info("worker serving \(modelName) with \(options.slots) slots of \(runtime.scheduler.configuration.contextLength) tokens")
        try await app.runService()
        await runtime.shutdown()
    }
}

/// `switchyard worker bench`: concurrent local streams over HTTP against the scheduler's own throughput.
struct WorkerBenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Throughput of concurrent streams through the gateway and the worker vs the scheduler driven directly, in one run, with their ratios.")

    @OptionGroup var options: WorkerModelOptions

    @Option(help: "Concurrent streams per round.")
    var streams: Int = 8

    @Option(name: .customLong("max-tokens"), help: "Answer tokens per stream.")
    var maxTokens: Int = 64

    @Option(help: "Counted rounds per side, taken in turns after one uncounted warm-up round each.")
    var rounds: Int = 2

    @Flag(name: .customLong("compare-decode"), help: "Also drive a scheduler that decodes each sequence on its own (batched decode's anchor).")
    var compareDecode = false

    func run() async throws {
        let runtime = try options.loadRuntime()
        let report = try await runLocalThroughputBenchmark(runtime: runtime, streams: streams, maxTokens: maxTokens, rounds: rounds,
                                                           comparePerSequenceDecode: compareDecode)
        print(report)
        await runtime.shutdown()
    }
}
