import Testing
@testable import SLMCore

// Each test picks logical quant values per element, packs them into GGML's layout by placing each
// element's bits where ggml-common.h documents them, and expects the value formula of the type.

private func f16Bytes(_ value: Float) -> [UInt8] { withUnsafeBytes(of: Float16(value).bitPattern.littleEndian) { Array($0) } }
private func f32Bytes(_ value: Float) -> [UInt8] { withUnsafeBytes(of: value.bitPattern.littleEndian) { Array($0) } }

private func decode(_ type: GGMLType, _ bytes: [UInt8], count: Int) -> [Float] {
    bytes.withUnsafeBytes { Dequantize.array(type, from: $0, count: count) }
}

/// Deterministic pseudo-random ints for block contents.
private struct Lcg {
    var state: UInt64
    mutating func next(_ range: ClosedRange<Int>) -> Int {
        state = state &* 6_364_136_223_846_793_005 &+ 1_442_695_040_888_963_407
        return range.lowerBound + Int((state >> 33) % UInt64(range.count))
    }
}

// MARK: Layouts

@Test func blockLayoutsMatchGGML() {
    #expect(MemoryLayout<BlockQ4_0>.size == 18)
    #expect(MemoryLayout<BlockQ4_1>.size == 20)
    #expect(MemoryLayout<BlockQ5_0>.size == 22)
    #expect(MemoryLayout<BlockQ5_1>.size == 24)
    #expect(MemoryLayout<BlockQ8_0>.size == 34)
    #expect(MemoryLayout<BlockQ8_1>.size == 36)
    #expect(MemoryLayout<BlockQ4_K>.size == 144)
    #expect(MemoryLayout<BlockQ5_K>.size == 176)
    #expect(MemoryLayout<BlockQ6_K>.size == 210)
    #expect(MemoryLayout<BlockQ8_K>.size == 292)
}

@Test func blockSizesAgreeWithGGMLTypeTable() {
    let pairs: [(GGMLType, Int)] = [
        (.q4_0, MemoryLayout<BlockQ4_0>.size), (.q4_1, MemoryLayout<BlockQ4_1>.size),
        (.q5_0, MemoryLayout<BlockQ5_0>.size), (.q5_1, MemoryLayout<BlockQ5_1>.size),
        (.q8_0, MemoryLayout<BlockQ8_0>.size), (.q8_1, MemoryLayout<BlockQ8_1>.size),
        (.q4_K, MemoryLayout<BlockQ4_K>.size), (.q5_K, MemoryLayout<BlockQ5_K>.size),
        (.q6_K, MemoryLayout<BlockQ6_K>.size), (.q8_K, MemoryLayout<BlockQ8_K>.size),
    ]
    for (type, size) in pairs { #expect(type.bytesPerBlock == size, "\(type)") }
}

@Test func decoderFieldOffsetsMatchTheBlockTypes() {
    #expect(BlockQ4_0.qsOffset == MemoryLayout<BlockQ4_0>.offset(of: \.qs))
    #expect(BlockQ4_1.mOffset == MemoryLayout<BlockQ4_1>.offset(of: \.m))
    #expect(BlockQ4_1.qsOffset == MemoryLayout<BlockQ4_1>.offset(of: \.qs))
    #expect(BlockQ5_0.qhOffset == MemoryLayout<BlockQ5_0>.offset(of: \.qh))
    #expect(BlockQ5_0.qsOffset == MemoryLayout<BlockQ5_0>.offset(of: \.qs))
    #expect(BlockQ5_1.mOffset == MemoryLayout<BlockQ5_1>.offset(of: \.m))
    #expect(BlockQ5_1.qhOffset == MemoryLayout<BlockQ5_1>.offset(of: \.qh))
    #expect(BlockQ5_1.qsOffset == MemoryLayout<BlockQ5_1>.offset(of: \.qs))
    #expect(BlockQ8_0.qsOffset == MemoryLayout<BlockQ8_0>.offset(of: \.qs))
    #expect(BlockQ8_1.sOffset == MemoryLayout<BlockQ8_1>.offset(of: \.s))
    #expect(BlockQ8_1.qsOffset == MemoryLayout<BlockQ8_1>.offset(of: \.qs))
    #expect(BlockQ4_K.dminOffset == MemoryLayout<BlockQ4_K>.offset(of: \.dmin))
    #expect(BlockQ4_K.scalesOffset == MemoryLayout<BlockQ4_K>.offset(of: \.scales))
    #expect(BlockQ4_K.qsOffset == MemoryLayout<BlockQ4_K>.offset(of: \.qs))
    #expect(BlockQ5_K.scalesOffset == MemoryLayout<BlockQ5_K>.offset(of: \.scales))
    #expect(BlockQ5_K.qhOffset == MemoryLayout<BlockQ5_K>.offset(of: \.qh))
    #expect(BlockQ5_K.qsOffset == MemoryLayout<BlockQ5_K>.offset(of: \.qs))
    #expect(BlockQ6_K.qhOffset == MemoryLayout<BlockQ6_K>.offset(of: \.qh))
    #expect(BlockQ6_K.scalesOffset == MemoryLayout<BlockQ6_K>.offset(of: \.scales))
    #expect(BlockQ6_K.dOffset == MemoryLayout<BlockQ6_K>.offset(of: \.d))
    #expect(BlockQ8_K.qsOffset == MemoryLayout<BlockQ8_K>.offset(of: \.qs))
    #expect(BlockQ8_K.bsumsOffset == MemoryLayout<BlockQ8_K>.offset(of: \.bsums))
}

// MARK: Plain floats

@Test func decodesF32F16AndBF16() {
    #expect(decode(.f32, f32Bytes(1.5) + f32Bytes(-3), count: 2) == [1.5, -3])
    // 0x3C00 = 1, 0xC000 = -2, 0x7BFF = 65504 (largest f16), 0x0001 = 2^-24 (smallest subnormal).
    let f16: [UInt8] = [0x00, 0x3C, 0x00, 0xC0, 0xFF, 0x7B, 0x01, 0x00]
    #expect(decode(.f16, f16, count: 4) == [1, -2, 65504, 0x1p-24])
    // bf16 is the high half of an f32: 0x3FC0 = 1.5, 0xC2F7 = -123.5.
    let bf16: [UInt8] = [0xC0, 0x3F, 0xF7, 0xC2]
    #expect(decode(.bf16, bf16, count: 2) == [1.5, -123.5])
}

// MARK: 32-element blocks

@Test func decodesQ4_0() {
    var rng = Lcg(state: 1)
    let q = (0..<32).map { _ in rng.next(0...15) }
    let d: Float = 0.375
    var bytes = f16Bytes(d)
    for j in 0..<16 { bytes.append(UInt8(q[j] | q[j + 16] << 4)) }
    #expect(decode(.q4_0, bytes, count: 32) == q.map { d * Float($0 - 8) })
}

@Test func decodesQ4_1() {
    var rng = Lcg(state: 2)
    let q = (0..<32).map { _ in rng.next(0...15) }
    let d: Float = 0.125, m: Float = -1.25
    var bytes = f16Bytes(d) + f16Bytes(m)
    for j in 0..<16 { bytes.append(UInt8(q[j] | q[j + 16] << 4)) }
    #expect(decode(.q4_1, bytes, count: 32) == q.map { d * Float($0) + m })
}

/// The 4 `qh` bytes (bit j = fifth bit of element j) and 16 nibble bytes of a 5-bit block.
private func pack5Bit(_ q: [Int]) -> [UInt8] {
    var qh: UInt32 = 0
    for j in 0..<32 where q[j] & 16 != 0 { qh |= 1 << UInt32(j) }
    var bytes = withUnsafeBytes(of: qh.littleEndian) { Array($0) }
    for j in 0..<16 { bytes.append(UInt8((q[j] & 15) | (q[j + 16] & 15) << 4)) }
    return bytes
}

@Test func decodesQ5_0() {
    var rng = Lcg(state: 3)
    let q = (0..<32).map { _ in rng.next(0...31) }
    let d: Float = 0.5
    #expect(decode(.q5_0, f16Bytes(d) + pack5Bit(q), count: 32) == q.map { d * Float($0 - 16) })
}

@Test func decodesQ5_1() {
    var rng = Lcg(state: 4)
    let q = (0..<32).map { _ in rng.next(0...31) }
    let d: Float = 0.25, m: Float = 3
    #expect(decode(.q5_1, f16Bytes(d) + f16Bytes(m) + pack5Bit(q), count: 32) == q.map { d * Float($0) + m })
}

@Test func decodesQ8_0AndQ8_1() {
    var rng = Lcg(state: 5)
    let q = (0..<32).map { _ in rng.next(-128...127) }
    let d: Float = 0.0625
    let quants = q.map { UInt8(bitPattern: Int8($0)) }
    #expect(decode(.q8_0, f16Bytes(d) + quants, count: 32) == q.map { d * Float($0) })
    #expect(decode(.q8_1, f16Bytes(d) + f16Bytes(99) + quants, count: 32) == q.map { d * Float($0) })
}

@Test func decodesSeveralBlocksInARow() {
    var bytes: [UInt8] = []
    var expected: [Float] = []
    for b in 0..<3 {
        let d = Float(b + 1)
        bytes += f16Bytes(d) + (0..<32).map { UInt8(bitPattern: Int8($0 - b)) }
        expected += (0..<32).map { d * Float($0 - b) }
    }
    #expect(decode(.q8_0, bytes, count: 96) == expected)
}

// MARK: K-quants

/// Packs eight 6-bit scales and mins into the 12 bytes K-quants use.
private func packScalesMins(_ sc: [Int], _ m: [Int]) -> [UInt8] {
    var bytes = [UInt8](repeating: 0, count: 12)
    for j in 0..<4 {
        bytes[j] |= UInt8(sc[j] & 63)
        bytes[j + 4] |= UInt8(m[j] & 63)
    }
    for j in 4..<8 {
        bytes[j + 4] = UInt8((sc[j] & 15) | (m[j] & 15) << 4)
        bytes[j - 4] |= UInt8(sc[j] >> 4) << 6
        bytes[j] |= UInt8(m[j] >> 4) << 6
    }
    return bytes
}

@Test func decodesQ4_K() {
    var rng = Lcg(state: 6)
    let sc = (0..<8).map { _ in rng.next(0...63) }, m = (0..<8).map { _ in rng.next(0...63) }
    let q = (0..<256).map { _ in rng.next(0...15) }
    let d: Float = 0.01, dmin: Float = 0.02
    // Element e: sub-block e/32; sub-blocks 2p and 2p+1 share bytes 32p..32p+31 (low, then high nibble).
    var qs = [UInt8](repeating: 0, count: 128)
    for e in 0..<256 {
        let pair = e / 64, l = e % 32, high = (e % 64) >= 32
        qs[32 * pair + l] |= UInt8(q[e]) << (high ? 4 : 0)
    }
    let bytes = f16Bytes(d) + f16Bytes(dmin) + packScalesMins(sc, m) + qs
    let dd = Float(Float16(d)), dm = Float(Float16(dmin))
    let expected = (0..<256).map { e in dd * Float(sc[e / 32]) * Float(q[e]) - dm * Float(m[e / 32]) }
    let decoded = decode(.q4_K, bytes, count: 256)
    for e in 0..<256 { #expect(abs(decoded[e] - expected[e]) <= 1e-5 * max(1, abs(expected[e])), "element \(e)") }
}

@Test func decodesQ5_K() {
    var rng = Lcg(state: 7)
    let sc = (0..<8).map { _ in rng.next(0...63) }, m = (0..<8).map { _ in rng.next(0...63) }
    let q = (0..<256).map { _ in rng.next(0...31) }
    let d: Float = 0.03, dmin: Float = 0.005
    var qs = [UInt8](repeating: 0, count: 128), qh = [UInt8](repeating: 0, count: 32)
    for e in 0..<256 {
        let sub = e / 32, l = e % 32, pair = e / 64, high = sub % 2 == 1
        qs[32 * pair + l] |= UInt8(q[e] & 15) << (high ? 4 : 0)
        if q[e] & 16 != 0 { qh[l] |= 1 << UInt8(sub) }
    }
    let bytes = f16Bytes(d) + f16Bytes(dmin) + packScalesMins(sc, m) + qh + qs
    let dd = Float(Float16(d)), dm = Float(Float16(dmin))
    let expected = (0..<256).map { e in dd * Float(sc[e / 32]) * Float(q[e]) - dm * Float(m[e / 32]) }
    let decoded = decode(.q5_K, bytes, count: 256)
    for e in 0..<256 { #expect(abs(decoded[e] - expected[e]) <= 1e-5 * max(1, abs(expected[e])), "element \(e)") }
}

@Test func decodesQ6_K() {
    var rng = Lcg(state: 8)
    let sc = (0..<16).map { _ in rng.next(-128...127) }
    let q = (0..<256).map { _ in rng.next(0...63) }
    let d: Float = 0.002
    var ql = [UInt8](repeating: 0, count: 128), qh = [UInt8](repeating: 0, count: 64)
    for e in 0..<256 {
        let half = e / 128, quarter = (e % 128) / 32, l = e % 32
        let lowIndex = 64 * half + l + (quarter % 2 == 1 ? 32 : 0)
        ql[lowIndex] |= UInt8(q[e] & 15) << (quarter >= 2 ? 4 : 0)
        qh[32 * half + l] |= UInt8(q[e] >> 4) << UInt8(2 * quarter)
    }
    let bytes = ql + qh + sc.map { UInt8(bitPattern: Int8($0)) } + f16Bytes(d)
    let dd = Float(Float16(d))
    // Scale of element e: 16-element group e/16.
    let expected = (0..<256).map { e in dd * Float(sc[e / 16]) * Float(q[e] - 32) }
    #expect(decode(.q6_K, bytes, count: 256) == expected)
}

@Test func decodesQ8_K() {
    var rng = Lcg(state: 9)
    let q = (0..<256).map { _ in rng.next(-127...127) }
    let d: Float = 0.0078125
    let bytes = f32Bytes(d) + q.map { UInt8(bitPattern: Int8($0)) } + [UInt8](repeating: 0, count: 32)
    #expect(decode(.q8_K, bytes, count: 256) == q.map { d * Float($0) })
}

@Test func dequantizesRowsOfAWeightMatrix() {
    // Two rows of one Q4_1 block each: row r has d = r + 1, m = -r, all quants 3.
    var bytes: [UInt8] = []
    for r in 0..<2 { bytes += f16Bytes(Float(r + 1)) + f16Bytes(Float(-r)) + [UInt8](repeating: 0x33, count: 16) }
    bytes.withUnsafeBytes { raw in
        let matrix = WeightMatrix(type: .q4_1, rows: 2, columns: 32, base: raw.baseAddress!)
        var row = [Float](repeating: 0, count: 32)
        row.withUnsafeMutableBufferPointer { Dequantize.row(1, of: matrix, into: $0.baseAddress!) }
        #expect(row == [Float](repeating: 2 * 3 - 1, count: 32))
    }
}
