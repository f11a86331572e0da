import Foundation
import Testing
@testable import SLMCore

/// Random draws: seeds, the drawn distribution, log-probabilities, entropy and confidence.
@Suite struct SamplingDrawTests {
    // MARK: Generator reference vectors (published values of the two algorithms)

    @Test func splitMix64MatchesItsReferenceSequence() {
        var generator = SplitMix64(state: 1_234_567)
        #expect((0..<3).map { _ in generator.next() } == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423])
    }

    @Test func xoshiro256StarStarMatchesItsReferenceSequence() {
        var generator = Xoshiro256StarStar(state: (1, 2, 3, 4))
        #expect((0..<4).map { _ in generator.next() } == [11520, 0, 1_509_978_240, 1_215_971_899_390_074_240])
    }

    @Test func unitIntervalStaysInRange() {
        var generator = Xoshiro256StarStar(seed: 3)
        let values = (0..<10000).map { _ in generator.nextUnitInterval() }
        #expect(values.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(abs(values.reduce(0, +) / 10000 - 0.5) < 0.02)
    }

    // MARK: Seeds

    static let flat = [Float](repeating: 0, count: 16)

    @Test func sameSeedGivesTheSameTokens() throws {
        let first = try SamplingFixtures.draws(64, from: Self.flat) { $0.seed = 42 }
        let second = try SamplingFixtures.draws(64, from: Self.flat) { $0.seed = 42 }
        #expect(first == second)
    }

    @Test func differentSeedsGiveDifferentTokens() throws {
        let first = try SamplingFixtures.draws(64, from: Self.flat) { $0.seed = 42 }
        let second = try SamplingFixtures.draws(64, from: Self.flat) { $0.seed = 43 }
        #expect(first != second)
        #expect(Set(first).count > 8, "64 draws over 16 equal tokens cover most of them")
    }

    @Test func sameSeedGivesTheSameTokensOverAFullVocabulary() throws {
        var generator = Xoshiro256StarStar(seed: 9)
        let logits = (0..<49152).map { _ in Float(generator.nextUnitInterval() * 20) }
        let configure: (inout SamplingParameters) -> Void = {
            $0.seed = 5
            $0.temperature = 0.8
            $0.topP = 0.95
            $0.minP = 0.01
        }
        let first = try SamplingFixtures.draws(20, from: logits, configure: configure)
        #expect(first == (try SamplingFixtures.draws(20, from: logits, configure: configure)))
        let maximum = logits.max()!
        #expect(first.allSatisfy { logits[Int($0)] >= maximum + Float(log(0.01)) }, "min-p keeps only tokens ≥ 1% of the best")
    }

    // MARK: Distribution

    @Test(arguments: [1.0, 2.0, 0.5])
    func drawsFollowTheSoftmaxAtTheTemperature(temperature: Double) throws {
        let probabilities = [0.5, 0.3, 0.15, 0.05]
        let count = 20000
        let draws = try SamplingFixtures.draws(count, from: SamplingFixtures.logits(fromProbabilities: probabilities)) {
            $0.seed = 11
            $0.temperature = Float(temperature)
        }
        // softmax(log p / T) ∝ p^(1/T)
        let tempered = probabilities.map { pow($0, 1 / temperature) }
        let total = tempered.reduce(0, +)
        for (id, weight) in tempered.enumerated() {
            let observed = Double(draws.count { $0 == Int32(id) }) / Double(count)
            // 4.5 standard deviations of a binomial frequency at 20000 draws is at most 0.016.
            #expect(abs(observed - weight / total) < 0.016, "token \(id): \(observed) vs \(weight / total)")
        }
    }

    // MARK: Log-probabilities and entropy

    /// log-softmax of [1, 2, 3, 4] and its entropy, computed in float64 outside the code under test.
    static let logprobsOf1234: [Float] = [-3.4401897, -2.4401897, -1.4401897, -0.4401897]
    static let entropyOf1234: Float = 0.94753696

    @Test(arguments: [0.0, 0.3, 1.0, 5.0])
    func reportsRawLogprobsWhateverTheTemperature(temperature: Double) throws {
        var sampler = try SamplingFixtures.sampler([1, 2, 3, 4]) {
            $0.temperature = Float(temperature)
            $0.topLogprobs = 3
            $0.seed = 1
            $0.repetitionPenalty = 3
        }
        sampler.remember([3])
        var logits: [Float] = [1, 2, 3, 4]
        let token = sampler.sample(&logits)
        #expect(abs(token.logprob - Self.logprobsOf1234[Int(token.id)]) < 1e-5)
        #expect(abs(token.entropy - Self.entropyOf1234) < 1e-5)
        #expect(sampler.topLogprobs.map(\.id) == [3, 2, 1])
        for entry in sampler.topLogprobs { #expect(abs(entry.logprob - Self.logprobsOf1234[Int(entry.id)]) < 1e-5) }
    }

    @Test func topLogprobsBreakTiesByLowerID() throws {
        var sampler = try SamplingFixtures.sampler([0, 5, 1, 5, 5]) {
            $0 = .greedy
            $0.topLogprobs = 2
        }
        var logits: [Float] = [0, 5, 1, 5, 5]
        _ = sampler.sample(&logits)
        #expect(sampler.topLogprobs.map(\.id) == [1, 3])
    }

    @Test(arguments: [
        // (logits, entropy in nats): uniform over n is ln n; one certain token is 0.
        ([0, 0, 0, 0] as [Float], Float(log(4.0))),
        ([0, 0], Float(log(2.0))),
        ([100, 0, 0], 0),
    ] as [([Float], Float)])
    func entropyOfKnownDistributions(logits: [Float], entropy: Float) throws {
        var sampler = try SamplingFixtures.sampler(logits) { $0 = .greedy }
        var scratch = logits
        #expect(abs(sampler.sample(&scratch).entropy - entropy) < 1e-4)
    }

    // MARK: Confidence

    @Test func confidenceAveragesLogprobsAndEntropyAndKeepsTheMinimum() {
        var accumulator = ConfidenceAccumulator()
        #expect(accumulator.confidence == nil)
        for (logprob, entropy) in [(-0.1, 1.0), (-2.0, 2.0), (-0.5, 3.0)] as [(Float, Float)] {
            accumulator.add(SampledToken(id: 0, logprob: logprob, entropy: entropy))
        }
        let confidence = accumulator.confidence
        #expect(confidence?.tokenCount == 3)
        #expect(abs((confidence?.meanLogprob ?? 0) - (-2.6 / 3)) < 1e-6)
        #expect(confidence?.minLogprob == -2.0)
        #expect(confidence?.meanEntropy == 2.0)
    }
}
