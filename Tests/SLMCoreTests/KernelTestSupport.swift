@testable import SLMCore

/// A small seeded generator (SplitMix64) so kernel tests are reproducible.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// Weight types with a kernel that stores quantized blocks.
let quantizedWeightTypes: [GGMLType] = [.q4_0, .q4_1, .q5_0, .q8_0, .q4_K, .q5_K, .q6_K]

/// Random bytes shaped as `rows` rows of `columns` weights of `type`, with plausible scales.
func randomWeights(_ type: GGMLType, rows: Int, columns: Int, using rng: inout SeededGenerator) -> [UInt8] {
    let rowBytes = type.rowBytes(count: columns)!
    var bytes = (0..<(rows * rowBytes)).map { _ in UInt8.random(in: 0...255, using: &rng) }
    func setHalf(_ value: Float, at offset: Int) {
        let bits = HalfFloat.bits(value)
        bytes[offset] = UInt8(bits & 0xFF)
        bytes[offset + 1] = UInt8(bits >> 8)
    }
    for block in 0..<(rows * columns / type.blockSize) {
        let at = block * type.bytesPerBlock
        switch type {
        case .f32:
            withUnsafeBytes(of: Float.random(in: -1...1, using: &rng)) { for i in 0..<4 { bytes[at + i] = $0[i] } }
        case .f16: setHalf(Float.random(in: -1...1, using: &rng), at: at)
        case .q4_0, .q5_0, .q8_0: setHalf(Float.random(in: -0.05...0.05, using: &rng), at: at)
        case .q4_1:
            setHalf(Float.random(in: 0.001...0.02, using: &rng), at: at)
            setHalf(Float.random(in: -0.15...0, using: &rng), at: at + 2)
        case .q4_K, .q5_K:
            setHalf(Float.random(in: 0.0001...0.003, using: &rng), at: at)
            setHalf(Float.random(in: 0.0001...0.003, using: &rng), at: at + 2)
        case .q6_K: setHalf(Float.random(in: -0.002...0.002, using: &rng), at: at + 208)
        default: fatalError("no random weights for \(type)")
        }
    }
    return bytes
}

/// Random activations: mostly small, a few large outliers, as in a transformer's hidden state.
func randomActivations(_ count: Int, using rng: inout SeededGenerator) -> [Float] {
    (0..<count).map { _ in
        Float.random(in: 0..<1, using: &rng) < 0.02 ? Float.random(in: -20...20, using: &rng) : Float.random(in: -1...1, using: &rng)
    }
}

/// Quantizes one activation row for `type` with the reference quantizer.
func referenceActivations(_ x: [Float], for type: GGMLType) -> [UInt8] {
    let format = ActivationFormat(weights: type)!
    var out = [UInt8](repeating: 0, count: format.rowBytes(columns: x.count))
    x.withUnsafeBufferPointer { src in
        out.withUnsafeMutableBytes { ActivationQuantizer.quantizeReference(src.baseAddress!, count: x.count, format: format, into: $0.baseAddress!) }
    }
    return out
}

// MARK: Dequantization (test-side, written from GGML's block definitions)

/// The float values of one row of `columns` weights of `type` starting at `row`.
func dequantizeRow(_ type: GGMLType, _ row: UnsafeRawPointer, columns: Int) -> [Float] {
    func half(_ p: UnsafeRawPointer, _ o: Int) -> Float { HalfFloat.float(p.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
    func byte(_ p: UnsafeRawPointer, _ o: Int) -> Int { Int(p.load(fromByteOffset: o, as: UInt8.self)) }
    var out: [Float] = []
    out.reserveCapacity(columns)
    for b in 0..<(columns / type.blockSize) {
        let p = row + b * type.bytesPerBlock
        switch type {
        case .f32: out.append(p.loadUnaligned(as: Float.self))
        case .f16: out.append(half(p, 0))
        case .q4_0: for j in 0..<32 { out.append(half(p, 0) * Float((j < 16 ? byte(p, 2 + j) & 0xF : byte(p, 2 + j - 16) >> 4) - 8)) }
        case .q4_1: for j in 0..<32 { out.append(half(p, 0) * Float(j < 16 ? byte(p, 4 + j) & 0xF : byte(p, 4 + j - 16) >> 4) + half(p, 2)) }
        case .q5_0:
            let qh = Int(p.loadUnaligned(fromByteOffset: 2, as: UInt32.self))
            for j in 0..<32 {
                let low = j < 16 ? byte(p, 6 + j) & 0xF : byte(p, 6 + j - 16) >> 4
                out.append(half(p, 0) * Float((low | ((qh >> j) & 1) << 4) - 16))
            }
        case .q8_0: for j in 0..<32 { out.append(half(p, 0) * Float(p.load(fromByteOffset: 2 + j, as: Int8.self))) }
        case .q4_K, .q5_K:
            let quants = type == .q4_K ? 16 : 48
            for g in 0..<8 {
                let (sc, m) = KQuantScales.scaleAndMin(g, p + 4)
                for l in 0..<32 {
                    let q = byte(p, quants + (g / 2) * 32 + l)
                    var v = g % 2 == 0 ? q & 0xF : q >> 4
                    if type == .q5_K { v += ((byte(p, 16 + l) >> g) & 1) << 4 }
                    out.append(half(p, 0) * Float(sc) * Float(v) - half(p, 2) * Float(m))
                }
            }
        case .q6_K:
            for e in 0..<256 {
                out.append(half(p, 208) * Float(p.load(fromByteOffset: 192 + e / 16, as: Int8.self)) * Float(KQuantScales.q6(p, e)))
            }
        default: fatalError("no dequantization for \(type)")
        }
    }
    return out
}

/// The float values of a quantized activation row.
func dequantizeActivations(_ bytes: [UInt8], format: ActivationFormat, columns: Int) -> [Float] {
    bytes.withUnsafeBytes { raw in
        let p = raw.baseAddress!
        return (0..<columns).map { c in
            let block = c / format.blockSize, j = c % format.blockSize
            let b = p + block * format.bytesPerBlock
            switch format {
            case .f32: return b.loadUnaligned(as: Float.self)
            case .q8_0: return HalfFloat.float(b.loadUnaligned(as: UInt16.self)) * Float(b.load(fromByteOffset: 2 + j, as: Int8.self))
            case .q8_1: return HalfFloat.float(b.loadUnaligned(as: UInt16.self)) * Float(b.load(fromByteOffset: 4 + j, as: Int8.self))
            case .q8_K: return b.loadUnaligned(as: Float.self) * Float(b.load(fromByteOffset: 4 + j, as: Int8.self))
            }
        }
    }
}
