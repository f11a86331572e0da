import Foundation
import Testing
@testable import SLMCore

/// The vectorized exp of the sampler against its scalar twin, and softmax sums at the edges.
@Suite struct SamplingVectorExpTests {
    @Test(arguments: [1, 7, 8, 9, 31, 1000, 49152])
    func vectorExpAgreesWithTheScalarTwin(count: Int) {
        var generator = Xoshiro256StarStar(seed: UInt64(count))
        let inputs = (0..<count).map { _ in Float(generator.nextUnitInterval() * 100 - 87) }  // [-87, 13)
        // Eight lanes at a time; the last vector padded with zeros.
        var outputs = [Float]()
        for start in stride(from: 0, to: count, by: 8) {
            var lanes = SIMD8<Float>(repeating: 0)
            for lane in 0..<min(8, count - start) { lanes[lane] = inputs[start + lane] }
            let result = VectorExp.exp(lanes)
            for lane in 0..<min(8, count - start) { outputs.append(result[lane]) }
        }
        for (input, output) in zip(inputs, outputs) {
            let expected = VectorExp.reference(input)
            #expect(abs(output - expected) <= 3e-7 * expected, "exp(\(input)) = \(output), expected \(expected)")
        }
    }

    @Test(arguments: [Float(0), -1e-8, -0.5, 0.34657359, -0.34657359, -20, -87, 88])
    func vectorExpIsExactEnoughAtChosenPoints(input: Float) {
        let lanes = VectorExp.exp(SIMD8<Float>(repeating: input))
        let expected = VectorExp.reference(input)
        for lane in 0..<8 { #expect(abs(lanes[lane] - expected) <= 3e-7 * expected) }
    }

    @Test func minusInfinityLogitsCountAsImpossibleNotAsNaN() throws {
        // Entropy and log-probabilities must be those of the finite logits alone.
        // The finite logits are [1, 2, 3, 4], spread over 10 ids (the vector path and the tail both see -inf).
        var withImpossible: [Float] = [1, -.infinity, 2, 3, -.infinity, 4, -.infinity, -.infinity, -.infinity, -.infinity]
        var sampler = try SamplingFixtures.sampler(withImpossible) { $0 = .greedy }
        let token = sampler.sample(&withImpossible)
        #expect(token.id == 5)
        #expect(abs(token.logprob - SamplingDrawTests.logprobsOf1234[3]) < 1e-5)
        #expect(abs(token.entropy - SamplingDrawTests.entropyOf1234) < 1e-5)
    }

    @Test func samplingNeverDrawsAnImpossibleToken() throws {
        let logits: [Float] = [-.infinity, 0, -.infinity, 0.5, -.infinity, -.infinity, -.infinity, -.infinity, -.infinity]
        let draws = try SamplingFixtures.draws(2000, from: logits) {
            $0.seed = 2
            $0.temperature = 1.5
        }
        #expect(Set(draws) == [1, 3])
    }
}
