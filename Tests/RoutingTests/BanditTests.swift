import Policy
import Routing
import Testing

@Suite struct BanditTests {
    struct ProbabilityCase: Sendable, CustomStringConvertible {
        var description: String
        var exploration: Double
        var weights: [String: Double]?
        var expected: [Double]
    }

    static let probabilityCases: [ProbabilityCase] = [
        ProbabilityCase(description: "no tuned weights: first candidate plus exploration", exploration: 0.3, weights: nil,
                        expected: [0.8, 0.1, 0.1]),
        ProbabilityCase(description: "tuned weights mixed with uniform", exploration: 0.3, weights: ["a": 0.5, "b": 0.5, "c": 0],
                        expected: [0.45, 0.45, 0.1]),
        ProbabilityCase(description: "weights of routes that are not candidates are ignored", exploration: 0, weights: ["b": 1, "zzz": 3],
                        expected: [0, 1, 0]),
        ProbabilityCase(description: "full exploration is uniform", exploration: 1, weights: ["c": 1], expected: [1.0 / 3, 1.0 / 3, 1.0 / 3]),
    ]

    @Test(arguments: probabilityCases)
    func probabilitiesMixTunedWeightsWithExploration(_ testCase: ProbabilityCase) {
        let p = BanditChoice(exploration: testCase.exploration).probabilities(candidates: ["a", "b", "c"], tunedWeights: testCase.weights)
        #expect(p.count == testCase.expected.count)
        for (value, expected) in zip(p, testCase.expected) { #expect(abs(value - expected) < 1e-12) }
        #expect(abs(p.reduce(0, +) - 1) < 1e-12)
    }

    @Test func drawFrequenciesMatchPropensities() {
        let choice = BanditChoice(exploration: 0.2)
        let p = [0.6, 0.3, 0.1]
        var random = SeededGenerator(seed: 42)
        var counts = [0, 0, 0]
        let draws = 20_000
        for _ in 0..<draws {
            let (index, propensity) = choice.draw(from: p, using: &random)
            #expect(propensity == p[index])
            counts[index] += 1
        }
        for (count, expected) in zip(counts, p) {
            #expect(abs(Double(count) / Double(draws) - expected) < 0.015)
        }
    }

    @Test func banditDecisionRecordsThePropensityOfItsChoiceAndIsReproducible() throws {
        let rule = RuleSpec(name: "b", candidates: ["smol-direct", "mini-steps", "big-blade"], strategy: .bandit(BanditSettings(exploration: 0.3)))
        let request = PolicyFixture.request()
        let state = TunedRoutingState(version: 9, classes: [request.classKey: ["smol-direct": 0.1, "mini-steps": 0.9]])
        let planner = RoutePlanner(policy: PolicyFixture.policy(rules: [rule]), state: state)
        var seen: Set<String> = []
        for seed in 0..<200 as Range<UInt64> {
            var random = SeededGenerator(seed: seed)
            let decision = try planner.plan(for: request, using: &random)
            var again = SeededGenerator(seed: seed)
            #expect(try planner.plan(for: request, using: &again) == decision)
            #expect(decision.propensity == decision.choiceProbabilities[decision.first.route])
            #expect(decision.stateVersion == 9)
            #expect(decision.plan.count == 3)
            seen.insert(decision.first.route)
        }
        #expect(seen == ["smol-direct", "mini-steps", "big-blade"])
        var random = SeededGenerator(seed: 0)
        let probabilities = try planner.plan(for: request, using: &random).choiceProbabilities
        #expect(abs(probabilities["mini-steps"]! - 0.73) < 1e-12)
        #expect(abs(probabilities["big-blade"]! - 0.1) < 1e-12)
    }

    @Test func banditOnlyDrawsAmongEligibleCandidates() throws {
        let rule = RuleSpec(name: "b", candidates: ["smol-direct", "mini-steps", "big-blade"], strategy: .bandit(BanditSettings(exploration: 1)),
                            constraints: RuleConstraints(maxCostUSD: 0.01))
        let planner = RoutePlanner(policy: PolicyFixture.policy(rules: [rule]))
        for seed in 0..<50 as Range<UInt64> {
            var random = SeededGenerator(seed: seed)
            let decision = try planner.plan(for: PolicyFixture.request(), using: &random)
            #expect(decision.first.route != "big-blade")
            #expect(decision.propensity == 0.5)
            #expect(decision.stateVersion == nil)
        }
    }
}
