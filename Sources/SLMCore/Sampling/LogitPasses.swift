#if canImport(SLMKernelsC)
import SLMKernelsC
#endif

/// The sampler's passes over a whole row of logits: the softmax statistics every sampled token
/// reports, and the weights a draw chooses from.
///
/// On x86-64 C kernels run them (AVX-512 or AVX2, `sampling_x86.c`); elsewhere the Swift SIMD
/// definitions here, which the tests hold the kernels to. Sums run in float lanes flushed to
/// double every `blockSize` logits, and a logit of −∞ (or NaN) weighs exactly 0.
enum LogitPasses {
    /// Logits per flush of the float sums, and per entry of `shiftedExp`'s block sums.
    static let blockSize = 1024

    /// The largest logit and the sums softmax's log-normalizer and entropy come from.
    struct SoftmaxStatistics: Equatable {
        /// The largest logit, NaNs left out (−∞ when there is none).
        var maximum: Float
        /// Σ e^(l − max).
        var sum: Double
        /// Σ e^(l − max)·(l − max).
        var weightedShift: Double
    }

    /// The lowest shift `softmaxStatistics` uses, so that e^shift stays a normal float.
    static let shiftFloor: Float = -87.33654

    /// Blocks of `blockSize` logits (the last one partial) in a row of `count`.
    static func blockCount(_ count: Int) -> Int { (count + blockSize - 1) / blockSize }

    /// The largest of `logits` and Σ e^(l − max), Σ e^(l − max)·(l − max), each shift raised to
    /// `shiftFloor` at least.
    static func softmaxStatistics(_ logits: UnsafeBufferPointer<Float>, kernels: TransformerOps.Kernels = .best) -> SoftmaxStatistics {
        #if canImport(SLMKernelsC)
        if kernels != .scalar, let base = logits.baseAddress {
            var maximum: Float = 0
            var sums = (0.0, 0.0)
            withUnsafeMutableBytes(of: &sums) { raw in
                let out = raw.baseAddress!.assumingMemoryBound(to: Double.self)
                if kernels == .avx512 {
                    slm_softmax_stats_f32(base, Int64(logits.count), &maximum, out)
                } else {
                    slm_softmax_stats_f32_avx2(base, Int64(logits.count), &maximum, out)
                }
            }
            return SoftmaxStatistics(maximum: maximum, sum: sums.0, weightedShift: sums.1)
        }
        #endif
        return softmaxStatisticsPortable(logits)
    }

    /// `weights[i] = e^((logits[i] − maximum)·factor)`, the exponent raised to `shiftFloor` at least
    /// (0 for −∞ or NaN), with each block's sum in `blockSums` (`blockCount` entries); returns their total.
    @discardableResult
    static func shiftedExp(_ logits: UnsafeBufferPointer<Float>, maximum: Float, factor: Float,
                           into weights: UnsafeMutableBufferPointer<Float>, blockSums: UnsafeMutableBufferPointer<Double>,
                           kernels: TransformerOps.Kernels = .best) -> Double {
        precondition(weights.count >= logits.count && blockSums.count >= blockCount(logits.count), "scratch too small")
        #if canImport(SLMKernelsC)
        if kernels != .scalar, let base = logits.baseAddress {
            if kernels == .avx512 {
                slm_shifted_exp_f32(base, Int64(logits.count), maximum, factor, weights.baseAddress!, blockSums.baseAddress!)
            } else {
                slm_shifted_exp_f32_avx2(base, Int64(logits.count), maximum, factor, weights.baseAddress!, blockSums.baseAddress!)
            }
            var total: Double = 0
            for block in 0..<blockCount(logits.count) { total += blockSums[block] }
            return total
        }
        #endif
        return shiftedExpPortable(logits, maximum: maximum, factor: factor, into: weights, blockSums: blockSums)
    }

    /// Writes to `indices`, in increasing order, the index of every value at least `threshold`
    /// (NaNs never) and returns how many.
    static func indices(of values: UnsafeBufferPointer<Float>, atLeast threshold: Float, into indices: UnsafeMutableBufferPointer<Int32>,
                        kernels: TransformerOps.Kernels = .best) -> Int {
        precondition(indices.count >= values.count, "index scratch too small")
        #if canImport(SLMKernelsC)
        if kernels != .scalar, let base = values.baseAddress {
            let count = kernels == .avx512
                ? slm_indices_at_least(base, Int64(values.count), threshold, indices.baseAddress!)
                : slm_indices_at_least_avx2(base, Int64(values.count), threshold, indices.baseAddress!)
            return Int(count)
        }
        #endif
        return indicesPortable(of: values, atLeast: threshold, into: indices)
    }

    // MARK: Swift definitions

    static func indicesPortable(of values: UnsafeBufferPointer<Float>, atLeast threshold: Float,
                                into indices: UnsafeMutableBufferPointer<Int32>) -> Int {
        var count = 0
        for index in 0..<values.count where values[index] >= threshold {
            indices[count] = Int32(index)
            count += 1
        }
        return count
    }

    /// Eight logits from `index`, −∞ past the end.
    @inline(__always)
    private static func lanes(_ logits: UnsafeBufferPointer<Float>, from index: Int) -> SIMD8<Float> {
        if index + 8 <= logits.count {
            return UnsafeRawPointer(logits.baseAddress! + index).loadUnaligned(as: SIMD8<Float>.self)
        }
        var lanes = SIMD8<Float>(repeating: -.infinity)
        for lane in 0..<(logits.count - index) { lanes[lane] = logits[index + lane] }
        return lanes
    }

    /// e^x where the logit counts (above −∞, not NaN), else 0.
    @inline(__always)
    private static func weigh(_ logits: SIMD8<Float>, _ exponents: SIMD8<Float>) -> SIMD8<Float> {
        SIMD8(repeating: 0).replacing(with: VectorExp.exp(exponents), where: logits .> SIMD8(repeating: -.infinity))
    }

    static func softmaxStatisticsPortable(_ logits: UnsafeBufferPointer<Float>) -> SoftmaxStatistics {
        var maximumLanes = SIMD8<Float>(repeating: -.infinity)
        for index in stride(from: 0, to: logits.count, by: 8) { maximumLanes = lanes(logits, from: index).atLeast(maximumLanes) }
        let maximum = maximumLanes.max()
        let shift = SIMD8(repeating: maximum), floor = SIMD8(repeating: shiftFloor)
        var sum: Double = 0, weightedShift: Double = 0
        for start in stride(from: 0, to: logits.count, by: blockSize) {
            var sumLanes = SIMD8<Float>(repeating: 0), weightedLanes = SIMD8<Float>(repeating: 0)
            for index in stride(from: start, to: min(start + blockSize, logits.count), by: 8) {
                let values = lanes(logits, from: index)
                let shifted = (values - shift).atLeast(floor)
                let weight = weigh(values, shifted)
                sumLanes += weight
                weightedLanes += weight * shifted
            }
            sum += Double(sumLanes.sum())
            weightedShift += Double(weightedLanes.sum())
        }
        return SoftmaxStatistics(maximum: maximum, sum: sum, weightedShift: weightedShift)
    }

    @discardableResult
    static func shiftedExpPortable(_ logits: UnsafeBufferPointer<Float>, maximum: Float, factor: Float,
                                   into weights: UnsafeMutableBufferPointer<Float>, blockSums: UnsafeMutableBufferPointer<Double>) -> Double {
        let shift = SIMD8(repeating: maximum)
        var total: Double = 0
        for (block, start) in stride(from: 0, to: logits.count, by: blockSize).enumerated() {
            var sumLanes = SIMD8<Float>(repeating: 0)
            for index in stride(from: start, to: min(start + blockSize, logits.count), by: 8) {
                let values = lanes(logits, from: index)
                let weight = weigh(values, (values - shift) * factor)
                sumLanes += weight
                if index + 8 <= logits.count {
                    UnsafeMutableRawPointer(weights.baseAddress! + index).storeBytes(of: weight, as: SIMD8<Float>.self)
                } else {
                    for lane in 0..<(logits.count - index) { weights[index + lane] = weight[lane] }
                }
            }
            blockSums[block] = Double(sumLanes.sum())
            total += blockSums[block]
        }
        return total
    }
}
