import ArgumentParser
import Foundation
import SLMCore

/// `switchyard bench`: measures the inference core alone.
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the inference core: kernels against the memory-bandwidth bound.",
        subcommands: [KernelsBench.self],
        defaultSubcommand: KernelsBench.self
    )
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
        let matrices = file.tensors
            .filter { $0.dimensions.count == 2 && KernelSet.supports($0.type) }
            .map { info in WeightMatrix(type: info.type, rows: info.rows, columns: info.columns, base: file.bytes(of: info).baseAddress!) }
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
    }
}
