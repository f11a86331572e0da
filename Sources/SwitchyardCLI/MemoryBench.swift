import ArgumentParser
import Foundation
import SLMCore

/// `switchyard bench memory`: read bandwidth over buffers of growing size, to show where data
/// stops fitting the caches this process gets.
struct MemoryBench: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "memory",
        abstract: "Read bandwidth of the threads over buffers of growing size (where the caches end).",
        discussion: """
        For each size, the threads sum disjoint parts of one buffer, sweeping it several times,
        and the median sweep gives GB/s. While a buffer fits the share of the last-level cache the
        process gets, sweeps after the first read it from there; past that, from memory. Decode
        of one sequence reads the model's weights once per token, so whether they fit decides
        its speed: compare the size where the figures drop with the weights (and, for batched
        steps, the weights plus every sequence's keys and values). On a shared host the share
        changes with the neighbours' load; run it next to the figures it should explain.
        """
    )

    @Option(help: "Threads (the caller included).") var threads = 2
    @Option(help: "Buffer sizes in MiB, comma-separated.") var sizes = "16,32,64,96,112,128,144,160,192,256,384"
    @Option(help: "Sweeps per size (the median is reported).") var sweeps = 9
    @Flag(help: "Print one JSON object per size: mib, gb_s.") var json = false

    func run() throws {
        let fields = sizes.split(separator: ",", omittingEmptySubsequences: false).map { $0.trimmingCharacters(in: .whitespaces) }
        let mebibytes = fields.compactMap { Int($0) }.filter { $0 > 0 }
        guard mebibytes.count == fields.count else {
            throw ValidationError("--sizes '\(sizes)': every entry must be a positive whole number of MiB, comma-separated")
        }
        guard threads >= 1, sweeps >= 1 else { throw ValidationError("--threads and --sweeps must be at least 1") }
        let pool = ThreadPool(threads: threads)
        if !json { print("read bandwidth, \(threads) threads, median of \(sweeps) sweeps") }
        for size in mebibytes {
            let gigabytesPerSecond = KernelBenchmark.memoryBandwidth(pool: pool, bytes: size << 20, sweeps: sweeps)
            if json {
                let data = try JSONSerialization.data(withJSONObject: ["mib": size, "gb_s": gigabytesPerSecond], options: [.sortedKeys])
                print(String(decoding: data, as: UTF8.self))
            } else {
                print(String(format: "%6d MiB: %6.1f GB/s", size, gigabytesPerSecond))
            }
        }
    }
}
