/// Quantizes float activation rows into the 8-bit block formats the integer kernels consume.
///
/// Values round to the nearest integer, ties to even, exactly as GGML's `nearest_int`, so the
/// SIMD and reference twins produce identical bytes.
public enum ActivationQuantizer {
    // MARK: Dispatch

    /// Writes `count` floats from `source` to `destination` in `format` (`count` a whole number of blocks).
    public static func quantize(
        _ source: UnsafePointer<Float>, count: Int, format: ActivationFormat, into destination: UnsafeMutableRawPointer
    ) {
        precondition(count % format.blockSize == 0, "row of \(count) is not whole \(format) blocks")
        switch format {
        case .f32: destination.copyMemory(from: source, byteCount: count * MemoryLayout<Float>.stride)
        case .q8_0: quantizeQ8_0(source, count: count, into: destination)
        case .q8_1: quantizeQ8_1(source, count: count, into: destination)
        case .q8_K: quantizeQ8_K(source, count: count, into: destination)
        }
    }

    /// The scalar twin of `quantize`, kept as the definition the fast path is tested against.
    public static func quantizeReference(
        _ source: UnsafePointer<Float>, count: Int, format: ActivationFormat, into destination: UnsafeMutableRawPointer
    ) {
        precondition(count % format.blockSize == 0, "row of \(count) is not whole \(format) blocks")
        switch format {
        case .f32: destination.copyMemory(from: source, byteCount: count * MemoryLayout<Float>.stride)
        case .q8_0, .q8_1: quantizeQ8Reference(source, count: count, withSum: format == .q8_1, into: destination)
        case .q8_K: quantizeQ8_KReference(source, count: count, into: destination)
        }
    }

    // MARK: Rounding

    /// 1.5 * 2^23: adding and subtracting it rounds a float of magnitude < 2^22 to an integer, ties to even.
    @usableFromInline static let roundingMagic: Float = 12_582_912

    @inline(__always) static func nearestInteger(_ value: Float) -> Int32 {
        Int32((value + roundingMagic) - roundingMagic)
    }

    // MARK: Q8_0 / Q8_1 (32 per block: f16 d, [f16 d*Σq], 32 int8)

    static func quantizeQ8Reference(
        _ source: UnsafePointer<Float>, count: Int, withSum: Bool, into destination: UnsafeMutableRawPointer
    ) {
        let blockBytes = withSum ? 36 : 34
        let quantsOffset = withSum ? 4 : 2
        for block in 0..<(count / 32) {
            let x = source + block * 32
            let out = destination + block * blockBytes
            var amax: Float = 0
            for j in 0..<32 { amax = Swift.max(amax, abs(x[j])) }
            let d = amax / 127
            let inverse: Float = d != 0 ? 1 / d : 0
            var sum: Int32 = 0
            for j in 0..<32 {
                let q = Swift.min(127, Swift.max(-127, nearestInteger(x[j] * inverse)))
                out.storeBytes(of: Int8(q), toByteOffset: quantsOffset + j, as: Int8.self)
                sum += q
            }
            out.storeBytes(of: HalfFloat.bits(d), toByteOffset: 0, as: UInt16.self)
            if withSum { out.storeBytes(of: HalfFloat.bits(d * Float(sum)), toByteOffset: 2, as: UInt16.self) }
        }
    }

    static func quantizeQ8_0(_ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutableRawPointer) {
        for block in 0..<(count / 32) {
            let out = destination + block * 34
            let (d, _) = quantize32(source + block * 32, into: out + 2)
            out.storeBytes(of: HalfFloat.bits(d), toByteOffset: 0, as: UInt16.self)
        }
    }

    static func quantizeQ8_1(_ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutableRawPointer) {
        for block in 0..<(count / 32) {
            let out = destination + block * 36
            let (d, sum) = quantize32(source + block * 32, into: out + 4)
            out.storeBytes(of: HalfFloat.bits(d), toByteOffset: 0, as: UInt16.self)
            out.storeBytes(of: HalfFloat.bits(d * Float(sum)), toByteOffset: 2, as: UInt16.self)
        }
    }

    /// Quantizes 32 floats with scale amax/127 into 32 bytes at `quants`; returns the scale and Σq.
    @inline(__always) static func quantize32(_ x: UnsafePointer<Float>, into quants: UnsafeMutableRawPointer) -> (Float, Int32) {
        let raw = UnsafeRawPointer(x)
        let a = raw.loadUnaligned(as: SIMD16<Float>.self)
        let b = raw.loadUnaligned(fromByteOffset: 64, as: SIMD16<Float>.self)
        let amax = a.atLeast(-a).atLeast(b.atLeast(-b)).max()
        let d = amax / 127
        let inverse: Float = d != 0 ? 1 / d : 0
        let qa = roundToBytes(a * inverse), qb = roundToBytes(b * inverse)
        quants.storeBytes(of: SIMD16<Int8>(truncatingIfNeeded: qa), as: SIMD16<Int8>.self)
        quants.storeBytes(of: SIMD16<Int8>(truncatingIfNeeded: qb), toByteOffset: 16, as: SIMD16<Int8>.self)
        return (d, (qa &+ qb).wrappedSum())
    }

    @inline(__always) static func roundToBytes(_ v: SIMD16<Float>) -> SIMD16<Int32> {
        let rounded = (v + roundingMagic) - roundingMagic
        let clamped = rounded.clamped(lowerBound: SIMD16(repeating: -127), upperBound: SIMD16(repeating: 127))
        return SIMD16<Int32>(clamped, rounding: .towardZero)
    }

    // MARK: Q8_K (256 per block: f32 d, 256 int8, 16 int16 sums of 16)

    static func quantizeQ8_KReference(_ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutableRawPointer) {
        for block in 0..<(count / 256) {
            let x = source + block * 256
            let out = destination + block * 292
            var amax: Float = 0, signedMax: Float = 0
            for j in 0..<256 where abs(x[j]) > amax { amax = abs(x[j]); signedMax = x[j] }
            guard amax != 0 else {
                out.initializeMemory(as: UInt8.self, repeating: 0, count: 292)
                continue
            }
            let inverse = -127 / signedMax
            for group in 0..<16 {
                var sum: Int32 = 0
                for j in (group * 16)..<(group * 16 + 16) {
                    let q = Swift.min(127, nearestInteger(inverse * x[j]))
                    out.storeBytes(of: Int8(q), toByteOffset: 4 + j, as: Int8.self)
                    sum += q
                }
                out.storeBytes(of: Int16(sum), toByteOffset: 260 + 2 * group, as: Int16.self)
            }
            out.storeBytes(of: 1 / inverse, toByteOffset: 0, as: Float.self)
        }
    }

    static func quantizeQ8_K(_ source: UnsafePointer<Float>, count: Int, into destination: UnsafeMutableRawPointer) {
        for block in 0..<(count / 256) {
            let x = UnsafeRawPointer(source + block * 256)
            let out = destination + block * 292
            var high = SIMD16<Float>(repeating: -.infinity), low = SIMD16<Float>(repeating: .infinity)
            for g in 0..<16 {
                let v = x.loadUnaligned(fromByteOffset: 64 * g, as: SIMD16<Float>.self)
                high = v.atLeast(high)
                low = v.atMost(low)
            }
            let top = high.max(), bottom = low.min()
            guard top != 0 || bottom != 0, top == top, bottom == bottom else {
                // All zero, or NaN present: the reference's sequential rule decides.
                quantizeQ8_KReference(source + block * 256, count: 256, into: out)
                continue
            }
            let signedMax: Float
            if top > -bottom { signedMax = top } else if -bottom > top { signedMax = bottom } else {
                // Equal magnitudes of both signs: the first one in the row wins, as in the reference.
                signedMax = firstOfMagnitude(top, in: source + block * 256)
            }
            let inverse = -127 / signedMax
            for g in 0..<16 {
                let v = x.loadUnaligned(fromByteOffset: 64 * g, as: SIMD16<Float>.self) * inverse
                let rounded = ((v + roundingMagic) - roundingMagic).atMost(SIMD16(repeating: 127))
                let q = SIMD16<Int32>(rounded, rounding: .towardZero)
                out.storeBytes(of: SIMD16<Int8>(truncatingIfNeeded: q), toByteOffset: 4 + 16 * g, as: SIMD16<Int8>.self)
                out.storeBytes(of: Int16(truncatingIfNeeded: q.wrappedSum()), toByteOffset: 260 + 2 * g, as: Int16.self)
            }
            out.storeBytes(of: 1 / inverse, toByteOffset: 0, as: Float.self)
        }
    }

    private static func firstOfMagnitude(_ magnitude: Float, in x: UnsafePointer<Float>) -> Float {
        for j in 0..<256 where abs(x[j]) == magnitude { return x[j] }
        return magnitude
    }
}
