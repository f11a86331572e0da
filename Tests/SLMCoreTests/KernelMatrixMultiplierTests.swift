import Testing
@testable import SLMCore

@Suite struct KernelMatrixMultiplierTests {
    @Test(arguments: [(GGMLType.q4_1, 1), (.q4_1, 3), (.q4_0, 13), (.q8_0, 2), (.q4_K, 4), (.q6_K, 1), (.f32, 2)])
    func threadedBatchedProductMatchesRowByRowReference(type: GGMLType, batch: Int) {
        let columns = type.blockSize == 256 ? 512 : 160, rows = 203
        var rng = SeededGenerator(seed: UInt64(batch) &* 977 &+ UInt64(type.rawValue))
        let weightBytes = randomWeights(type, rows: rows, columns: columns, using: &rng)
        let input = randomActivations(batch * columns, using: &rng)
        let pool = ThreadPool(threads: 3)
        let matmul = MatrixMultiplier(pool: pool)
        let buffer = ActivationBuffer(maxColumns: columns, maxRows: batch)
        var output = [Float](repeating: .nan, count: batch * rows)
        weightBytes.withUnsafeBytes { w in
            let weights = WeightMatrix(type: type, rows: rows, columns: columns, base: w.baseAddress!)
            input.withUnsafeBufferPointer { x in
                output.withUnsafeMutableBufferPointer { y in
                    matmul.multiply(weights, input: x.baseAddress!, rows: batch, into: y.baseAddress!, buffer: buffer)
                }
            }
            for b in 0..<batch {
                let xq = referenceActivations(Array(input[(b * columns)..<((b + 1) * columns)]), for: type)
                for r in 0..<rows {
                    let expected = xq.withUnsafeBytes {
                        ReferenceDot.dot(type, weights.row(r), $0.baseAddress!, blocks: type.blockSize == 1 ? columns : columns / type.blockSize)
                    }
                    #expect(abs(output[b * rows + r] - expected) <= 1e-3 * max(1, abs(expected)), "\(type) row \(r) batch \(b)")
                }
            }
        }
    }

    @Test func fusedProductsEqualSeparateOnes() {
        let columns = 96
        var rng = SeededGenerator(seed: 5)
        let shapes = [(GGMLType.q4_1, 64), (.q4_0, 21), (.q4_1, 35)]
        let weightBytes = shapes.map { randomWeights($0.0, rows: $0.1, columns: columns, using: &rng) }
        let input = randomActivations(2 * columns, using: &rng)
        let matmul = MatrixMultiplier(pool: ThreadPool(threads: 2))
        let buffer = ActivationBuffer(maxColumns: columns, maxRows: 2)
        var fused0 = [Float](repeating: .nan, count: 2 * shapes[0].1)
        var fused1 = [Float](repeating: .nan, count: 2 * shapes[1].1)
        var fused2 = [Float](repeating: .nan, count: 2 * shapes[2].1)
        var separate = [fused0, fused1, fused2]
        weightBytes[0].withUnsafeBytes { w0 in weightBytes[1].withUnsafeBytes { w1 in weightBytes[2].withUnsafeBytes { w2 in
            let matrices = [w0, w1, w2].enumerated().map { WeightMatrix(type: shapes[$0.offset].0, rows: shapes[$0.offset].1, columns: columns, base: $0.element.baseAddress!) }
            input.withUnsafeBufferPointer { x in
                let q = matmul.quantize(x.baseAddress!, rows: 2, columns: columns, for: .q4_1, into: buffer)
                fused0.withUnsafeMutableBufferPointer { y0 in fused1.withUnsafeMutableBufferPointer { y1 in fused2.withUnsafeMutableBufferPointer { y2 in
                    matmul.multiply(MatrixProduct(matrices[0], into: y0.baseAddress!), MatrixProduct(matrices[1], into: y1.baseAddress!),
                                    MatrixProduct(matrices[2], into: y2.baseAddress!), q)
                } } }
                for i in 0..<3 {
                    separate[i].withUnsafeMutableBufferPointer { matmul.multiply(matrices[i], q, into: $0.baseAddress!) }
                }
            }
        } } }
        #expect([fused0, fused1, fused2] == separate)
        #expect(![fused0, fused1, fused2].joined().contains { $0.isNaN })
    }
}
