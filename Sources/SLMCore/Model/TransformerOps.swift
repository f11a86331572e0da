#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The element-wise pieces of the forward pass, each on one row of activations.
enum TransformerOps {
    /// `out = x / sqrt(mean(x²) + eps) · weight`; the mean of squares is summed in Double.
    @inline(__always)
    static func rmsNorm(_ out: UnsafeMutablePointer<Float>, _ x: UnsafePointer<Float>, _ weight: UnsafePointer<Float>,
                        count n: Int, epsilon: Float) {
        var sum = 0.0
        for i in 0..<n { sum += Double(x[i]) * Double(x[i]) }
        let meanSquare = Float(sum / Double(n))
        let scale = 1 / (meanSquare + epsilon).squareRoot()
        for i in 0..<n { out[i] = x[i] * scale * weight[i] }
    }

    /// Fills the RoPE tables of one position: pair i turns by `position · base^(−2i/dims)`, computed in Double.
    @inline(__always)
    static func ropeAngles(position: Int, base: Float, dimensions: Int,
                           cos cosOut: UnsafeMutablePointer<Float>, sin sinOut: UnsafeMutablePointer<Float>) {
        for i in 0..<(dimensions / 2) {
            let frequency = pow(Double(base), -2 * Double(i) / Double(dimensions))
            let angle = Double(position) * frequency
            cosOut[i] = Float(cos(angle))
            sinOut[i] = Float(sin(angle))
        }
    }

    /// Rotates adjacent pairs `(2i, 2i+1)` of the first `2·pairs` values of each head (llama.cpp's NORM layout).
    @inline(__always)
    static func rope(_ x: UnsafeMutablePointer<Float>, heads: Int, headDimension: Int, pairs: Int,
                     cos: UnsafePointer<Float>, sin: UnsafePointer<Float>) {
        for h in 0..<heads {
            let head = x + h * headDimension
            for i in 0..<pairs {
                let x0 = head[2 * i], x1 = head[2 * i + 1]
                head[2 * i] = x0 * cos[i] - x1 * sin[i]
                head[2 * i + 1] = x0 * sin[i] + x1 * cos[i]
            }
        }
    }

    /// In-place softmax over `count` values.
    @inline(__always)
    static func softmax(_ x: UnsafeMutablePointer<Float>, count n: Int) {
        var maximum = -Float.infinity
        for i in 0..<n { maximum = max(maximum, x[i]) }
        var sum: Float = 0
        for i in 0..<n {
            x[i] = expf(x[i] - maximum)
            sum += x[i]
        }
        let inverse = 1 / sum
        for i in 0..<n { x[i] *= inverse }
    }

    /// `gate[i] = silu(gate[i]) · up[i]`, the SwiGLU of the feed-forward network.
    @inline(__always)
    static func swiGLU(_ gate: UnsafeMutablePointer<Float>, _ up: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n {
            let g = gate[i]
            gate[i] = g / (1 + expf(-g)) * up[i]
        }
    }

    /// `out[i] += weight · v[i]`, 16 lanes at a time.
    @inline(__always)
    static func addScaled(_ out: UnsafeMutablePointer<Float>, _ v: UnsafePointer<Float>, _ weight: Float, count n: Int) {
        var i = 0
        let raw = UnsafeMutableRawPointer(out), source = UnsafeRawPointer(v)
        while i + 16 <= n {
            // A multiply and an add, not `addingProduct`: without FMA in the baseline instruction
            // set that becomes a libm `fmaf` call per lane.
            let sum = raw.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self)
                + source.loadUnaligned(fromByteOffset: i * 4, as: SIMD16<Float>.self) * weight
            raw.storeBytes(of: sum, toByteOffset: i * 4, as: SIMD16<Float>.self)
            i += 16
        }
        while i < n { out[i] += weight * v[i]; i += 1 }
    }

    /// `x[i] += y[i]`.
    @inline(__always)
    static func add(_ x: UnsafeMutablePointer<Float>, _ y: UnsafePointer<Float>, count n: Int) {
        for i in 0..<n { x[i] += y[i] }
    }
}
