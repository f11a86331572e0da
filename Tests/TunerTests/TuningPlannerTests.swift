import Foundation
import Policy
import Routing
import Testing
@testable import Tuner

@Suite struct TuningPlannerTests {
    let window = TuningWindow(start: Date(timeIntervalSince1970: 0), end: Date(timeIntervalSince1970: 86_400))

    func plan(_ outcomes: [LoggedOutcome], policy: PolicyDocument = TunerFixture.policy(), floor: Double = 0.05) throws -> TuningResult {
        try TuningPlanner(settings: TunerSettings(explorationFloor: floor))
            .plan(inputs: TunerInputs(window: window, outcomes: outcomes, cells: []), policy: policy)
    }

    @Test func givesTheBetterRouteAllButTheExplorationFloorAndExpectsAGain() throws {
        let result = try plan(TunerFixture.outcomes())
        let tuning = try #require(result.classes.first)
        #expect(result.classes.count == 1)
        #expect(tuning.classKey == TunerFixture.generalClass)
        #expect(tuning.best == "mini-direct")
        #expect(result.state.classes[TunerFixture.generalClass] == ["mini-direct": 0.95, "smol-direct": 0.05])
        // The planner mixes in the rule's exploration 0.1: p = 0.9·w + 0.05.
        let deployed = Dictionary(uniqueKeysWithValues: tuning.candidates.map { ($0.route, $0.deployedProbability) })
        #expect(abs(deployed["mini-direct"]! - (0.9 * 0.95 + 0.05)) < 1e-12)
        #expect(abs(deployed["smol-direct"]! - (0.9 * 0.05 + 0.05)) < 1e-12)
        // Logged 50/50; the new state favours the better route, so every estimator sees a gain.
        #expect(result.offPolicy.samples == 120)
        #expect(result.offPolicy.changeIPS > 0.1)
        #expect(result.offPolicy.changeSNIPS > 0.1)
        #expect(result.offPolicy.changeDoublyRobust > 0.1)
        #expect(result.writtenVersion == nil)
    }

    @Test func expectsALossWhenTheLogsAlreadyFavourWhatTheStateWouldAvoid() throws {
        // The local route is better here; a state forced towards the hosted one must be valued below the log.
        let outcomes = TunerFixture.outcomes(smolQuality: 0.9, miniQuality: 0.3)
        let result = try plan(outcomes)
        #expect(result.classes.first?.best == "smol-direct")
        let forced = TunedRoutingState(classes: [TunerFixture.generalClass: ["mini-direct": 0.95, "smol-direct": 0.05]])
        let estimate = try OffPolicyEvaluator(utility: UtilityWeights(costWeight: 10, latencyWeight: 0.01)).evaluate(outcomes: outcomes, target: forced)
        #expect(estimate.changeIPS < 0)
        #expect(result.offPolicy.changeIPS > 0)
    }

    @Test func dropsACandidateThatBreaksTheCostLimit() throws {
        let policy = TunerFixture.policy(banditConstraints: RuleConstraints(maxCostUSD: 0.0005))
        let result = try plan(TunerFixture.outcomes(), policy: policy)
        let weights = try #require(result.state.classes[TunerFixture.generalClass])
        #expect(result.classes.first?.best == "smol-direct")
        #expect(weights["mini-direct"] == 0)
        #expect(weights["smol-direct"] == 1)
    }

    @Test func leavesClassesUnderRulesThatDoNotReadTunedWeightsAlone() throws {
        let outcomes = TunerFixture.outcomes() + TunerFixture.outcomes(classKey: TunerFixture.codeClass, perRoute: 10)
            + TunerFixture.outcomes(classKey: "legal/chat/easy", perRoute: 5)
        let result = try plan(outcomes)
        #expect(result.state.classes.keys.sorted() == [TunerFixture.generalClass])
        let reasons = Dictionary(uniqueKeysWithValues: result.skipped.map { ($0.classKey, $0.reason) })
        #expect(reasons[TunerFixture.codeClass]?.contains("is fixed; only bandit rules") == true)
        #expect(reasons["legal/chat/easy"]?.contains("no rule") == true)
    }

    @Test func refusesToTuneWithoutAnyQualityScore() throws {
        let outcomes = TunerFixture.outcomes().map { outcome -> LoggedOutcome in
            var copy = outcome
            copy.quality = nil
            return copy
        }
        #expect(throws: TunerError.noScoredRequests(windowStart: window.start, windowEnd: window.end, requests: outcomes.count)) {
            try plan(outcomes)
        }
    }

    @Test func reportsAnOutOfRangeLoggedValueAsInvalidInputs() throws {
        var outcomes = TunerFixture.outcomes(perRoute: 3)
        outcomes[1].quality = 1.5
        #expect(throws: TunerError.self) { try plan(outcomes) }
    }

    @Test func reportTextShowsTheChangeAndEveryCandidate() throws {
        let result = try plan(TunerFixture.outcomes())
        let text = TuningReport(result).text
        #expect(text.contains("doubly robust"))
        #expect(text.contains(String(format: "change %+.4f", result.offPolicy.changeDoublyRobust)))
        #expect(text.contains("class general/chat/easy"))
        #expect(text.contains("mini-direct"))
        #expect(text.contains("smol-direct"))
        #expect(text.contains("dry run: nothing written"))
    }
}
