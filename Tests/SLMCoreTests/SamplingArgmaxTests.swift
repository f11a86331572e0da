import Testing
@testable import SLMCore

/// `Argmax.index` against a scalar scan, with every kernel this CPU runs (C AVX-512, C AVX2, Swift
/// SIMD): first index on ties, NaNs never chosen, 0 when nothing exceeds −∞.
@Suite struct SamplingArgmaxTests {
    static func scalar(_ values: [Float]) -> Int {
        var best = 0, bestValue = -Float.infinity
        for (i, v) in values.enumerated() where v > bestValue {
            best = i
            bestValue = v
        }
        return best
    }

    @Test(arguments: [1, 2, 7, 15, 16, 17, 31, 33, 63, 64, 65, 100, 129, 49152])
    func matchesAScalarScanOnRandomRows(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        for round in 0..<20 {
            // Few distinct values, so ties are common; every other round, one value above them all
            // at a random place (the case of real logits).
            var values = (0..<count).map { _ in Float(Int.random(in: -20...20, using: &rng)) / 4 }
            if round % 2 == 1 { values[Int.random(in: 0..<count, using: &rng)] = 100 }
            let expected = Self.scalar(values)
            #expect(values.withUnsafeBufferPointer { Argmax.index(of: $0) } == expected, "\(count) values")
            for kernels in TransformerOps.Kernels.supported {
                let got = values.withUnsafeBufferPointer { Argmax.index(of: $0, kernels: kernels) }
                #expect(got == expected, "\(count) values, \(kernels) kernels")
            }
        }
    }

    @Test(arguments: [
        [Float](repeating: -.infinity, count: 20),
        [.nan, 1, 3, 3, .nan] + [Float](repeating: 0, count: 20),
        [Float](repeating: 0, count: 17) + [.nan, 5],
        [Float](repeating: .nan, count: 18),
        [-Float.infinity, -1e30, -1e30],
        [Float](repeating: 1, count: 70) + [.nan] + [Float](repeating: 2, count: 70) + [.infinity, .infinity],
        [Float](repeating: .nan, count: 67) + [-1],
        [Float](repeating: 3, count: 100),
    ])
    func handlesInfinitiesNaNsAndTiesLikeTheScan(values: [Float]) {
        #expect(values.withUnsafeBufferPointer { Argmax.index(of: $0) } == Self.scalar(values))
        for kernels in TransformerOps.Kernels.supported {
            #expect(values.withUnsafeBufferPointer { Argmax.index(of: $0, kernels: kernels) } == Self.scalar(values), "\(kernels) kernels")
        }
    }
}
