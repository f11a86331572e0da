import Policy
import Routing
import Testing

@Suite struct TunerTests {
    struct ShrinkCase: Sendable, CustomStringConvertible {
        var description: String
        var mean: Double
        var count: Int
        var prior: Double
        var strength: Double
        var expected: Double
    }

    static let shrinkCases: [ShrinkCase] = [
        ShrinkCase(description: "no data gives the prior", mean: 0.9, count: 0, prior: 0.5, strength: 10, expected: 0.5),
        ShrinkCase(description: "equal weight at n = k", mean: 0.9, count: 10, prior: 0.5, strength: 10, expected: 0.7),
        ShrinkCase(description: "much data stays near the mean", mean: 1, count: 990, prior: 0, strength: 10, expected: 0.99),
    ]

    @Test(arguments: shrinkCases)
    func shrinkageWeighsDataAgainstPrior(_ testCase: ShrinkCase) {
        let value = Shrinkage.shrink(mean: testCase.mean, count: testCase.count, toward: testCase.prior, strength: testCase.strength)
        #expect(abs(value - testCase.expected) < 1e-12)
    }

    @Test func strengthIsLargeWhenGroupsAgreeAndSmallWhenTheyDiffer() {
        let rule = Shrinkage(minStrength: 1, maxStrength: 1000)
        let noisySame = [Shrinkage.Group(values: [0, 1, 0, 1, 0, 1]), Shrinkage.Group(values: [1, 0, 1, 0, 1, 0])]
        let distinct = [Shrinkage.Group(values: [0, 0, 0.1, 0]), Shrinkage.Group(values: [1, 0.9, 1, 1]), Shrinkage.Group(values: [0.5, 0.5, 0.4, 0.5])]
        #expect(rule.strength(of: noisySame) == 1000)
        let k = rule.strength(of: distinct)
        #expect(k == 1)
    }

    static func outcomes() -> [LoggedOutcome] {
        var rows: [LoggedOutcome] = []
        // Class "math": big is clearly better; class "chat": both equal, small is cheaper and faster.
        for i in 0..<40 {
            rows.append(LoggedOutcome(classKey: "math/qa/hard", route: "small", propensity: 0.5, quality: i % 4 == 0 ? 1 : 0, costUSD: 0.001, latencyMS: 500))
            rows.append(LoggedOutcome(classKey: "math/qa/hard", route: "big", propensity: 0.5, quality: i % 10 == 0 ? 0 : 1, costUSD: 0.01, latencyMS: 2000))
            rows.append(LoggedOutcome(classKey: "chat/qa/easy", route: "small", propensity: 0.5, quality: i % 5 == 0 ? 0 : 1, costUSD: 0.001, latencyMS: 400))
            rows.append(LoggedOutcome(classKey: "chat/qa/easy", route: "big", propensity: 0.5, quality: i % 5 == 1 ? 0 : 1, costUSD: 0.01, latencyMS: 1500))
        }
        return rows
    }

    @Test func estimatesLieBetweenCellMeanAndPriorAndCoverUnseenCells() throws {
        let estimates = try RouteEstimates(outcomes: Self.outcomes())
        let mathSmall = estimates.estimate(classKey: "math/qa/hard", route: "small")
        #expect(mathSmall.requests == 40 && mathSmall.scored == 40)
        #expect(mathSmall.quality >= 0.25 && mathSmall.quality < 0.5)
        #expect(abs(mathSmall.costUSD - 0.001) < 1e-5)  // one pseudo-observation of prior at most
        #expect(mathSmall.p95LatencyMS == 500)
        let mathBig = estimates.estimate(classKey: "math/qa/hard", route: "big")
        #expect(mathBig.quality > 0.75 && mathBig.quality <= 0.9)
        let unseen = estimates.estimate(classKey: "law/qa/hard", route: "big")
        #expect(unseen.requests == 0)
        #expect(unseen.quality > 0.7 && unseen.quality < 0.9)
        #expect(estimates.classKeys == ["chat/qa/easy", "math/qa/hard"])
    }

    @Test func estimatesRejectOutOfRangeQuality() {
        #expect(throws: RoutingError.invalidInput(field: "outcomes[0].quality", reason: "1.5 is outside [0, 1]")) {
            try RouteEstimates(outcomes: [LoggedOutcome(classKey: "a/b/c", route: "r", propensity: 1, quality: 1.5, costUSD: 0, latencyMS: 0)])
        }
    }

    struct WeightCase: Sendable, CustomStringConvertible {
        var description: String
        var target: TuningTarget
        var costWeight: Double
        var best: String
        var weights: [String: Double]
        var relaxed: Bool
    }

    static let weightCases: [WeightCase] = [
        WeightCase(description: "math prefers big at a low cost weight", target: TuningTarget(classKey: "math/qa/hard", candidates: ["small", "big"]),
                   costWeight: 1, best: "big", weights: ["big": 0.9, "small": 0.1], relaxed: false),
        WeightCase(description: "chat prefers small", target: TuningTarget(classKey: "chat/qa/easy", candidates: ["small", "big"]),
                   costWeight: 1, best: "small", weights: ["small": 0.9, "big": 0.1], relaxed: false),
        WeightCase(description: "a high cost weight flips math to small", target: TuningTarget(classKey: "math/qa/hard", candidates: ["small", "big"]),
                   costWeight: 100, best: "small", weights: ["small": 0.9, "big": 0.1], relaxed: false),
        WeightCase(description: "cost limit removes big entirely", target: TuningTarget(classKey: "math/qa/hard", candidates: ["small", "big"], maxCostUSD: 0.005),
                   costWeight: 1, best: "small", weights: ["small": 1, "big": 0], relaxed: false),
        WeightCase(description: "impossible SLO is relaxed", target: TuningTarget(classKey: "math/qa/hard", candidates: ["small", "big"], latencySLOMS: 10),
                   costWeight: 1, best: "big", weights: ["big": 0.9, "small": 0.1], relaxed: true),
    ]

    @Test(arguments: weightCases)
    func weightsMaximizeUtilityWithAnExplorationFloor(_ testCase: WeightCase) throws {
        let estimates = try RouteEstimates(outcomes: Self.outcomes())
        let optimizer = WeightOptimizer(utility: UtilityWeights(costWeight: testCase.costWeight, latencyWeight: 0.01), explorationFloor: 0.1)
        let result = optimizer.weights(for: testCase.target, estimates: estimates)
        #expect(result.best == testCase.best)
        #expect(result.relaxed == testCase.relaxed)
        for (route, weight) in testCase.weights { #expect(abs((result.weights[route] ?? -1) - weight) < 1e-12) }
    }

    @Test func explorationFloorIsClampedSoWeightsStayAProbability() throws {
        let estimates = try RouteEstimates(outcomes: Self.outcomes())
        let optimizer = WeightOptimizer(utility: UtilityWeights(costWeight: 1, latencyWeight: 0), explorationFloor: 0.9)
        let weights = optimizer.weights(for: TuningTarget(classKey: "math/qa/hard", candidates: ["small", "big"]), estimates: estimates).weights
        #expect(weights == ["small": 0.5, "big": 0.5])
    }

    @Test func tunedStateRoundTripsThroughItsJSON() throws {
        let state = TunedRoutingState(version: 3, classes: ["a/b/c": ["x": 0.25, "y": 0.75]])
        let json = try state.weightsJSON()
        #expect(json == #"{"classes":{"a\/b\/c":{"x":0.25,"y":0.75}}}"#)
        #expect(try TunedRoutingState(version: 3, weightsJSON: json) == state)
        #expect(throws: RoutingError.self) { try TunedRoutingState(version: 1, weightsJSON: "[1]") }
    }

    @Test func targetFromPolicyHonoursLocalOnly() {
        let rule = RuleSpec(name: "private", candidates: ["smol-direct", "mini-steps"], constraints: RuleConstraints(maxCostUSD: 0.2, localOnly: true))
        let target = TuningTarget(classKey: "general/chat/easy", policy: PolicyFixture.policy(rules: [rule]))
        #expect(target == TuningTarget(classKey: "general/chat/easy", candidates: ["smol-direct"], maxCostUSD: 0.2))
        #expect(TuningTarget(classKey: "not-a-key", policy: PolicyFixture.policy(rules: [rule])) == nil)
    }
}
