#if canImport(SLMKernelsC)
import SLMKernelsC
#endif

/// The index of the largest value of a row of logits.
///
/// On x86-64 a C kernel (AVX-512 or AVX2) finds it in one pass, each lane keeping its largest
/// value and its index; elsewhere `indexPortable`, two passes of Swift SIMD. A greedy decode step
/// of SmolLM2 scans 49,152 logits per sequence this way.
public enum Argmax {
    /// The index of the largest value, the first one on ties; 0 when no value exceeds −∞ (NaNs are
    /// never chosen), as a scalar scan would answer.
    public static func index(of values: UnsafeBufferPointer<Float>) -> Int {
        index(of: values, kernels: .best)
    }

    /// `index(of:)` with the given kernels (tests hold each to the scalar scan).
    static func index(of values: UnsafeBufferPointer<Float>, kernels: TransformerOps.Kernels) -> Int {
        guard let base = values.baseAddress, values.count > 0 else { return 0 }
        #if canImport(SLMKernelsC)
        switch kernels {
        case .avx512: return Int(slm_argmax_f32(base, Int64(values.count)))
        case .avx2: return Int(slm_argmax_f32_avx2(base, Int64(values.count)))
        case .scalar: break
        }
        #endif
        return indexPortable(of: values)
    }

    /// `index(of:)` in Swift SIMD: the maximum 16 lanes at a time, then the first index holding it.
    static func indexPortable(of values: UnsafeBufferPointer<Float>) -> Int {
        guard let base = values.baseAddress, values.count > 0 else { return 0 }
        let count = values.count, vectorEnd = count - count % 16
        // Pass 1: the maximum, 16 lanes at a time (a NaN lane never replaces a number).
        var lanes = SIMD16<Float>(repeating: -.infinity)
        let raw = UnsafeRawPointer(base)
        var i = 0
        while i < vectorEnd {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            lanes.replace(with: v, where: v .> lanes)
            i += 16
        }
        var maximum = lanes.max()
        while i < count {
            if base[i] > maximum { maximum = base[i] }
            i += 1
        }
        guard maximum > -.infinity else { return 0 }
        // Pass 2: the first index holding it.
        i = 0
        while i < vectorEnd {
            let v = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
            if any(v .== SIMD16(repeating: maximum)) { break }
            i += 16
        }
        while base[i] != maximum { i += 1 }
        return i
    }
}
