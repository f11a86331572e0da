import Foundation
import Testing
@testable import SLMCore

/// `LogitPasses` with every kernel this CPU runs (C AVX-512, C AVX2) against its Swift definition,
/// and draws over a vocabulary of several blocks.
@Suite struct SamplingLogitPassesTests {
    /// Logits in [-12, 12) with −∞ and NaN sprinkled in (every 97th and 389th), seeded by `count`.
    static func logits(_ count: Int) -> [Float] {
        var generator = Xoshiro256StarStar(seed: UInt64(count) &+ 7)
        return (0..<count).map { index in
            if index % 97 == 5 { return -.infinity }
            if index % 389 == 11 { return .nan }
            return Float(generator.nextUnitInterval() * 24 - 12)
        }
    }

    static func close(_ a: Double, _ b: Double, relative: Double) -> Bool {
        abs(a - b) <= relative * max(abs(a), abs(b), 1e-30)
    }

    @Test(arguments: [1, 7, 8, 17, 1023, 1024, 1025, 5000, 49152])
    func statisticsMatchTheSwiftDefinition(count: Int) {
        let logits = Self.logits(count)
        let expected = logits.withUnsafeBufferPointer { LogitPasses.softmaxStatisticsPortable($0) }
        #expect(expected.sum > 0)
        for kernels in TransformerOps.Kernels.supported {
            let got = logits.withUnsafeBufferPointer { LogitPasses.softmaxStatistics($0, kernels: kernels) }
            #expect(got.maximum == expected.maximum, "\(count) logits, \(kernels)")
            #expect(Self.close(got.sum, expected.sum, relative: 1e-5), "\(count) logits, \(kernels): \(got.sum) vs \(expected.sum)")
            #expect(Self.close(got.weightedShift, expected.weightedShift, relative: 1e-5),
                    "\(count) logits, \(kernels): \(got.weightedShift) vs \(expected.weightedShift)")
        }
    }

    @Test func statisticsOfFiniteLogitsIgnoreMinusInfinityAndNaN() {
        let finite: [Float] = [1, 2, 3, 4]
        let mixed: [Float] = [1, -.infinity, 2, .nan, 3, -.infinity, 4] + [Float](repeating: -.infinity, count: 20)
        for kernels in TransformerOps.Kernels.supported {
            let a = finite.withUnsafeBufferPointer { LogitPasses.softmaxStatistics($0, kernels: kernels) }
            let b = mixed.withUnsafeBufferPointer { LogitPasses.softmaxStatistics($0, kernels: kernels) }
            #expect(a == b, "\(kernels)")
            #expect(a.maximum == 4)
            // e^-3 + e^-2 + e^-1 + 1
            #expect(Self.close(a.sum, 1.5530017948, relative: 1e-6), "\(kernels): \(a.sum)")
        }
    }

    @Test(arguments: [1, 9, 1023, 1024, 1025, 3000, 49152])
    func shiftedWeightsMatchTheSwiftDefinition(count: Int) {
        let logits = Self.logits(count)
        let maximum: Float = 12, factor: Float = 1 / 0.7
        let blocks = LogitPasses.blockCount(count)
        var expected = [Float](repeating: -1, count: count), expectedSums = [Double](repeating: -1, count: blocks)
        let expectedTotal = logits.withUnsafeBufferPointer { x in
            expected.withUnsafeMutableBufferPointer { w in
                expectedSums.withUnsafeMutableBufferPointer { LogitPasses.shiftedExpPortable(x, maximum: maximum, factor: factor, into: w, blockSums: $0) }
            }
        }
        #expect(expectedTotal == expectedSums.reduce(0, +))
        for kernels in TransformerOps.Kernels.supported {
            var weights = [Float](repeating: -1, count: count), sums = [Double](repeating: -1, count: blocks)
            let total = logits.withUnsafeBufferPointer { x in
                weights.withUnsafeMutableBufferPointer { w in
                    sums.withUnsafeMutableBufferPointer { LogitPasses.shiftedExp(x, maximum: maximum, factor: factor, into: w, blockSums: $0, kernels: kernels) }
                }
            }
            for index in 0..<count {
                if !(logits[index] > -.infinity) {
                    #expect(weights[index] == 0 && expected[index] == 0, "\(kernels): −∞ or NaN at \(index) weighs 0")
                } else {
                    #expect(abs(weights[index] - expected[index]) <= 3e-7 * expected[index], "\(kernels): weight \(index)")
                }
            }
            for block in 0..<blocks { #expect(Self.close(sums[block], expectedSums[block], relative: 1e-5), "\(kernels): block \(block)") }
            #expect(Self.close(total, expectedTotal, relative: 1e-5), "\(kernels)")
        }
    }

    /// Three likely tokens in different blocks of 1024 (and in the last, partial one): the draw
    /// skips whole blocks by their sums and must still land on each with its probability.
    @Test func drawsAcrossBlocksFollowTheSoftmax() throws {
        var logits = [Float](repeating: -30, count: 3000)
        let likely: [(id: Int, probability: Double)] = [(100, 0.5), (1500, 0.3), (2999, 0.2)]
        for token in likely { logits[token.id] = Float(log(token.probability)) }
        let count = 20000
        let draws = try SamplingFixtures.draws(count, from: logits) { $0.seed = 3; $0.temperature = 1 }
        for token in likely {
            let observed = Double(draws.count { $0 == Int32(token.id) }) / Double(count)
            #expect(abs(observed - token.probability) < 0.016, "token \(token.id): \(observed)")
        }
        #expect(draws.allSatisfy { id in likely.contains { $0.id == Int(id) } }, "the unlikely tokens weigh e^-30 each")
    }

    /// Top-p and min-p over a vocabulary of several blocks keep what they keep over a full scan:
    /// the draws stay among the tokens the filters allow.
    @Test(arguments: [(Float(0.9), Float(0)), (1, 0.05), (0.5, 0.01)])
    func filtersOverManyBlocksKeepOnlyWhatTheyAllow(topP: Float, minP: Float) throws {
        var generator = Xoshiro256StarStar(seed: 21)
        let logits = (0..<5000).map { _ in Float(generator.nextUnitInterval() * 10) }
        let ranked = logits.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
        let maximum = logits[ranked[0]]
        let weights = logits.map { Double(exp($0 - maximum)) }
        let total = weights.reduce(0, +)
        // The nucleus: the fewest best tokens holding top-p of the mass (with a margin of a few
        // tokens for float rounding at its edge).
        var allowed = Set<Int>(), mass = 0.0
        for id in ranked where mass < Double(topP) * total * 1.001 {
            if minP == 0 || weights[id] >= Double(minP) * 0.999 { allowed.insert(id) }
            mass += weights[id]
        }
        let draws = try SamplingFixtures.draws(2000, from: logits) {
            $0.seed = 4
            $0.temperature = 0.8
            $0.topP = topP
            $0.minP = minP
        }
        #expect(draws.allSatisfy { allowed.contains(Int($0)) })
        #expect(Set(draws).count > 10, "many tokens stay likely")
    }

    @Test(arguments: [1, 7, 8, 16, 17, 1000, 49152])
    func indicesAtLeastAThresholdMatchTheSwiftDefinition(count: Int) {
        let values = Self.logits(count)
        for threshold: Float in [-20, 0, 5, 11.9, 30] {
            var expected = [Int32](repeating: -1, count: count)
            let expectedCount = values.withUnsafeBufferPointer { v in
                expected.withUnsafeMutableBufferPointer { LogitPasses.indicesPortable(of: v, atLeast: threshold, into: $0) }
            }
            #expect(Array(expected[..<expectedCount]) == values.indices.filter { values[$0] >= threshold }.map { Int32($0) })
            for kernels in TransformerOps.Kernels.supported {
                var got = [Int32](repeating: -1, count: count)
                let gotCount = values.withUnsafeBufferPointer { v in
                    got.withUnsafeMutableBufferPointer { LogitPasses.indices(of: v, atLeast: threshold, into: $0, kernels: kernels) }
                }
                #expect(Array(got[..<gotCount]) == Array(expected[..<expectedCount]), "\(count) values ≥ \(threshold), \(kernels)")
            }
        }
    }

    /// Top-k over the ids near the maximum (what the sampler passes when enough are near) keeps
    /// the same candidates, in the same order, as over the whole vocabulary, ties included.
    @Test(arguments: [1, 5, 40, 300])
    func topKAmongTheLikelyIdsIsTopKOfAll(k: Int) {
        var generator = Xoshiro256StarStar(seed: UInt64(k))
        // Coarse values, so that ties are many.
        var logits = (0..<49152).map { _ in Float(Int(generator.nextUnitInterval() * 60)) / 4 - 10 }
        let maximum = logits.max()!
        var all = [SamplingCandidate](), narrowed = [SamplingCandidate]()
        var ids = [Int32](repeating: 0, count: logits.count)
        logits.withUnsafeMutableBufferPointer { logits in
            CandidateSelection.keepTopK(k, of: logits, into: &all)
            let count = ids.withUnsafeMutableBufferPointer {
                LogitPasses.indices(of: UnsafeBufferPointer(logits), atLeast: maximum - 8, into: $0)
            }
            #expect(count >= k)
            ids.withUnsafeBufferPointer {
                CandidateSelection.keepTopK(k, of: logits, among: UnsafeBufferPointer(rebasing: $0[..<count]), into: &narrowed)
            }
        }
        #expect(all.map(\.id) == narrowed.map(\.id))
        #expect(all.count == k)
    }

    /// The top logprobs over a whole vocabulary: the best ids, lower ids first on ties.
    @Test func topLogprobsOverAFullVocabularyAreTheBestIds() throws {
        var generator = Xoshiro256StarStar(seed: 77)
        var logits = (0..<49152).map { _ in Float(Int(generator.nextUnitInterval() * 40)) / 2 }
        var sampler = try SamplingFixtures.sampler(logits) { $0 = .greedy; $0.topLogprobs = 7 }
        _ = sampler.sample(&logits)
        let expected = logits.indices.sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }.prefix(7)
        #expect(sampler.topLogprobs.map { Int($0.id) } == Array(expected))
    }
}
