import Foundation

/// e^x eight lanes at a time, for `LogitPasses`' Swift definitions (the sampler's passes over the
/// whole vocabulary where no C kernel runs).
///
/// Cephes' `expf`: x = n·ln 2 + r with |r| ≤ ln 2 / 2, a degree-7 polynomial for e^r, and 2^n
/// built in the exponent bits. Within 2 ulp of `exp` for x in [-87.3, 88]; smaller x gives 2^-126
/// or less, larger x is clamped. `reference` is the scalar twin the tests compare against.
enum VectorExp {
    @inline(__always)
    static func exp(_ input: SIMD8<Float>) -> SIMD8<Float> {
        let x = input.atLeast(SIMD8(repeating: -87.33654)).atMost(SIMD8(repeating: 88))
        // n = round(x / ln 2): adding 1.5·2^23 rounds to an integer (ties to even) in the low mantissa bits.
        let magic = SIMD8<Float>(repeating: 12_582_912)
        let shiftedN = x * 1.442_695_04 + magic
        let n = shiftedN - magic
        // r = x - n·ln 2, with ln 2 split in two for precision.
        var r = x - n * 0.693_359_375
        r = r + n * 2.121_944_40e-4
        var p = SIMD8<Float>(repeating: 1.987_569_150_0e-4)
        p = p * r + 1.398_199_950_7e-3
        p = p * r + 8.333_451_907_3e-3
        p = p * r + 4.166_579_589_4e-2
        p = p * r + 1.666_666_545_9e-1
        p = p * r + 5.000_000_120_1e-1
        p = p * (r * r) + r + 1
        // 2^n: n sits in the low bits of shiftedN; move it into the exponent field.
        let nBits = unsafeBitCast(shiftedN, to: SIMD8<Int32>.self) &- 0x4B40_0000
        let scale = unsafeBitCast((nBits &+ 127) &<< 23, to: SIMD8<Float>.self)
        return p * scale
    }

    /// The scalar twin: the platform's `exp`.
    static func reference(_ x: Float) -> Float {
        Foundation.exp(x)
    }
}
