#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(SLMKernelsC)
import SLMKernelsC
#endif

/// Measures the matrix kernels over a model's own weight matrices, and the machine's memory
/// bandwidth, so kernel speed can be read against the bandwidth bound. A benchmark, not a test.
public enum KernelBenchmark {
    /// The figures of one kernel run.
    public struct Result: Sendable {
        /// The kernels measured.
        public let backend: KernelSet.Backend
        /// Threads used.
        public let threads: Int
        /// Activation rows per product (1 = decode, many = prefill).
        public let batch: Int
        /// Weight bytes read by one pass over every matrix.
        public let weightBytes: Int
        /// Median seconds of one pass (quantizing and multiplying every matrix once).
        public let secondsPerPass: Double
        /// Mean CPU seconds of the process per pass (all threads, spinning included); unlike wall
        /// time it does not grow when other processes take the cores.
        public let cpuSecondsPerPass: Double
        /// Weight bytes streamed per second, in GB/s (10⁹ bytes).
        public var gigabytesPerSecond: Double { Double(weightBytes) / secondsPerPass / 1e9 }
        /// Tokens per second these products alone allow (`batch` tokens per pass).
        public var tokensPerSecond: Double { Double(batch) / secondsPerPass }
    }

    /// Runs every matrix in `matrices` once per pass against `batch` random activation rows, for
    /// at least `seconds` (after one warm-up pass), and reports the median pass.
    public static func run(
        matrices: [WeightMatrix], kernels: KernelSet, pool: ThreadPool, batch: Int, seconds: Double
    ) -> Result {
        let maxColumns = matrices.map(\.columns).max() ?? 0
        let maxRows = matrices.map(\.rows).max() ?? 0
        let buffer = ActivationBuffer(maxColumns: maxColumns, maxRows: batch)
        let input = UnsafeMutablePointer<Float>.allocate(capacity: maxColumns * batch)
        let output = UnsafeMutablePointer<Float>.allocate(capacity: maxRows * batch)
        defer { input.deallocate(); output.deallocate() }
        var seed: UInt32 = 12345
        for i in 0..<(maxColumns * batch) {
            seed = seed &* 1_664_525 &+ 1_013_904_223
            input[i] = Float(Int32(bitPattern: seed) >> 8) / Float(1 << 23)
        }
        let matmul = MatrixMultiplier(pool: pool, kernels: kernels)
        func pass() {
            for w in matrices { matmul.multiply(w, input: input, rows: batch, into: output, buffer: buffer) }
        }
        pass()
        var times: [Double] = []
        let start = now(), cpuStart = now(CLOCK_PROCESS_CPUTIME_ID)
        while times.count < 3 || now() - start < seconds {
            let t0 = now()
            pass()
            times.append(now() - t0)
        }
        let cpu = (now(CLOCK_PROCESS_CPUTIME_ID) - cpuStart) / Double(times.count)
        times.sort()
        let bytes = matrices.reduce(0) { $0 + $1.rowStride * $1.rows }
        return Result(backend: kernels.backend, threads: pool.threadCount, batch: batch, weightBytes: bytes,
                      secondsPerPass: times[times.count / 2], cpuSecondsPerPass: cpu)
    }

    /// Read bandwidth in GB/s: `threads` threads summing disjoint parts of a `bytes` buffer, median of several sweeps.
    public static func memoryBandwidth(pool: ThreadPool, bytes: Int = 256 << 20, sweeps: Int = 9) -> Double {
        let count = bytes / MemoryLayout<SIMD16<Float>>.stride
        let buffer = UnsafeMutablePointer<SIMD16<Float>>.allocate(capacity: count)
        defer { buffer.deallocate() }
        buffer.initialize(repeating: SIMD16(repeating: 1), count: count)
        let parts = pool.threadCount
        let sums = UnsafeMutablePointer<Float>.allocate(capacity: parts)
        defer { sums.deallocate() }
        var times: [Double] = []
        // The C loop where it runs: the Swift one, compiled for SSE2, reads slower than a cache.
        let usesCLoop = KernelSet.supportedBackends.contains(.avx2)
        for _ in 0..<sweeps {
            let t0 = now()
            pool.parallelFor(count: parts) { part in
                let begin = count * part / parts, end = count * (part + 1) / parts
                #if canImport(SLMKernelsC)
                if usesCLoop {
                    let floats = UnsafeRawPointer(buffer + begin).assumingMemoryBound(to: Float.self)
                    sums[part] = slm_read_sum_avx2(floats, Int64((end - begin) * 16))
                    return
                }
                #endif
                var a = SIMD16<Float>(), b = SIMD16<Float>(), c = SIMD16<Float>(), d = SIMD16<Float>()
                var i = begin
                while i + 4 <= end {
                    a += buffer[i]; b += buffer[i + 1]; c += buffer[i + 2]; d += buffer[i + 3]
                    i += 4
                }
                sums[part] = (a + b + c + d).sum()
            }
            times.append(now() - t0)
        }
        times.sort()
        return Double(count * MemoryLayout<SIMD16<Float>>.stride) / times[times.count / 2] / 1e9
    }

    /// Seconds on `clock` (by default a monotonic wall clock).
    static func now(_ clock: clockid_t = CLOCK_MONOTONIC) -> Double {
        var t = timespec()
        clock_gettime(clock, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) * 1e-9
    }
}
