#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
#if canImport(SLMKernelsC)
import SLMKernelsC
#endif

/// The element-wise pieces of the forward pass, each on one row of activations.
///
/// On x86-64 the C kernels run: 16 floats a step with AVX-512, 8 with AVX2 (e^x vectorized in
/// both); elsewhere the scalar `…Reference` definitions, which the tests hold the kernels to.
enum TransformerOps {
    /// An implementation of the element-wise kernels.
    enum Kernels: String, Sendable, CaseIterable {
        case avx512, avx2, scalar

        /// Those this CPU runs (following `KernelSet.supportedBackends`), fastest first.
        static let supported: [Kernels] = {
            #if canImport(SLMKernelsC)
            let backends = KernelSet.supportedBackends
            return (backends.contains(.avx512VNNI) ? [.avx512] : []) + (backends.contains(.avx2) ? [.avx2] : []) + [.scalar]
            #else
            return [.scalar]
            #endif
        }()

        /// The fastest this CPU runs.
        static let best = supported[0]
    }

    // MARK: Kernels

    /// `out = x / sqrt(mean(x²) + eps) · weight`.
    @inline(__always)
    static func rmsNorm(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                        count n: Int, epsilon: Float, kernels: Kernels = .best) {
        #if canImport(SLMKernelsC)
        switch kernels {
        case .avx512: return slm_rmsnorm_f32(out, x, weight, Int64(n), epsilon)
        case .avx2: return slm_rmsnorm_f32_avx2(out, x, weight, Int64(n), epsilon)
        case .scalar: break
        }
        #endif
        rmsNormReference(out, x, weight, count: n, epsilon: epsilon)
    }

    /// `x += y`, then `out = rmsnorm(x) · weight`: a residual add and the norm after it.
    @inline(__always)
    static func addRMSNorm(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, _ out: UnsafeMutablePointer<Float>,
                           _ weight: UnsafePointer<Float>, count n: Int, epsilon: Float, kernels: Kernels = .best) {
        #if canImport(SLMKernelsC)
        switch kernels {
        case .avx512: return slm_add_rmsnorm_f32(x, y, out, weight, Int64(n), epsilon)
        case .avx2: return slm_add_rmsnorm_f32_avx2(x, y, out, weight, Int64(n), epsilon)
        case .scalar: break
        }
        #endif
        addReference(x, y, count: n)
        rmsNormReference(out, x, weight, count: n, epsilon: epsilon)
    }

    /// Rotates the first `rotated` values of each head by RoPE tables from `ropeTables`.
    @inline(__always)
    static func rope(_ x: UnsafeMutablePointer<Float>, heads: Int, headDimension: Int, rotated: Int,
                     cos: UnsafePointer<Float>, sin: UnsafePointer<Float>, kernels: Kernels = .best) {
        #if canImport(SLMKernelsC)
        switch kernels {
        case .avx512: return slm_rope_f32(x, Int64(heads), Int64(headDimension), Int64(rotated), cos, sin)
        case .avx2: return slm_rope_f32_avx2(x, Int64(heads), Int64(headDimension), Int64(rotated), cos, sin)
        case .scalar: break
        }
        #endif
        ropeReference(x, heads: heads, headDimension: headDimension, rotated: rotated, cos: cos, sin: sin)
    }

    /// `gate[i] = silu(gate[i]) · up[i]`, the SwiGLU of the feed-forward network.
    @inline(__always)
    static func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count n: Int, kernels: Kernels = .best) {
        #if canImport(SLMKernelsC)
        switch kernels {
        case .avx512: return slm_swiglu_f32(gate, up, Int64(n))
        case .avx2: return slm_swiglu_f32_avx2(gate, up, Int64(n))
        case .scalar: break
        }
        #endif
        swiGLUReference(gate, up, count: n)
    }

    /// Fills the RoPE tables of one position for `rope`: pair i turns by `position · base^(−2i/dims)`
    /// (computed in Double); `cos` holds each pair's cosine twice, `sin` its sine as (−sin, +sin),
    /// `dimensions` floats each.
    static func ropeTables(position: Int, base: Float, dimensions: Int,
                           cos cosOut: UnsafeMutablePointer<Float>, sin sinOut: UnsafeMutablePointer<Float>) {
        for i in 0..<(dimensions / 2) {
            let frequency = pow(Double(base), -2 * Double(i) / Double(dimensions))
            let angle = Double(position) * frequency
            let c = Float(cos(angle)), s = Float(sin(angle))
            cosOut[2 * i] = c
            cosOut[2 * i + 1] = c
            sinOut[2 * i] = -s
            sinOut[2 * i + 1] = s
        }
    }

    // MARK: Scalar definitions

    /// `rmsNorm` with the mean of squares summed in Double.
    static func rmsNormReference(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                                 count n: Int, epsilon: Float) {
        var sum = 0.0
        for i in 0..<n { sum += Double(x[i]) * Double(x[i]) }
        let meanSquare = Float(sum / Double(n))
        let scale = 1 / (meanSquare + epsilon).squareRoot()
        for i in 0..<n { out[i] = x[i] * scale * weight[i] }
    }

    /// `rope`: adjacent pairs `(2i, 2i+1)` of each head turn by the table's angle (llama.cpp's NORM layout).
    static func ropeReference(_ x: UnsafeMutablePointer<Float>, heads: Int, headDimension: Int, rotated: Int,
                              cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        for h in 0..<heads {
            let head = x + h * headDimension
            for i in 0..<(rotated / 2) {
                let x0 = head[2 * i], x1 = head[2 * i + 1]
                head[2 * i] = x0 * cos[2 * i] + x1 * sin[2 * i]
                head[2 * i + 1] = x1 * cos[2 * i + 1] + x0 * sin[2 * i + 1]
            }
        }
    }

    /// `swiGLU` with the platform's `expf`.
    static func swiGLUReference(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// `add`, one element at a time.
    static func addReference(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n { x[i] += y[i] }
    }
}
