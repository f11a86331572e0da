import Testing
@testable import SLMCore

/// `Argmax.index` against a scalar scan: first index on ties, NaNs never chosen, 0 when nothing exceeds −∞.
@Suite struct SamplingArgmaxTests {
    static func scalar(_ values: [Float]) -> Int {
        var best = 0, bestValue = -Float.infinity
        for (i, v) in values.enumerated() where v > bestValue {
            best = i
            bestValue = v
        }
        return best
    }

    @Test(arguments: [1, 2, 15, 16, 17, 31, 33, 100, 49152])
    func matchesAScalarScanOnRandomRows(count: Int) {
        var rng = SeededGenerator(seed: UInt64(count))
        for _ in 0..<20 {
            // Few distinct values, so ties are common.
            let values = (0..<count).map { _ in Float(Int.random(in: -20...20, using: &rng)) / 4 }
            let got = values.withUnsafeBufferPointer { Argmax.index(of: $0) }
            #expect(got == Self.scalar(values), "\(count) values")
        }
    }

    @Test(arguments: [
        [Float](repeating: -.infinity, count: 20),
        [.nan, 1, 3, 3, .nan] + [Float](repeating: 0, count: 20),
        [Float](repeating: 0, count: 17) + [.nan, 5],
        [Float](repeating: .nan, count: 18),
        [-Float.infinity, -1e30, -1e30],
    ])
    func handlesInfinitiesNaNsAndTiesLikeTheScan(values: [Float]) {
        #expect(values.withUnsafeBufferPointer { Argmax.index(of: $0) } == Self.scalar(values))
    }
}
