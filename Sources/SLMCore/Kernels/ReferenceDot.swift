/// The scalar definitions of every weight × activation dot product: one weight row of `blocks`
/// blocks against one activation row in its paired format. Written for clarity, not speed; the
/// fast kernels are tested against these.
public enum ReferenceDot {
    /// The dot product of one row for `type` (its activation row in `ActivationFormat(weights: type)`).
    public static func dot(_ type: GGMLType, _ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        switch type {
        case .f32: dotF32(w, x, count: blocks)
        case .f16: dotF16(w, x, count: blocks)
        case .q4_0: dotQ4_0Q8_1(w, x, blocks: blocks)
        case .q4_1: dotQ4_1Q8_1(w, x, blocks: blocks)
        case .q5_0: dotQ5_0Q8_0(w, x, blocks: blocks)
        case .q8_0: dotQ8_0Q8_0(w, x, blocks: blocks)
        case .q4_K: dotQ4_KQ8_K(w, x, blocks: blocks)
        case .q5_K: dotQ5_KQ8_K(w, x, blocks: blocks)
        case .q6_K: dotQ6_KQ8_K(w, x, blocks: blocks)
        default: preconditionFailure("no kernel for \(type) weights")
        }
    }

    // MARK: Float weights

    static func dotF32(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, count: Int) -> Float {
        var sum: Float = 0
        for i in 0..<count { sum += w.load(fromByteOffset: 4 * i, as: Float.self) * x.load(fromByteOffset: 4 * i, as: Float.self) }
        return sum
    }

    static func dotF16(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, count: Int) -> Float {
        var sum: Float = 0
        for i in 0..<count { sum += half(w, 2 * i) * x.load(fromByteOffset: 4 * i, as: Float.self) }
        return sum
    }

    // MARK: 32-element blocks

    /// Σ d_w·(q_w − 8) · d_x·q_x = d_w·d_x·Σq_w·q_x − 8·d_w·s_x over Q4_0 weights and Q8_1 activations.
    static func dotQ4_0Q8_1(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * 18, xb = x + b * 36
            var sum: Int32 = 0
            for j in 0..<32 { sum += nibble(wb + 2, j) * int8(xb + 4, j) }
            total += half(wb, 0) * half(xb, 0) * Float(sum) - 8 * half(wb, 0) * half(xb, 2)
        }
        return total
    }

    /// Σ (d_w·q_w + m_w) · d_x·q_x = d_w·d_x·Σq_w·q_x + m_w·s_x over Q4_1 weights and Q8_1 activations.
    static func dotQ4_1Q8_1(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * 20, xb = x + b * 36
            var sum: Int32 = 0
            for j in 0..<32 { sum += nibble(wb + 4, j) * int8(xb + 4, j) }
            total += half(wb, 0) * half(xb, 0) * Float(sum) + half(wb, 2) * half(xb, 2)
        }
        return total
    }

    /// Σ d_w·(q_w − 16) · d_x·q_x over Q5_0 weights (5-bit q_w: a nibble and one bit of `qh`) and Q8_0 activations.
    static func dotQ5_0Q8_0(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * 22, xb = x + b * 34
            var sum: Int32 = 0
            for j in 0..<32 { sum += (q5(wb, j) - 16) * int8(xb + 2, j) }
            total += half(wb, 0) * half(xb, 0) * Float(sum)
        }
        return total
    }

    /// Σ d_w·q_w · d_x·q_x over Q8_0 weights and Q8_0 activations.
    static func dotQ8_0Q8_0(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * 34, xb = x + b * 34
            var sum: Int32 = 0
            for j in 0..<32 { sum += int8(wb + 2, j) * int8(xb + 2, j) }
            total += half(wb, 0) * half(xb, 0) * Float(sum)
        }
        return total
    }

    // MARK: 256-element K-quant blocks against Q8_K

    /// Q4_K: eight groups of 32, weight = d·sc·q − dmin·m with 6-bit sc, m.
    static func dotQ4_KQ8_K(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * 144, xb = x + b * 292
            total += kQuantGroupsOf32(wb, quants: wb + 16, high: nil, xb)
        }
        return total
    }

    /// Q5_K: as Q4_K with a fifth bit per weight (bit g of `high[l]` for group g).
    static func dotQ5_KQ8_K(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * 176, xb = x + b * 292
            total += kQuantGroupsOf32(wb, quants: wb + 48, high: wb + 16, xb)
        }
        return total
    }

    private static func kQuantGroupsOf32(_ wb: UnsafeRawPointer, quants: UnsafeRawPointer, high: UnsafeRawPointer?, _ xb: UnsafeRawPointer) -> Float {
        let scales = wb + 4
        var sumScaled: Int32 = 0, sumMins: Int32 = 0
        for group in 0..<8 {
            let (scale, minimum) = KQuantScales.scaleAndMin(group, scales)
            var dot: Int32 = 0
            for l in 0..<32 {
                let byte = quants.load(fromByteOffset: (group / 2) * 32 + l, as: UInt8.self)
                var q = Int32(group % 2 == 0 ? byte & 0xF : byte >> 4)
                if let high { q += Int32((high.load(fromByteOffset: l, as: UInt8.self) >> group) & 1) << 4 }
                dot += q * int8(xb + 4, group * 32 + l)
            }
            sumScaled += scale * dot
            sumMins += minimum * (groupSum(xb, 2 * group) + groupSum(xb, 2 * group + 1))
        }
        let dx = xb.load(as: Float.self)
        return half(wb, 0) * dx * Float(sumScaled) - half(wb, 2) * dx * Float(sumMins)
    }

    /// Q6_K: sixteen groups of 16, weight = d·sc·(q − 32), q = 4 low bits | 2 high bits << 4.
    static func dotQ6_KQ8_K(_ w: UnsafeRawPointer, _ x: UnsafeRawPointer, blocks: Int) -> Float {
        var total: Float = 0
        for b in 0..<blocks {
            let wb = w + b * 210, xb = x + b * 292
            var groupDots = [Int32](repeating: 0, count: 16)
            for e in 0..<256 { groupDots[e / 16] += KQuantScales.q6(wb, e) * int8(xb + 4, e) }
            var sum: Int32 = 0
            for g in 0..<16 { sum += Int32(wb.load(fromByteOffset: 192 + g, as: Int8.self)) * groupDots[g] }
            total += half(wb, 208) * xb.load(as: Float.self) * Float(sum)
        }
        return total
    }

    // MARK: Field access

    @inline(__always) static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        HalfFloat.float(p.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
    }

    @inline(__always) static func int8(_ p: UnsafeRawPointer, _ j: Int) -> Int32 {
        Int32(p.load(fromByteOffset: j, as: Int8.self))
    }

    /// Element `j` (0..<32) of a Q5_0 block at `p` (0...31): its nibble and bit j of `qh`.
    @inline(__always) static func q5(_ p: UnsafeRawPointer, _ j: Int) -> Int32 {
        let qh = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
        return nibble(p + 6, j) | Int32((qh >> UInt32(j)) & 1) << 4
    }

    /// Element `j` (0..<32) of 16 packed nibbles: low nibbles first, then high.
    @inline(__always) static func nibble(_ p: UnsafeRawPointer, _ j: Int) -> Int32 {
        let byte = p.load(fromByteOffset: j % 16, as: UInt8.self)
        return Int32(j < 16 ? byte & 0xF : byte >> 4)
    }

    @inline(__always) static func groupSum(_ xb: UnsafeRawPointer, _ g: Int) -> Int32 {
        Int32(xb.loadUnaligned(fromByteOffset: 260 + 2 * g, as: Int16.self))
    }
}

/// The packed sub-block scales of the K-quants, as GGML's `get_scale_min_k4` and Q6_K's layout.
enum KQuantScales {
    /// The 6-bit scale and min of group `j` (0..<8) from the 12 packed bytes at `scales`.
    @inline(__always) static func scaleAndMin(_ j: Int, _ scales: UnsafeRawPointer) -> (Int32, Int32) {
        func byte(_ i: Int) -> Int32 { Int32(scales.load(fromByteOffset: i, as: UInt8.self)) }
        if j < 4 { return (byte(j) & 63, byte(j + 4) & 63) }
        return ((byte(j + 4) & 0xF) | ((byte(j - 4) >> 6) << 4), (byte(j + 4) >> 4) | ((byte(j) >> 6) << 4))
    }

    /// The signed 6-bit quant (q − 32) of element `e` (0..<256) of the Q6_K block at `block`.
    @inline(__always) static func q6(_ block: UnsafeRawPointer, _ e: Int) -> Int32 {
        let half = e / 128, k = (e % 128) / 32, l = e % 32
        let low = block.load(fromByteOffset: half * 64 + (k % 2) * 32 + l, as: UInt8.self)
        let lowBits = k < 2 ? low & 0xF : low >> 4
        let highBits = (block.load(fromByteOffset: 128 + half * 32 + l, as: UInt8.self) >> (2 * k)) & 3
        return Int32(lowBits | highBits << 4) - 32
    }
}
