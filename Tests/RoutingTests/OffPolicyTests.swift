import Routing
import Testing

@Suite struct OffPolicyTests {
    static let utility = UtilityWeights(costWeight: 0, latencyWeight: 0)

    /// Logged uniformly over two routes; "good" always scores 1 and "bad" 0.
    static func uniformLog(count: Int) -> [LoggedOutcome] {
        (0..<count).map { i in
            LoggedOutcome(classKey: "k/t/d", route: i % 2 == 0 ? "good" : "bad", propensity: 0.5,
                          quality: i % 2 == 0 ? 1 : 0, costUSD: 0, latencyMS: 0)
        }
    }

    struct TargetCase: Sendable, CustomStringConvertible {
        var description: String
        var weights: [String: Double]
        var value: Double
    }

    static let targetCases: [TargetCase] = [
        TargetCase(description: "always good is worth 1", weights: ["good": 1, "bad": 0], value: 1),
        TargetCase(description: "always bad is worth 0", weights: ["good": 0, "bad": 1], value: 0),
        TargetCase(description: "the logging policy is worth 0.5", weights: ["good": 0.5, "bad": 0.5], value: 0.5),
        TargetCase(description: "90/10 is worth 0.9", weights: ["good": 0.9, "bad": 0.1], value: 0.9),
    ]

    @Test(arguments: targetCases)
    func estimatorsRecoverTheTargetValue(_ testCase: TargetCase) throws {
        let log = Self.uniformLog(count: 100)
        let target = TunedRoutingState(classes: ["k/t/d": testCase.weights])
        let model = try RouteEstimates(outcomes: log)
        let estimate = try OffPolicyEvaluator(utility: Self.utility).evaluate(outcomes: log, target: target, model: model)
        #expect(estimate.samples == 100)
        #expect(abs(estimate.loggedValue - 0.5) < 1e-12)
        #expect(abs(estimate.ips - testCase.value) < 1e-9)
        #expect(abs(estimate.snips - testCase.value) < 1e-9)
        #expect(abs(estimate.doublyRobust - testCase.value) < 1e-9)
        #expect(abs(estimate.changeIPS - (testCase.value - 0.5)) < 1e-9)
    }

    @Test func snipsAndDoublyRobustCorrectAnUnluckyLog() throws {
        // Logged 70/30 while claiming 50/50 propensities: IPS is biased by the sample, SNIPS renormalizes.
        var log: [LoggedOutcome] = []
        for i in 0..<100 {
            let good = i < 70
            log.append(LoggedOutcome(classKey: "k/t/d", route: good ? "good" : "bad", propensity: 0.5, quality: good ? 0.8 : 0.2,
                                     costUSD: 0, latencyMS: 0))
        }
        let target = TunedRoutingState(classes: ["k/t/d": ["good": 1, "bad": 0]])
        let evaluator = OffPolicyEvaluator(utility: Self.utility)
        let estimate = try evaluator.evaluate(outcomes: log, target: target, model: try RouteEstimates(outcomes: log))
        #expect(abs(estimate.ips - 1.12) < 1e-9)
        #expect(abs(estimate.snips - 0.8) < 1e-9)
        #expect(abs(estimate.doublyRobust - 0.8) < 0.05)
        #expect(estimate.effectiveSampleSize < 100)
    }

    @Test func utilityChargesCostAndLatency() throws {
        let log = [LoggedOutcome(classKey: "k/t/d", route: "a", propensity: 1, quality: 1, costUSD: 0.01, latencyMS: 2000)]
        let evaluator = OffPolicyEvaluator(utility: UtilityWeights(costWeight: 10, latencyWeight: 0.05))
        let estimate = try evaluator.evaluate(outcomes: log, target: TunedRoutingState(classes: [:]))
        #expect(abs(estimate.loggedValue - 0.8) < 1e-12)
        #expect(abs(estimate.ips - 0.8) < 1e-12)
    }

    @Test func rejectsBadPropensitiesAndEmptyLogs() {
        let evaluator = OffPolicyEvaluator(utility: Self.utility)
        let bad = [LoggedOutcome(classKey: "k/t/d", route: "a", propensity: 0, quality: 1, costUSD: 0, latencyMS: 0)]
        #expect(throws: RoutingError.invalidInput(field: "outcomes[0].propensity", reason: "0.0 is outside (0, 1]")) {
            try evaluator.evaluate(outcomes: bad, target: TunedRoutingState(classes: [:]))
        }
        let unscored = [LoggedOutcome(classKey: "k/t/d", route: "a", propensity: 1, quality: nil, costUSD: 0, latencyMS: 0)]
        #expect(throws: RoutingError.insufficientData(reason: "no logged outcome has a quality score")) {
            try evaluator.evaluate(outcomes: unscored, target: TunedRoutingState(classes: [:]))
        }
    }
}
