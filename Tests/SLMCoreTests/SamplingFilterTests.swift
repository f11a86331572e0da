import Foundation
import Testing
@testable import SLMCore

/// Greedy choice and the top-k, top-p, min-p and repetition filters, on small hand-made logits.
@Suite struct SamplingFilterTests {
    /// Probabilities 1/16, 1/4, 1/2, 1/16, 1/8 for ids 0...4: the most likely token is not first.
    static let shuffled = SamplingFixtures.logits(fromProbabilities: [0.0625, 0.25, 0.5, 0.0625, 0.125])

    @Test(arguments: [
        ([0.1, 0.7, 0.2] as [Float], Int32(1)),
        ([3, 5, 5, 1], 1),  // ties: the first index
        ([-4, -2, -3], 1),
        ([-Float.infinity, -1e30, 0], 2),
        ([7], 0),
    ] as [([Float], Int32)])
    func greedyTakesTheFirstLargestLogit(logits: [Float], expected: Int32) throws {
        var sampler = try SamplingFixtures.sampler(logits) { $0 = .greedy }
        var scratch = logits
        #expect(sampler.sample(&scratch).id == expected)
        #expect(scratch == logits)
    }

    @Test(arguments: [
        // (top_k, top_p, min_p) → the exact set of ids that can be drawn.
        (0, 1.0, 0.0, Set<Int32>([0, 1, 2, 3, 4])),
        (1, 1.0, 0.0, [2]),
        (2, 1.0, 0.0, [2, 1]),
        (3, 1.0, 0.0, [2, 1, 4]),
        (0, 0.4, 0.0, [2]),
        (0, 0.6, 0.0, [2, 1]),
        (0, 0.8, 0.0, [2, 1, 4]),
        (0, 0.9, 0.0, [2, 1, 4, 0]),  // 0.875 < 0.9 ≤ 0.9375: one of the tied 1/16s, the lower id
        (0, 1.0, 0.3, [2, 1]),  // p ≥ 0.15
        (0, 1.0, 0.2, [2, 1, 4]),  // p ≥ 0.10
        (0, 1.0, 0.1, [2, 1, 4, 0, 3]),  // p ≥ 0.05
        (3, 0.6, 0.0, [2, 1]),
        (2, 1.0, 0.2, [2, 1]),
        (0, 0.8, 0.3, [2, 1]),
        (4, 1.0, 0.0, [2, 1, 4, 0]),  // top-k cuts the tie at the lower id
        (4, 0.9, 0.0, [2, 1, 4]),  // top-p renormalizes over the top-k: 0.875 / 0.9375 ≥ 0.9
    ] as [(Int, Double, Double, Set<Int32>)])
    func filtersKeepExactlyTheExpectedTokens(topK: Int, topP: Double, minP: Double, expected: Set<Int32>) throws {
        let draws = try SamplingFixtures.draws(3000, from: Self.shuffled) {
            $0.topK = topK
            $0.topP = Float(topP)
            $0.minP = Float(minP)
            $0.seed = 7
        }
        // Every kept token has probability ≥ 1/16 of the kept mass, so 3000 draws see all of them.
        #expect(Set(draws) == expected)
    }

    @Test func topKOrdersCandidatesBestFirstWithLowerIdsOnTies() {
        var logits: [Float] = [1, 3, 3, 2, 0, 3]
        var candidates: [SamplingCandidate] = []
        logits.withUnsafeMutableBufferPointer { CandidateSelection.keepTopK(4, of: $0, into: &candidates) }
        #expect(candidates.map(\.id) == [1, 2, 5, 3])
    }

    @Test(arguments: [7, 31, 100, 1000, 49152])
    func nucleusFromAHeapMatchesSortingEverything(count: Int) {
        var generator = Xoshiro256StarStar(seed: UInt64(count))
        let logits = (0..<count).map { _ in Float(generator.nextUnitInterval() * 12 - 6) }
        let maximum = logits.max()!
        let weights = logits.map { Float(exp(Double($0 - maximum))) }
        let total = weights.reduce(0.0) { $0 + Double($1) }
        for topP in [0.1, 0.5, 0.9, 0.99] {
            // Reference: sort everything, take the shortest prefix reaching the mass.
            let order = (0..<count).sorted { logits[$0] != logits[$1] ? logits[$0] > logits[$1] : $0 < $1 }
            var expected: Set<Int32> = []
            var cumulative = 0.0
            for index in order {
                expected.insert(Int32(index))
                cumulative += Double(weights[index])
                if cumulative >= topP * total { break }
            }
            var candidates = (0..<count).map { SamplingCandidate(id: Int32($0), logit: logits[$0], weight: weights[$0]) }
            let kept = candidates.withUnsafeMutableBufferPointer {
                CandidateSelection.keepNucleus(mass: topP * total, in: $0, 0..<count, sortedDescending: false)
            }
            #expect(Set(candidates[kept].map { $0.id }) == expected, "top_p \(topP)")
        }
    }

    // MARK: Repetition penalty

    @Test(arguments: [
        // (logits, remembered tokens, penalty, window) → greedy choice
        ([2.0, 1.9, -1] as [Float], [0] as [Int32], Float(2), 64, Int32(1)),  // 2.0 / 2 = 1.0 < 1.9
        ([2.0, 1.9, -1], [0], 1.01, 64, 0),  // 1.98 > 1.9
        ([-1.0, -1.5], [0], 2, 64, 1),  // negative: -1 · 2 = -2 < -1.5
        ([2.0, 1.9, -1], [0, 2, 2], 2, 2, 0),  // 0 has left the window of 2
        ([2.0, 1.9, -1], [0, 0, 0], 2, 64, 1),  // penalized once, not three times: 1.0 > -1
        ([2.0, 1.9, 1.0], [0, 1], 2, 64, 0),  // 1.0 / 0.95 / 1.0: first index on the tie
    ] as [([Float], [Int32], Float, Int, Int32)])
    func repetitionPenaltyLowersRecentTokens(logits: [Float], remembered: [Int32], penalty: Float, window: Int, expected: Int32) throws {
        var sampler = try SamplingFixtures.sampler(logits) {
            $0 = .greedy
            $0.repetitionPenalty = penalty
            $0.repetitionWindow = window
        }
        sampler.remember(remembered)
        var scratch = logits
        let token = sampler.sample(&scratch)
        #expect(token.id == expected)
        #expect(scratch == logits, "the logits are restored")
    }

    @Test func sampledTokensCountForTheRepetitionPenalty() throws {
        var sampler = try SamplingFixtures.sampler([2.0, 1.9, 1.8]) {
            $0 = .greedy
            $0.repetitionPenalty = 4
        }
        var logits: [Float] = [2.0, 1.9, 1.8]
        #expect((0..<4).map { _ in sampler.sample(&logits).id } == [0, 1, 2, 0])
    }

    /// A draw weighs tokens against the largest logit after the penalty, not before: here the
    /// penalty takes token 0 from 30 to 0.3, and at temperature 0.05 the raw maximum would push
    /// every weight to the floor of e^x (each token then about as likely as the others).
    @Test(arguments: [Float(1), 0.95])
    func drawsWeighAgainstThePenalizedMaximum(topP: Float) throws {
        let logits: [Float] = [30, 10, 9.9]
        var counts = [0, 0, 0]
        for seed in 0..<2000 {
            var sampler = try SamplingFixtures.sampler(logits) {
                $0.temperature = 0.05
                $0.topP = topP
                $0.repetitionPenalty = 100
                $0.seed = UInt64(seed)
            }
            sampler.remember([0])
            var scratch = logits
            counts[Int(sampler.sample(&scratch).id)] += 1
        }
        // softmax([0.3, 10, 9.9] / 0.05): token 1 holds 1 / (1 + e^-2) = 0.881 of the mass (top-p
        // 0.95, taken at temperature 1, keeps tokens 1 and 2, so the same holds with it).
        #expect(counts[0] == 0)
        #expect(abs(Double(counts[1]) / 2000 - 0.881) < 0.035, "\(counts)")
    }

    // MARK: Parameters

    static func invalid(_ name: String, _ configure: (inout SamplingParameters) -> Void) -> (String, SamplingParameters) {
        var parameters = SamplingParameters()
        configure(&parameters)
        return (name, parameters)
    }

    @Test(arguments: [
        invalid("temperature") { $0.temperature = -1 },
        invalid("temperature") { $0.temperature = .nan },
        invalid("top_k") { $0.topK = -1 },
        invalid("top_p") { $0.topP = 0 },
        invalid("top_p") { $0.topP = 1.5 },
        invalid("min_p") { $0.minP = -0.1 },
        invalid("repetition_penalty") { $0.repetitionPenalty = 0 },
        invalid("repetition_window") { $0.repetitionWindow = -1 },
        invalid("top_logprobs") { $0.topLogprobs = 21 },
        invalid("max_tokens") { $0.maxTokens = 0 },
        invalid("stop") { $0.stop = ["ok", ""] },
    ])
    func rejectsParametersOutOfRangeByName(name: String, parameters: SamplingParameters) {
        #expect {
            try parameters.validate()
        } throws: { error in
            guard case .invalidParameter(let failing, _, _) = error as? SamplingError else { return false }
            return failing == name
        }
        #expect(throws: SamplingError.self) { try TokenSampler(parameters: parameters, vocabularySize: 10) }
    }
}
