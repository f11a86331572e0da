import Policy
import Routing
import Testing

@Suite struct TuningRunTests {
    @Test func tunesEveryLoggedClassWithARuleAndEstimatesTheChange() throws {
        let rule = RuleSpec(name: "all", match: RuleMatch(domains: ["general"]), candidates: ["smol-direct", "mini-steps"],
                            strategy: .bandit(BanditSettings(exploration: 0.2)))
        let fixed = RuleSpec(name: "code-fixed", candidates: ["smol-direct"])
        var policy = PolicyFixture.policy(rules: [rule, fixed])
        policy.objective = Objective(costWeight: 1, latencyWeight: 0)
        // Logged 50/50: mini answers well, smol poorly, both cheap.
        var outcomes: [LoggedOutcome] = []
        for i in 0..<200 {
            let mini = i % 2 == 0
            outcomes.append(LoggedOutcome(classKey: "general/chat/easy", route: mini ? "mini-steps" : "smol-direct", propensity: 0.5,
                                          quality: mini ? 0.9 : (i % 4 == 1 ? 0.6 : 0.2), costUSD: mini ? 0.003 : 0.0002, latencyMS: 800))
        }
        outcomes.append(LoggedOutcome(classKey: "code/chat/easy", route: "smol-direct", propensity: 1, quality: nil, costUSD: 0, latencyMS: 100))
        let result = try TuningRun.run(outcomes: outcomes, policy: policy, explorationFloor: 0.1)
        #expect(result.classes.map(\.classKey) == ["general/chat/easy"])
        #expect(result.skipped == ["code/chat/easy": "rule 'code-fixed' is fixed; only bandit rules read tuned weights"])
        #expect(result.classes[0].best == "mini-steps")
        #expect(result.state.classes["general/chat/easy"] == ["mini-steps": 0.9, "smol-direct": 0.1])
        // Deployed with the rule's exploration 0.2: 0.8·0.9 + 0.1 = 0.82 for mini, 0.18 for smol.
        #expect(abs(result.classes[0].deployed["mini-steps"]! - 0.82) < 1e-12)
        // Logged value ≈ (0.9 − 0.003 + 0.4 − 0.0002) / 2; the deployed mix is worth ≈ 0.82·0.897 + 0.18·0.3998.
        #expect(abs(result.offPolicy.loggedValue - 0.6484) < 1e-3)
        #expect(abs(result.offPolicy.snips - 0.8075) < 1e-3)
        #expect(result.offPolicy.changeDoublyRobust > 0.15)
    }

    @Test func readsArraysAndJSONLinesAndNamesTheBadLine() throws {
        let line = #"{"class_key": "a/b/c", "route": "r", "propensity": 0.5, "quality": 1, "cost_usd": 0.01, "latency_ms": 300}"#
        let fromLines = try TuningRun.parseOutcomes(line + "\n\n" + line, source: "x.jsonl")
        #expect(fromLines.count == 2)
        #expect(fromLines[0] == LoggedOutcome(classKey: "a/b/c", route: "r", propensity: 0.5, quality: 1, costUSD: 0.01, latencyMS: 300))
        #expect(try TuningRun.parseOutcomes("[" + line + "]", source: "x.json") == [fromLines[0]])
        #expect(throws: RoutingError.invalidOutcomeLine(file: "x.jsonl", line: 3,
                                                        reason: "not a logged outcome (class_key, route, propensity, quality, cost_usd, latency_ms)")) {
            try TuningRun.parseOutcomes(line + "\n" + line + "\n{}", source: "x.jsonl")
        }
    }
}
