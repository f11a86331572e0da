// MARK: Dequantization of GGML tensor types into Float

/// Converts rows of any supported `GGMLType` into `Float`, following GGML's block layouts.
public enum Dequantize {
    /// Decodes `count` elements (whole blocks) of type `type` starting at `source` into `output`.
    public static func row(_ type: GGMLType, from source: UnsafeRawPointer, count: Int, into output: UnsafeMutablePointer<Float>) {
        let blocks = count / type.blockSize
        let stride = type.bytesPerBlock
        switch type {
        case .f32:
            output.update(from: source.assumingMemoryBound(to: Float.self), count: count)
        case .f16:
            for i in 0..<count { output[i] = Float(source.loadUnaligned(fromByteOffset: 2 * i, as: Float16.self)) }
        case .bf16:
            for i in 0..<count { output[i] = bf16ToFloat(source.loadUnaligned(fromByteOffset: 2 * i, as: UInt16.self)) }
        case .q4_0: for b in 0..<blocks { q4_0(source + b * stride, output + b * 32) }
        case .q4_1: for b in 0..<blocks { q4_1(source + b * stride, output + b * 32) }
        case .q5_0: for b in 0..<blocks { q5_0(source + b * stride, output + b * 32) }
        case .q5_1: for b in 0..<blocks { q5_1(source + b * stride, output + b * 32) }
        case .q8_0: for b in 0..<blocks { q8_0(source + b * stride, output + b * 32) }
        case .q8_1: for b in 0..<blocks { q8_1(source + b * stride, output + b * 32) }
        case .q4_K: for b in 0..<blocks { q4_K(source + b * stride, output + b * 256) }
        case .q5_K: for b in 0..<blocks { q5_K(source + b * stride, output + b * 256) }
        case .q6_K: for b in 0..<blocks { q6_K(source + b * stride, output + b * 256) }
        case .q8_K: for b in 0..<blocks { q8_K(source + b * stride, output + b * 256) }
        case .q2_K, .q3_K:
            preconditionFailure("\(type) dequantization is not implemented; check `isDequantizable` first")
        }
    }

    /// Whether `row(_:from:count:into:)` supports `type`.
    public static func isDequantizable(_ type: GGMLType) -> Bool {
        type != .q2_K && type != .q3_K
    }

    /// Decodes row `r` of `matrix` into `output` (`matrix.columns` floats). A repacked matrix is
    /// read from its panels, so a token's embedding does not touch the model file's pages.
    @inline(__always)
    public static func row(_ r: Int, of matrix: WeightMatrix, into output: UnsafeMutablePointer<Float>) {
        if let panels = matrix.panels {
            return panelRow(r, of: matrix, panels: panels, into: output)
        }
        row(matrix.type, from: matrix.row(r), count: matrix.columns, into: output)
    }

    /// Row `r` of a repacked matrix: each block rebuilt in its file form from the panel's lane
    /// (see `KernelSet.packPanels`), then decoded as the file's rows are, so the values are the same.
    private static func panelRow(_ r: Int, of matrix: WeightMatrix, panels: UnsafeRawPointer, into output: UnsafeMutablePointer<Float>) {
        let blocks = matrix.columns / matrix.type.blockSize
        let panel = panels + (r / 16) * KernelSet.panelStride(matrix.type, blocks: blocks)
        let lane = r % 16
        let blockBytes = KernelSet.panelStride(matrix.type, blocks: 1)
        withUnsafeTemporaryAllocation(byteCount: max(matrix.type.bytesPerBlock, GGMLType.q8_0.bytesPerBlock), alignment: 4) { block in
            let out = block.baseAddress!
            for b in 0..<blocks {
                let source = panel + b * blockBytes
                switch matrix.type {
                case .q8_0, .q5_0:  // Q5_0 is repacked as Q8_0 blocks of the same values
                    out.copyMemory(from: source + 512 + 2 * lane, byteCount: 2)
                    for q in 0..<8 {
                        for i in 0..<4 { out.storeBytes(of: source.load(fromByteOffset: q * 64 + lane * 4 + i, as: UInt8.self) ^ 0x80, toByteOffset: 2 + 4 * q + i, as: UInt8.self) }
                    }
                    q8_0(UnsafeRawPointer(out), output + b * 32)
                case .q4_1:
                    out.copyMemory(from: source + 256 + 2 * lane, byteCount: 2)
                    (out + 2).copyMemory(from: source + 288 + 2 * lane, byteCount: 2)
                    for k in 0..<4 { (out + 4 + 4 * k).copyMemory(from: source + k * 64 + lane * 4, byteCount: 4) }
                    q4_1(UnsafeRawPointer(out), output + b * 32)
                case .q4_0:
                    out.copyMemory(from: source + 256 + 2 * lane, byteCount: 2)
                    for k in 0..<4 { (out + 2 + 4 * k).copyMemory(from: source + k * 64 + lane * 4, byteCount: 4) }
                    q4_0(UnsafeRawPointer(out), output + b * 32)
                default:
                    preconditionFailure("\(matrix.type) has no repacked layout")
                }
            }
        }
    }

    /// Decodes a whole tensor into a new array.
    public static func array(_ type: GGMLType, from bytes: UnsafeRawBufferPointer, count: Int) -> [Float] {
        [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            row(type, from: bytes.baseAddress!, count: count, into: buffer.baseAddress!)
            initialized = count
        }
    }

    /// bfloat16 bits to Float: the upper half of a binary32.
    @inline(__always) public static func bf16ToFloat(_ bits: UInt16) -> Float {
        Float(bitPattern: UInt32(bits) << 16)
    }

    // MARK: 32-element blocks

    /// Writes 16 floats at `y` (no alignment needed).
    @inline(__always) private static func store(_ v: SIMD16<Float>, _ y: UnsafeMutablePointer<Float>) {
        UnsafeMutableRawPointer(y).storeBytes(of: v, as: SIMD16<Float>.self)
    }

    @inline(__always) private static func half(_ p: UnsafeRawPointer, _ offset: Int) -> Float {
        Float(p.loadUnaligned(fromByteOffset: offset, as: Float16.self))
    }

    private static func q4_0(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, BlockQ4_0.dOffset)
        let bytes = SIMD16<Int32>(truncatingIfNeeded: p.loadUnaligned(fromByteOffset: BlockQ4_0.qsOffset, as: SIMD16<UInt8>.self))
        store(SIMD16<Float>((bytes & 0x0F) &- 8) * d, y)
        store(SIMD16<Float>((bytes &>> 4) &- 8) * d, y + 16)
    }

    private static func q4_1(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, BlockQ4_1.dOffset)
        let m = half(p, BlockQ4_1.mOffset)
        let bytes = p.loadUnaligned(fromByteOffset: BlockQ4_1.qsOffset, as: SIMD16<UInt8>.self)
        store(SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: bytes & 0x0F)) * d + m, y)
        store(SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: bytes &>> 4)) * d + m, y + 16)
    }

    private static func q5_0(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, BlockQ5_0.dOffset)
        let qh = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: BlockQ5_0.qhOffset, as: UInt32.self))
        let qs = p + BlockQ5_0.qsOffset
        for j in 0..<16 {
            let byte = UInt32(qs.load(fromByteOffset: j, as: UInt8.self))
            let high0 = ((qh >> UInt32(j)) << 4) & 0x10
            let high1 = (qh >> UInt32(j + 12)) & 0x10
            y[j] = Float(Int32((byte & 0x0F) | high0) - 16) * d
            y[j + 16] = Float(Int32((byte >> 4) | high1) - 16) * d
        }
    }

    private static func q5_1(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, BlockQ5_1.dOffset)
        let m = half(p, BlockQ5_1.mOffset)
        let qh = UInt32(littleEndian: p.loadUnaligned(fromByteOffset: BlockQ5_1.qhOffset, as: UInt32.self))
        let qs = p + BlockQ5_1.qsOffset
        for j in 0..<16 {
            let byte = UInt32(qs.load(fromByteOffset: j, as: UInt8.self))
            let high0 = ((qh >> UInt32(j)) << 4) & 0x10
            let high1 = (qh >> UInt32(j + 12)) & 0x10
            y[j] = Float((byte & 0x0F) | high0) * d + m
            y[j + 16] = Float((byte >> 4) | high1) * d + m
        }
    }

    private static func q8_0(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, BlockQ8_0.dOffset)
        let low = p.loadUnaligned(fromByteOffset: BlockQ8_0.qsOffset, as: SIMD16<Int8>.self)
        let high = p.loadUnaligned(fromByteOffset: BlockQ8_0.qsOffset + 16, as: SIMD16<Int8>.self)
        store(SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: low)) * d, y)
        store(SIMD16<Float>(SIMD16<Int32>(truncatingIfNeeded: high)) * d, y + 16)
    }

    private static func q8_1(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, BlockQ8_1.dOffset)
        let qs = p + BlockQ8_1.qsOffset
        for j in 0..<32 { y[j] = Float(qs.load(fromByteOffset: j, as: Int8.self)) * d }
    }

    // MARK: 256-element K-quant blocks

    /// The 6-bit scale and min of sub-block `j` (0–7) from the 12 packed bytes (`get_scale_min_k4`).
    @inline(__always)
    static func scaleMinK4(_ j: Int, _ q: UnsafeRawPointer) -> (scale: UInt8, min: UInt8) {
        func b(_ i: Int) -> UInt8 { q.load(fromByteOffset: i, as: UInt8.self) }
        if j < 4 { return (b(j) & 63, b(j + 4) & 63) }
        return ((b(j + 4) & 0x0F) | ((b(j - 4) >> 6) << 4), (b(j + 4) >> 4) | ((b(j) >> 6) << 4))
    }

    private static func q4_K(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, BlockQ4_K.dOffset)
        let dmin = half(p, BlockQ4_K.dminOffset)
        let scales = p + BlockQ4_K.scalesOffset
        let qs = p + BlockQ4_K.qsOffset
        for pair in 0..<4 {
            let (sc1, m1) = scaleMinK4(2 * pair, scales)
            let (sc2, m2) = scaleMinK4(2 * pair + 1, scales)
            let d1 = d * Float(sc1), min1 = dmin * Float(m1)
            let d2 = d * Float(sc2), min2 = dmin * Float(m2)
            let q = qs + 32 * pair
            let out = y + 64 * pair
            for l in 0..<32 {
                let byte = q.load(fromByteOffset: l, as: UInt8.self)
                out[l] = d1 * Float(byte & 0x0F) - min1
                out[l + 32] = d2 * Float(byte >> 4) - min2
            }
        }
    }

    private static func q5_K(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, BlockQ5_K.dOffset)
        let dmin = half(p, BlockQ5_K.dminOffset)
        let scales = p + BlockQ5_K.scalesOffset
        let qh = p + BlockQ5_K.qhOffset
        let qs = p + BlockQ5_K.qsOffset
        for pair in 0..<4 {
            let (sc1, m1) = scaleMinK4(2 * pair, scales)
            let (sc2, m2) = scaleMinK4(2 * pair + 1, scales)
            let d1 = d * Float(sc1), min1 = dmin * Float(m1)
            let d2 = d * Float(sc2), min2 = dmin * Float(m2)
            let lowBit = UInt8(1) << UInt8(2 * pair), highBit = UInt8(2) << UInt8(2 * pair)
            let q = qs + 32 * pair
            let out = y + 64 * pair
            for l in 0..<32 {
                let byte = q.load(fromByteOffset: l, as: UInt8.self)
                let h = qh.load(fromByteOffset: l, as: UInt8.self)
                out[l] = d1 * Float((byte & 0x0F) + (h & lowBit != 0 ? 16 : 0)) - min1
                out[l + 32] = d2 * Float((byte >> 4) + (h & highBit != 0 ? 16 : 0)) - min2
            }
        }
    }

    private static func q6_K(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = half(p, BlockQ6_K.dOffset)
        for half in 0..<2 {
            let ql = p + BlockQ6_K.qlOffset + 64 * half
            let qh = p + BlockQ6_K.qhOffset + 32 * half
            let sc = p + BlockQ6_K.scalesOffset + 8 * half
            let out = y + 128 * half
            for l in 0..<32 {
                let s = l / 16
                let low0 = ql.load(fromByteOffset: l, as: UInt8.self)
                let low32 = ql.load(fromByteOffset: l + 32, as: UInt8.self)
                let h = qh.load(fromByteOffset: l, as: UInt8.self)
                let q1 = Int((low0 & 0x0F) | ((h & 3) << 4)) - 32
                let q2 = Int((low32 & 0x0F) | (((h >> 2) & 3) << 4)) - 32
                let q3 = Int((low0 >> 4) | (((h >> 4) & 3) << 4)) - 32
                let q4 = Int((low32 >> 4) | (((h >> 6) & 3) << 4)) - 32
                out[l] = d * Float(sc.load(fromByteOffset: s, as: Int8.self)) * Float(q1)
                out[l + 32] = d * Float(sc.load(fromByteOffset: s + 2, as: Int8.self)) * Float(q2)
                out[l + 64] = d * Float(sc.load(fromByteOffset: s + 4, as: Int8.self)) * Float(q3)
                out[l + 96] = d * Float(sc.load(fromByteOffset: s + 6, as: Int8.self)) * Float(q4)
            }
        }
    }

    private static func q8_K(_ p: UnsafeRawPointer, _ y: UnsafeMutablePointer<Float>) {
        let d = p.loadUnaligned(fromByteOffset: BlockQ8_K.dOffset, as: Float.self)
        let qs = p + BlockQ8_K.qsOffset
        for j in 0..<256 { y[j] = d * Float(qs.load(fromByteOffset: j, as: Int8.self)) }
    }
}
