import Foundation
import Testing
@testable import SLMCore

/// Weights repacked once into panel order (`KernelSet.packPanels`): products over the repacked
/// copy have the same bits as over the file's rows, and a repacked row decodes to the same floats.
@Suite struct KernelRepackedPanelTests {
    static let shapes: [(rows: Int, blocks: Int, batch: Int)] = [
        (1, 1, 1), (15, 2, 2), (16, 3, 4), (17, 18, 5), (33, 1, 3), (47, 5, 9), (64, 48, 8), (203, 7, 13),
        (96, 18, 1), (100, 18, 2), (64, 48, 20), (203, 7, 1), (31, 4, 6), (48, 9, 7),
    ]

    @Test(arguments: [GGMLType.q4_0, .q4_1, .q8_0])
    func repackedProductsHaveTheBitsOfTheFileRows(type: GGMLType) throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so no panel kernel runs here")
        for shape in Self.shapes {
            let columns = shape.blocks * 32
            var rng = SeededGenerator(seed: UInt64(shape.rows * 977 + shape.blocks * 13 + shape.batch) &+ UInt64(type.rawValue))
            let weightBytes = randomWeights(type, rows: shape.rows, columns: columns, using: &rng)
            let input = randomActivations(shape.batch * columns, using: &rng)
            let panelBytes = try #require(kernels.panelBytes(type, rows: shape.rows, columns: columns))
            let panels = UnsafeMutableRawPointer.allocate(byteCount: panelBytes, alignment: 64)
            defer { panels.deallocate() }
            let matmul = MatrixMultiplier(pool: ThreadPool(threads: 2), kernels: kernels)
            let buffer = ActivationBuffer(maxColumns: columns, maxRows: shape.batch)
            var fromRows = [Float](repeating: .nan, count: shape.batch * shape.rows)
            var fromPanels = [Float](repeating: -.nan, count: shape.batch * shape.rows)
            weightBytes.withUnsafeBytes { w in
                let weights = WeightMatrix(type: type, rows: shape.rows, columns: columns, base: w.baseAddress!)
                kernels.packPanels(weights, into: panels)
                input.withUnsafeBufferPointer { x in
                    let q = matmul.quantize(x.baseAddress!, rows: shape.batch, columns: columns, for: type, into: buffer)
                    fromRows.withUnsafeMutableBufferPointer { matmul.multiply(weights, q, into: $0.baseAddress!) }
                    fromPanels.withUnsafeMutableBufferPointer { matmul.multiply(weights.withPanels(panels), q, into: $0.baseAddress!) }
                }
            }
            let differing = zip(fromRows, fromPanels).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            #expect(differing == 0, "\(type) \(shape.rows)x\(columns) batch \(shape.batch): \(differing) outputs differ")
        }
    }

    /// Three to eight rows are interleaved once when quantized; the kernel that interleaves them
    /// on every call (for callers without that copy) gives the same bits.
    @Test(arguments: [GGMLType.q4_0, .q4_1, .q8_0])
    func rowsInterleavedOnceHaveTheBitsOfRowsInterleavedPerCall(type: GGMLType) throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so no panel kernel runs here")
        let rows = 45, blocks = 5, columns = blocks * 32
        for batch in 3...8 {
            var rng = SeededGenerator(seed: UInt64(batch * 31) &+ UInt64(type.rawValue))
            let weightBytes = randomWeights(type, rows: rows, columns: columns, using: &rng)
            let input = randomActivations(batch * columns, using: &rng)
            let panels = UnsafeMutableRawPointer.allocate(byteCount: try #require(kernels.panelBytes(type, rows: rows, columns: columns)),
                                                          alignment: 64)
            defer { panels.deallocate() }
            let matmul = MatrixMultiplier(pool: ThreadPool(threads: 1), kernels: kernels)
            let buffer = ActivationBuffer(maxColumns: columns, maxRows: batch, maxThreads: 1)
            var once = [Float](repeating: .nan, count: batch * rows), perCall = [Float](repeating: -.nan, count: batch * rows)
            var interleavedOnce = false
            weightBytes.withUnsafeBytes { w in
                let weights = WeightMatrix(type: type, rows: rows, columns: columns, base: w.baseAddress!)
                kernels.packPanels(weights, into: panels)
                input.withUnsafeBufferPointer { x in
                    let q = matmul.quantize(x.baseAddress!, rows: batch, columns: columns, for: type, into: buffer)
                    interleavedOnce = q.interleaved != nil
                    once.withUnsafeMutableBufferPointer { matmul.multiply(weights.withPanels(panels), q, into: $0.baseAddress!) }
                    perCall.withUnsafeMutableBufferPointer {
                        kernels.packedPanelGemm(type, panels: panels, rows: rows, blocks: blocks, activations: q.base,
                                                activationStride: q.rowStride, scales: buffer.scales, batch: batch,
                                                output: $0.baseAddress!, outputStride: rows, scratch: buffer.scratch)
                    }
                }
            }
            #expect(interleavedOnce, "\(batch) rows were not interleaved when quantized")
            let differing = zip(once, perCall).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            #expect(differing == 0, "\(type) batch \(batch): \(differing) outputs differ")
        }
    }

    /// Q, K and V in one call: repacked when every product's rows fill whole panels, read from
    /// the rows otherwise; the bits are the same either way.
    @Test(arguments: [16, 20])
    func threeProductsInOneCallHaveTheBitsOfSeparateCalls(kvRows: Int) throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so no panel kernel runs here")
        let type = GGMLType.q4_1, columns = 96, batch = 3
        let rowCounts = [48, kvRows, kvRows]
        var rng = SeededGenerator(seed: UInt64(kvRows))
        let matrices = rowCounts.map { randomWeights(type, rows: $0, columns: columns, using: &rng) }
        let input = randomActivations(batch * columns, using: &rng)
        let matmul = MatrixMultiplier(pool: ThreadPool(threads: 2), kernels: kernels)
        let buffer = ActivationBuffer(maxColumns: columns, maxRows: batch)
        var separate = rowCounts.map { [Float](repeating: .nan, count: batch * $0) }
        var q = [Float](repeating: -.nan, count: batch * rowCounts[0])
        var k = [Float](repeating: -.nan, count: batch * rowCounts[1]), v = k
        var keep: [UnsafeMutableRawPointer] = []
        defer { keep.forEach { $0.deallocate() } }
        let views = matrices.enumerated().map { m, bytes -> WeightMatrix in
            let base = UnsafeMutableRawPointer.allocate(byteCount: bytes.count, alignment: 64)
            base.copyMemory(from: bytes, byteCount: bytes.count)
            let panels = UnsafeMutableRawPointer.allocate(byteCount: kernels.panelBytes(type, rows: rowCounts[m], columns: columns)!, alignment: 64)
            keep += [base, panels]
            let weights = WeightMatrix(type: type, rows: rowCounts[m], columns: columns, base: base)
            kernels.packPanels(weights, into: panels)
            return weights.withPanels(panels)
        }
        input.withUnsafeBufferPointer { x in
            let activations = matmul.quantize(x.baseAddress!, rows: batch, columns: columns, for: type, into: buffer)
            for m in 0..<3 { separate[m].withUnsafeMutableBufferPointer { matmul.multiply(views[m], activations, into: $0.baseAddress!) } }
            q.withUnsafeMutableBufferPointer { q in
                k.withUnsafeMutableBufferPointer { k in
                    v.withUnsafeMutableBufferPointer { v in
                        matmul.multiply(MatrixProduct(views[0], into: q.baseAddress!), MatrixProduct(views[1], into: k.baseAddress!),
                                        MatrixProduct(views[2], into: v.baseAddress!), activations)
                    }
                }
            }
        }
        let together = [q, k, v]
        for m in 0..<3 {
            #expect(zip(separate[m], together[m]).allSatisfy { $0.bitPattern == $1.bitPattern }, "product \(m) with \(kvRows)-row K/V")
        }
    }

    /// Q5_0 has no panel kernel of its own: it is repacked as the Q8_0 blocks of the same values,
    /// so its products have the bits of those Q8_0 rows' products, and decode steps and prompts
    /// run on the panel kernels.
    @Test func q5_0IsRepackedAsTheQ8_0BlocksOfTheSameValues() throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so no panel kernel runs here")
        #expect(kernels.usesPanelKernel(.q5_0) && !kernels.panelKernelReadsFileRows(.q5_0))
        for shape in Self.shapes {
            let columns = shape.blocks * 32
            var rng = SeededGenerator(seed: UInt64(shape.rows * 31 + shape.blocks * 7 + shape.batch))
            let q5 = randomWeights(.q5_0, rows: shape.rows, columns: columns, using: &rng)
            let input = randomActivations(shape.batch * columns, using: &rng)
            var q8 = [UInt8](repeating: 0, count: shape.rows * GGMLType.q8_0.rowBytes(count: columns)!)
            q5.withUnsafeBytes { source in
                q8.withUnsafeMutableBytes { BlockConversion.q5_0AsQ8_0(source.baseAddress!, blocks: shape.rows * shape.blocks, into: $0.baseAddress!) }
            }
            let panelBytes = try #require(kernels.panelBytes(.q5_0, rows: shape.rows, columns: columns))
            #expect(panelBytes == kernels.panelBytes(.q8_0, rows: shape.rows, columns: columns))
            let panels = UnsafeMutableRawPointer.allocate(byteCount: panelBytes, alignment: 64)
            defer { panels.deallocate() }
            let matmul = MatrixMultiplier(pool: ThreadPool(threads: 2), kernels: kernels)
            let buffer = ActivationBuffer(maxColumns: columns, maxRows: shape.batch)
            var fromQ8Rows = [Float](repeating: .nan, count: shape.batch * shape.rows)
            var fromQ5Panels = [Float](repeating: -.nan, count: shape.batch * shape.rows)
            var fromQ5Rows = [Float](repeating: .nan, count: shape.batch * shape.rows)
            q5.withUnsafeBytes { w5 in
                q8.withUnsafeBytes { w8 in
                    let weights5 = WeightMatrix(type: .q5_0, rows: shape.rows, columns: columns, base: w5.baseAddress!)
                    let weights8 = WeightMatrix(type: .q8_0, rows: shape.rows, columns: columns, base: w8.baseAddress!)
                    kernels.packPanels(weights5, into: panels)
                    input.withUnsafeBufferPointer { x in
                        let q = matmul.quantize(x.baseAddress!, rows: shape.batch, columns: columns, for: .q5_0, into: buffer)
                        fromQ8Rows.withUnsafeMutableBufferPointer { matmul.multiply(weights8, q, into: $0.baseAddress!) }
                        fromQ5Panels.withUnsafeMutableBufferPointer { matmul.multiply(weights5.withPanels(panels), q, into: $0.baseAddress!) }
                        fromQ5Rows.withUnsafeMutableBufferPointer { matmul.multiply(weights5, q, into: $0.baseAddress!) }
                    }
                }
            }
            let differing = zip(fromQ8Rows, fromQ5Panels).filter { $0.0.bitPattern != $0.1.bitPattern }.count
            #expect(differing == 0, "\(shape.rows)x\(columns) batch \(shape.batch): \(differing) outputs differ")
            // Unrepacked Q5_0 rows go to the row kernels: the same sums in another order.
            let scale = max(1, fromQ8Rows.map(abs).max() ?? 0)
            #expect(zip(fromQ5Rows, fromQ8Rows).allSatisfy { abs($0 - $1) <= 1e-4 * scale }, "\(shape.rows)x\(columns) rows")
        }
    }

    @Test(arguments: [GGMLType.q4_0, .q4_1, .q8_0, .q5_0])
    func repackedRowsDecodeToTheFileRowsFloats(type: GGMLType) throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so no panel kernel runs here")
        let rows = 37, columns = 96
        var rng = SeededGenerator(seed: 7 &+ UInt64(type.rawValue))
        let bytes = randomWeights(type, rows: rows, columns: columns, using: &rng)
        let panels = UnsafeMutableRawPointer.allocate(byteCount: kernels.panelBytes(type, rows: rows, columns: columns)!, alignment: 64)
        defer { panels.deallocate() }
        bytes.withUnsafeBytes { w in
            let weights = WeightMatrix(type: type, rows: rows, columns: columns, base: w.baseAddress!)
            kernels.packPanels(weights, into: panels)
            var fromRow = [Float](repeating: .nan, count: columns), fromPanel = [Float](repeating: -.nan, count: columns)
            for r in 0..<rows {
                fromRow.withUnsafeMutableBufferPointer { Dequantize.row(r, of: weights, into: $0.baseAddress!) }
                fromPanel.withUnsafeMutableBufferPointer { Dequantize.row(r, of: weights.withPanels(panels), into: $0.baseAddress!) }
                #expect(zip(fromRow, fromPanel).allSatisfy { $0.bitPattern == $1.bitPattern }, "\(type) row \(r)")
            }
        }
    }

    @Test func kernelsWithoutPanelsRepackNothing() {
        for backend in KernelSet.supportedBackends where backend != .avx512VNNI {
            #expect(KernelSet(backend: backend)?.panelBytes(.q4_1, rows: 16, columns: 32) == nil, "\(backend)")
        }
        #expect(KernelSet(backend: .avx512VNNI).map { $0.panelBytes(.q6_K, rows: 16, columns: 256) == nil } ?? true,
                "the K-quants have no repacked layout")
    }
}
