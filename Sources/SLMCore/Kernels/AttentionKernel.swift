#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(SLMKernelsC)
import SLMKernelsC
#endif

/// Attention of one query head over a run of fp32 keys and values:
/// `out = Σ_t softmax_t(q·k[t] · scale) · v[t]`.
///
/// On x86-64 with AVX2 the C kernel runs (FMA, 8 floats a step, keys and values read once each);
/// elsewhere the scalar-loop reference, which is also the definition the tests hold it to.
public enum AttentionKernel {
    /// Whether the C kernel runs on this CPU.
    public static let usesCKernel: Bool = KernelSet.supportedBackends.contains(.avx2)

    /// One head: `scores` is scratch for `length` floats; keys and values of position `t` start
    /// `t · stride` floats after `keys` and `values`.
    @inline(__always)
    public static func head(
        query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int,
        length: Int, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        #if canImport(SLMKernelsC)
        if usesCKernel {
            slm_attention_head_f32(query, keys, values, stride, Int64(length), Int64(headDimension), scale, scores, output)
            return
        }
        #endif
        headReference(query: query, keys: keys, values: values, stride: stride, length: length,
                      headDimension: headDimension, scale: scale, scores: scores, output: output)
    }

    /// The scalar definition of `head`.
    public static func headReference(
        query: UnsafePointer<Float>, keys: UnsafePointer<Float>, values: UnsafePointer<Float>, stride: Int,
        length: Int, headDimension: Int, scale: Float,
        scores: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>
    ) {
        var maximum = -Float.infinity
        for t in 0..<length {
            var dot: Float = 0
            for i in 0..<headDimension { dot += query[i] * keys[t * stride + i] }
            scores[t] = dot * scale
            maximum = max(maximum, scores[t])
        }
        var sum: Float = 0
        for t in 0..<length {
            scores[t] = expf(scores[t] - maximum)
            sum += scores[t]
        }
        for i in 0..<headDimension {
            var acc: Float = 0
            for t in 0..<length { acc += scores[t] * values[t * stride + i] }
            output[i] = acc / sum
        }
    }
}
