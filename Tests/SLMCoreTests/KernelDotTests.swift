import Testing
@testable import SLMCore

@Suite struct KernelDotTests {
    /// Columns that are whole blocks but odd counts of them, for both block sizes.
    static func awkwardColumns(_ type: GGMLType) -> [Int] {
        type.blockSize == 256 ? [256, 768, 2304] : [32, 96, 544, 1568, 16_416]
    }

    static let typesAndBackends: [(GGMLType, KernelSet.Backend)] = quantizedWeightTypes.flatMap { type in
        KernelSet.supportedBackends.filter { $0 != .reference }.map { (type, $0) }
    } + [(.f32, .portable), (.f16, .portable)]

    /// `kernels.gemm` of `rows` weight rows times the activation rows (`batch × rows` outputs).
    static func gemm(_ kernels: KernelSet, _ type: GGMLType, _ weights: [UInt8], rows: Int, blocks: Int, _ activations: [[UInt8]]) -> [Float] {
        let x = activations.flatMap { $0 }
        var y = [Float](repeating: .nan, count: activations.count * rows)
        weights.withUnsafeBytes { w in
            x.withUnsafeBytes { xb in
                y.withUnsafeMutableBufferPointer { out in
                    kernels.gemm(type, weights: w.baseAddress!, weightStride: weights.count / rows, rows: rows, blocks: blocks,
                                 activations: xb.baseAddress!, activationStride: activations[0].count, batch: activations.count,
                                 output: out.baseAddress!, outputStride: rows)
                }
            }
        }
        return y
    }

    /// `gemm` with `ReferenceDot`, one output at a time.
    static func referenceGemm(_ type: GGMLType, _ weights: [UInt8], rows: Int, blocks: Int, _ activations: [[UInt8]]) -> [Float] {
        let rowBytes = weights.count / rows
        return weights.withUnsafeBytes { w in
            activations.flatMap { x in
                x.withUnsafeBytes { xb in
                    (0..<rows).map { r in ReferenceDot.dot(type, w.baseAddress! + r * rowBytes, xb.baseAddress!, blocks: blocks) }
                }
            }
        }
    }

    @Test(arguments: typesAndBackends)
    func fastKernelAgreesWithReferenceOnAwkwardShapes(type: GGMLType, backend: KernelSet.Backend) throws {
        let kernels = try #require(KernelSet(backend: backend))
        for columns in Self.awkwardColumns(type) {
            for (rows, batch) in [(1, 1), (3, 2), (7, 5), (5, 9)] {
                var rng = SeededGenerator(seed: UInt64(columns &* 31 &+ rows &* 7 &+ batch))
                let weights = randomWeights(type, rows: rows, columns: columns, using: &rng)
                let activations = (0..<batch).map { _ in referenceActivations(randomActivations(columns, using: &rng), for: type) }
                let blocks = type.blockSize == 1 ? columns : columns / type.blockSize
                let rowBytes = type.rowBytes(count: columns)!
                let y = Self.gemm(kernels, type, weights, rows: rows, blocks: blocks, activations)
                let reference = Self.referenceGemm(type, weights, rows: rows, blocks: blocks, activations)
                weights.withUnsafeBytes { w in
                    for r in 0..<rows {
                        for b in 0..<batch {
                            let expected = reference[b * rows + r]
                            let scale = magnitude(type, w.baseAddress! + r * rowBytes, activations[b], columns: columns)
                            // The same integer sums; only the order of float additions differs.
                            #expect(abs(y[b * rows + r] - expected) <= 1e-5 * scale,
                                    "\(type) \(backend) \(columns)x\(rows)x\(batch) row \(r) batch \(b): \(y[b * rows + r]) vs \(expected)")
                        }
                    }
                }
            }
        }
    }

    /// The K-quant C kernels sum each super-block's integers exactly and scale them in the
    /// reference's order, so they give the scalar definition's bits.
    @Test(arguments: [GGMLType.q4_K, .q5_K, .q6_K])
    func kQuantCKernelsGiveTheReferenceBits(type: GGMLType) throws {
        let kernels = try #require(KernelSet(backend: .avx2), "this CPU lacks AVX2, so no K-quant C kernel runs here")
        for columns in Self.awkwardColumns(type) {
            let rows = 6, batch = 3
            var rng = SeededGenerator(seed: UInt64(columns &* 17) &+ UInt64(type.rawValue))
            let weights = randomWeights(type, rows: rows, columns: columns, using: &rng)
            let activations = (0..<batch).map { _ in referenceActivations(randomActivations(columns, using: &rng), for: type) }
            let blocks = columns / type.blockSize
            let y = Self.gemm(kernels, type, weights, rows: rows, blocks: blocks, activations)
            let expected = Self.referenceGemm(type, weights, rows: rows, blocks: blocks, activations)
            for (i, (fast, reference)) in zip(y, expected).enumerated() {
                #expect(fast.bitPattern == reference.bitPattern, "\(type) \(columns) columns, row \(i % rows), batch \(i / rows)")
            }
        }
    }

    @Test(arguments: quantizedWeightTypes + [.f32, .f16])
    func referenceAgreesWithDequantizedFloatDotWithinActivationRounding(type: GGMLType) {
        for columns in Self.awkwardColumns(type) {
            var rng = SeededGenerator(seed: UInt64(columns) &+ UInt64(type.rawValue))
            let weights = randomWeights(type, rows: 1, columns: columns, using: &rng)
            let x = randomActivations(columns, using: &rng)
            let format = ActivationFormat(weights: type)!
            let quantized = referenceActivations(x, for: type)
            let restored = dequantizeActivations(quantized, format: format, columns: columns)
            weights.withUnsafeBytes { w in
                let wf = dequantizeRow(type, w.baseAddress!, columns: columns)
                let exact = zip(wf, x).reduce(0.0) { $0 + Double($1.0) * Double($1.1) }
                let blocks = type.blockSize == 1 ? columns : columns / type.blockSize
                let result = quantized.withUnsafeBytes { ReferenceDot.dot(type, w.baseAddress!, $0.baseAddress!, blocks: blocks) }
                // What rounding the activations may move: Σ|w|·|x − x̂|, plus float rounding and
                // (for Q4 against Q8_1) the f16 rounding of the block sums s = d·Σq.
                let moved = zip(wf, zip(x, restored)).reduce(0.0) { $0 + Double(abs($1.0)) * Double(abs($1.1.0 - $1.1.1)) }
                let size = zip(wf, x).reduce(0.0) { $0 + Double(abs($1.0 * $1.1)) }
                let allowed = moved + 1e-5 * size + sumRounding(type, w.baseAddress!, quantized, blocks: blocks)
                #expect(abs(Double(result) - exact) <= allowed, "\(type) \(columns): \(result) vs \(exact), allowed \(allowed)")
                #expect(moved <= 0.2 * size + 1e-3, "activation rounding is small next to the product")
            }
        }
    }

    /// Σ|w·x| over the row: the size float rounding is relative to.
    private func magnitude(_ type: GGMLType, _ row: UnsafeRawPointer, _ activations: [UInt8], columns: Int) -> Float {
        let wf = dequantizeRow(type, row, columns: columns)
        let xf = dequantizeActivations(activations, format: ActivationFormat(weights: type)!, columns: columns)
        return zip(wf, xf).reduce(0) { $0 + abs($1.0 * $1.1) } + 1e-6
    }

    /// |m|·|s|·2⁻¹⁰ summed over blocks: how far the f16 block sums of Q8_1 can move a Q4 dot.
    private func sumRounding(_ type: GGMLType, _ row: UnsafeRawPointer, _ x: [UInt8], blocks: Int) -> Double {
        guard type == .q4_0 || type == .q4_1 else { return 0 }
        return x.withUnsafeBytes { raw in
            (0..<blocks).reduce(0.0) { total, b in
                let s = Double(abs(HalfFloat.float(raw.loadUnaligned(fromByteOffset: b * 36 + 2, as: UInt16.self))))
                let w = row + b * type.bytesPerBlock
                let m = type == .q4_1
                    ? Double(abs(HalfFloat.float(w.loadUnaligned(fromByteOffset: 2, as: UInt16.self))))
                    : 8 * Double(abs(HalfFloat.float(w.loadUnaligned(as: UInt16.self))))
                return total + m * s / 1024
            }
        }
    }
}
