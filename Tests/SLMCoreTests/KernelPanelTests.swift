import Synchronization
import Testing
@testable import SLMCore

/// The panel kernels (16 weight rows per 512-bit register, AVX-512 VNNI) against the scalar
/// reference, on shapes that leave partial panels, partial activation tiles and odd block counts.
@Suite struct KernelPanelTests {
    static let shapes: [(rows: Int, blocks: Int, batch: Int)] = [
        (1, 1, 1), (1, 1, 2), (16, 3, 4), (17, 18, 5), (33, 1, 3), (47, 5, 9), (64, 48, 8), (203, 7, 13),
        (96, 18, 1), (100, 18, 2), (64, 48, 1), (203, 7, 1),
    ]

    @Test(arguments: [GGMLType.q4_0, .q4_1, .q8_0])
    func panelKernelMatchesScalarReference(type: GGMLType) throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI, so no panel kernel runs here")
        for shape in Self.shapes {
            let columns = shape.blocks * 32
            var rng = SeededGenerator(seed: UInt64(shape.rows * 1000 + shape.blocks * 10 + shape.batch) &+ UInt64(type.rawValue))
            let weightBytes = randomWeights(type, rows: shape.rows, columns: columns, using: &rng)
            let input = randomActivations(shape.batch * columns, using: &rng)
            let matmul = MatrixMultiplier(pool: ThreadPool(threads: 2), kernels: kernels)
            let buffer = ActivationBuffer(maxColumns: columns, maxRows: shape.batch)
            var output = [Float](repeating: .nan, count: shape.batch * shape.rows)
            weightBytes.withUnsafeBytes { w in
                let weights = WeightMatrix(type: type, rows: shape.rows, columns: columns, base: w.baseAddress!)
                input.withUnsafeBufferPointer { x in
                    let q = matmul.quantize(x.baseAddress!, rows: shape.batch, columns: columns, for: type, into: buffer)
                    #expect(q.panelBuffer != nil, "rows were not prepared for the panel kernel")
                    output.withUnsafeMutableBufferPointer { matmul.multiply(weights, q, into: $0.baseAddress!) }
                }
                var wrong: [String] = []
                for b in 0..<shape.batch {
                    let xq = referenceActivations(Array(input[(b * columns)..<((b + 1) * columns)]), for: type)
                    for r in 0..<shape.rows {
                        let expected = xq.withUnsafeBytes { ReferenceDot.dot(type, weights.row(r), $0.baseAddress!, blocks: shape.blocks) }
                        let got = output[b * shape.rows + r]
                        if !(abs(got - expected) <= 1e-3 * max(1, abs(expected))) { wrong.append("row \(r) x \(b): \(got) vs \(expected)") }
                    }
                }
                #expect(wrong.isEmpty, "\(type) \(shape.rows)x\(columns) batch \(shape.batch): \(wrong.count) of \(shape.rows * shape.batch) wrong, \(wrong.prefix(3))")
            }
        }
    }

    @Test func panelKernelsCoverTheLegacyQuantsOnlyOnVNNI() throws {
        let kernels = try #require(KernelSet(backend: .avx512VNNI), "this CPU lacks AVX-512 VNNI")
        #expect([GGMLType.q4_0, .q4_1, .q8_0].allSatisfy { kernels.usesPanelKernel($0) })
        #expect(!kernels.usesPanelKernel(.q6_K), "the K-quants have no panel kernel")
        #expect(KernelSet(backend: .avx2).map { !$0.usesPanelKernel(.q4_1) } ?? true)
    }

    @Test func threadSlotsAreDistinctAmongConcurrentBodies() {
        let pool = ThreadPool(threads: 3)
        // Bodies running at once per slot; two bodies on one slot at the same time would count 2.
        let busy = Mutex<[Int]>([0, 0, 0])
        let clashes = Atomic<Int>(0), seen = Atomic<Int>(0)
        for _ in 0..<50 {
            pool.parallelFor(count: 64) { _, slot in
                if busy.withLock({ $0[slot] += 1; return $0[slot] }) != 1 { clashes.add(1, ordering: .relaxed) }
                seen.bitwiseOr(1 << slot, ordering: .relaxed)
                var spin = 0
                for i in 0..<2000 { spin &+= i }
                _ = spin
                busy.withLock { $0[slot] -= 1 }
            }
        }
        #expect(clashes.load(ordering: .relaxed) == 0)
        #expect(seen.load(ordering: .relaxed) & 1 == 1, "the caller runs as slot 0")
        #expect(seen.load(ordering: .relaxed) & ~0b111 == 0, "slots stay below the thread count")
    }
}
