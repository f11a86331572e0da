/// The dot products with Swift SIMD types: the path for CPUs without a C kernel (ARM, x86 before
/// AVX2). Swift compiles them for the baseline of the target (SSE2 on x86-64), so on AVX-512
/// machines the C kernels are used instead (see `KernelSet`).
enum PortableDot {
    /// The dot product of one row for `type`, as `ReferenceDot.dot`.
    @inline(__always)
    static func dot(_ type: GGMLType, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        switch type {
        case .f32: dotF32(w, x, count: blocks)
        case .f16: ReferenceDot.dotF16(w, x, count: blocks)
        case .q4_0: dotQ4Q8_1(w, x, blocks: blocks, hasMin: false)
        case .q4_1: dotQ4Q8_1(w, x, blocks: blocks, hasMin: true)
        case .q5_0: dotQ5_0Q8_0(w, x, blocks: blocks)
        case .q8_0: dotQ8_0Q8_0(w, x, blocks: blocks)
        case .q4_K: dotQ45_KQ8_K(w, x, blocks: blocks, hasHighBit: false)
        case .q5_K: dotQ45_KQ8_K(w, x, blocks: blocks, hasHighBit: true)
        case .q6_K: dotQ6_KQ8_K(w, x, blocks: blocks)
        default: preconditionFailure("no kernel for \(type) weights")
        }
    }

    // MARK: Helpers

    @inline(__always) static func widen(_ v: SIMD16<UInt8>) -> SIMD16<Int16> { SIMD16<Int16>(truncatingIfNeeded: v) }
    @inline(__always) static func widen(_ v: SIMD16<Int8>) -> SIMD16<Int16> { SIMD16<Int16>(truncatingIfNeeded: v) }

    /// Σ a·b for 16 small unsigned weights (a·b fits 16 bits) and 16 signed activations.
    @inline(__always) static func sum16(_ a: SIMD16<Int16>, _ b: SIMD16<Int8>) -> Int32 {
        SIMD16<Int32>(truncatingIfNeeded: a &* widen(b)).wrappedSum()
    }

    // MARK: Float weights

    static func dotF32(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, count: Int) -> Float {
        var acc = SIMD16<Float>()
        var i = 0
        while i + 16 <= count {
            acc.addProduct(w.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self),
                           x.loadUnaligned(fromByteOffset: 4 * i, as: SIMD16<Float>.self))
            i += 16
        }
        var sum = acc.sum()
        while i < count {
            sum += w.load(fromByteOffset: 4 * i, as: Float.self) * x.load(fromByteOffset: 4 * i, as: Float.self)
            i += 1
        }
        return sum
    }

    // MARK: 32-element blocks

    static func dotQ4Q8_1(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int, hasMin: Bool) -> Float {
        let blockBytes = hasMin ? 20 : 18, quants = hasMin ? 4 : 2
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * blockBytes, xb = x + b * 36
            let q = wb.loadUnaligned(fromByteOffset: quants, as: SIMD16<UInt8>.self)
            let sum = sum16(widen(q & 0xF), xb.loadUnaligned(fromByteOffset: 4, as: SIMD16<Int8>.self))
                &+ sum16(widen(q &>> 4), xb.loadUnaligned(fromByteOffset: 20, as: SIMD16<Int8>.self))
            let dw = ReferenceDot.half(wb, 0)
            total += dw * ReferenceDot.half(xb, 0) * Float(sum)
            // Q4_1 adds m_w·s_x; Q4_0's offset of −8 is −8·d_w·s_x.
            total += (hasMin ? ReferenceDot.half(wb, 2) : -8 * dw) * ReferenceDot.half(xb, 2)
        }
        return total
    }

    /// Q5_0 × Q8_0: each block's 5-bit values rebuilt 16 at a time (nibbles, then bit j of `qh`
    /// moved to bit 4), less 16.
    static func dotQ5_0Q8_0(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        let bit = SIMD16<UInt32>(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * 22, xb = x + b * 34
            let qh = UInt32(littleEndian: wb.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
            let bytes = wb.loadUnaligned(fromByteOffset: 6, as: SIMD16<UInt8>.self)
            var sum: Int32 = 0
            for half in 0..<2 {
                let nibbles = half == 0 ? bytes & 0x0F : bytes &>> 4
                let high = SIMD16<UInt8>(truncatingIfNeeded: ((SIMD16<UInt32>(repeating: qh >> UInt32(16 * half)) &>> bit) & 1) &<< 4)
                let a = widen(nibbles | high) &- 16
                sum &+= sum16(a, xb.loadUnaligned(fromByteOffset: 2 + 16 * half, as: SIMD16<Int8>.self))
            }
            total += ReferenceDot.half(wb, 0) * ReferenceDot.half(xb, 0) * Float(sum)
        }
        return total
    }

    static func dotQ8_0Q8_0(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * 34, xb = x + b * 34
            var sum: Int32 = 0
            for half in 0..<2 {
                let a = widen(wb.loadUnaligned(fromByteOffset: 2 + 16 * half, as: SIMD16<Int8>.self))
                sum &+= sum16(a, xb.loadUnaligned(fromByteOffset: 2 + 16 * half, as: SIMD16<Int8>.self))
            }
            total += ReferenceDot.half(wb, 0) * ReferenceDot.half(xb, 0) * Float(sum)
        }
        return total
    }

    // MARK: K-quants against Q8_K

    static func dotQ45_KQ8_K(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int, hasHighBit: Bool) -> Float {
        let blockBytes = hasHighBit ? 176 : 144, quantsOffset = hasHighBit ? 48 : 16
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * blockBytes, xb = x + b * 292
            var sumScaled: Int32 = 0, sumMins: Int32 = 0
            for group in 0..<8 {
                let (scale, minimum) = KQuantScales.scaleAndMin(group, wb + 4)
                var dot: Int32 = 0
                for part in 0..<2 {
                    let bytes = wb.loadUnaligned(fromByteOffset: quantsOffset + (group / 2) * 32 + 16 * part, as: SIMD16<UInt8>.self)
                    var q = group % 2 == 0 ? bytes & 0xF : bytes &>> 4
                    if hasHighBit {
                        let high = wb.loadUnaligned(fromByteOffset: 16 + 16 * part, as: SIMD16<UInt8>.self)
                        q |= ((high &>> UInt8(group)) & 1) &<< 4
                    }
                    dot &+= sum16(widen(q), xb.loadUnaligned(fromByteOffset: 4 + group * 32 + 16 * part, as: SIMD16<Int8>.self))
                }
                sumScaled &+= scale &* dot
                sumMins &+= minimum &* (ReferenceDot.groupSum(xb, 2 * group) &+ ReferenceDot.groupSum(xb, 2 * group + 1))
            }
            let dx = xb.load(as: Float.self)
            total += ReferenceDot.half(wb, 0) * dx * Float(sumScaled) - ReferenceDot.half(wb, 2) * dx * Float(sumMins)
        }
        return total
    }

    static func dotQ6_KQ8_K(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * 210, xb = x + b * 292
            var sum: Int32 = 0
            for half in 0..<2 {
                for part in 0..<2 {  // 16 of the 32 lanes l at a time: one scale group each
                    let high = wb.loadUnaligned(fromByteOffset: 128 + 32 * half + 16 * part, as: SIMD16<UInt8>.self)
                    for k in 0..<4 {
                        let low = wb.loadUnaligned(fromByteOffset: 64 * half + 32 * (k % 2) + 16 * part, as: SIMD16<UInt8>.self)
                        let q = (k < 2 ? low & 0xF : low &>> 4) | (((high &>> UInt8(2 * k)) & 3) &<< 4)
                        let element = 128 * half + 32 * k + 16 * part
                        let dot = sum16(widen(q) &- 32, xb.loadUnaligned(fromByteOffset: 4 + element, as: SIMD16<Int8>.self))
                        sum &+= Int32(wb.load(fromByteOffset: 192 + element / 16, as: Int8.self)) &* dot
                    }
                }
            }
            total += ReferenceDot.half(wb, 208) * xb.load(as: Float.self) * Float(sum)
        }
        return total
    }
}
