import Policy
import Routing
import Testing

@Suite struct PlannerTests {
    static let candidates = ["smol-direct", "mini-steps", "big-blade"]

    struct ConstraintCase: Sendable, CustomStringConvertible {
        var description: String
        var constraints: RuleConstraints
        var live: [String: RouteLiveStats]
        var expectedPlan: [String]
    }

    // Token estimate 1000 in + 1000 out: smol ≈ $0.002 (0.01 cpu-s/token), mini $0.003, big $0.04.
    static let constraintCases: [ConstraintCase] = [
        ConstraintCase(description: "no constraints keeps the rule's order", constraints: RuleConstraints(), live: [:],
                       expectedPlan: ["smol-direct", "mini-steps", "big-blade", "big-direct"]),
        ConstraintCase(description: "local_only drops hosted candidates and fallbacks", constraints: RuleConstraints(localOnly: true), live: [:],
                       expectedPlan: ["smol-direct"]),
        ConstraintCase(description: "max cost drops the expensive model", constraints: RuleConstraints(maxCostUSD: 0.01), live: [:],
                       expectedPlan: ["smol-direct", "mini-steps"]),
        ConstraintCase(description: "latency SLO drops a slow route", constraints: RuleConstraints(latencySLOMS: 2000),
                       live: ["smol-direct": RouteLiveStats(p95LatencyMS: 5000)], expectedPlan: ["mini-steps", "big-blade", "big-direct"]),
        ConstraintCase(description: "unavailable route is skipped", constraints: RuleConstraints(),
                       live: ["smol-direct": RouteLiveStats(isAvailable: false)], expectedPlan: ["mini-steps", "big-blade", "big-direct"]),
        ConstraintCase(description: "SLO relaxed when every route is slow, fastest first", constraints: RuleConstraints(latencySLOMS: 100, localOnly: false),
                       live: ["smol-direct": RouteLiveStats(p95LatencyMS: 900), "mini-steps": RouteLiveStats(p95LatencyMS: 300),
                              "big-blade": RouteLiveStats(p95LatencyMS: 600), "big-direct": RouteLiveStats(p95LatencyMS: 700)],
                       expectedPlan: ["mini-steps", "big-blade", "smol-direct", "big-direct"]),
    ]

    @Test(arguments: constraintCases)
    func fixedPlanRespectsConstraints(_ testCase: ConstraintCase) throws {
        let rule = RuleSpec(name: "r", candidates: Self.candidates, strategy: .fixed, constraints: testCase.constraints, fallbacks: ["big-direct"])
        let planner = RoutePlanner(policy: PolicyFixture.policy(rules: [rule]))
        var random = SeededGenerator(seed: 1)
        let decision = try planner.plan(for: PolicyFixture.request(live: testCase.live), using: &random)
        #expect(decision.plan.map(\.route) == testCase.expectedPlan)
        #expect(decision.propensity == 1)
        #expect(decision.first.role == .primary)
        #expect(decision.rule == "r")
    }

    @Test func everyRouteExcludedThrowsWithReasons() {
        let rule = RuleSpec(name: "tight", candidates: ["mini-steps", "big-blade"], constraints: RuleConstraints(localOnly: true))
        let planner = RoutePlanner(policy: PolicyFixture.policy(rules: [rule]))
        var random = SeededGenerator(seed: 1)
        #expect(throws: RoutingError.noEligibleRoute(rule: "tight", exclusions: [
            "mini-steps: local_only excludes hosted model mini", "big-blade: local_only excludes hosted model big"])) {
            try planner.plan(for: PolicyFixture.request(), using: &random)
        }
    }

    @Test func noMatchingRuleThrows() {
        let rule = RuleSpec(name: "code-only", match: RuleMatch(domains: ["code"]), candidates: ["smol-direct"])
        let planner = RoutePlanner(policy: PolicyFixture.policy(rules: [rule]))
        var random = SeededGenerator(seed: 1)
        #expect(throws: RoutingError.noMatchingRule(domain: "general", task: "chat", difficulty: "easy")) {
            try planner.plan(for: PolicyFixture.request(), using: &random)
        }
    }

    @Test func plannedRoutesCarryAugmentationsAndCosts() throws {
        let rule = RuleSpec(name: "r", candidates: ["big-blade", "mini-steps"])
        let decision = try plan(rule)
        #expect(decision.plan[0].augmentations == Augmentations(reasoning: .direct, bladeModel: "smol", bridge: true))
        #expect(decision.plan[1].augmentations.reasoning == .stepByStep)
        #expect(abs(decision.plan[0].estimatedCostUSD - 0.04) < 1e-12)
        #expect(abs(decision.plan[1].estimatedCostUSD - 0.003) < 1e-12)
        #expect(decision.plan[1].role == .alternative)
        #expect(decision.record(policyHash: "h").route == "big-blade")
        #expect(decision.record(policyHash: "h").strategy == "fixed")
    }

    @Test func cascadePlanEscalatesInRuleOrder() throws {
        let rule = RuleSpec(name: "c", candidates: ["smol-direct", "mini-steps"], strategy: .cascade(CascadeAcceptance(minMeanLogprob: -1)),
                            fallbacks: ["big-direct"])
        let decision = try plan(rule)
        #expect(decision.plan.map(\.role) == [.primary, .escalation, .fallback])
        #expect(decision.propensity == 1)
        #expect(decision.record(policyHash: "h").strategy == "cascade")
    }

    private func plan(_ rule: RuleSpec) throws -> Decision {
        var random = SeededGenerator(seed: 7)
        return try RoutePlanner(policy: PolicyFixture.policy(rules: [rule])).plan(for: PolicyFixture.request(), using: &random)
    }
}
