import Policy
import Routing
import SwitchyardTypes
import Testing

@Suite struct CascadeAndFallbackTests {
    static let thresholds = CascadeAcceptance(minMeanLogprob: -0.8, minTokenLogprob: -6, maxMeanEntropy: 1.5)

    struct VerdictCase: Sendable, CustomStringConvertible {
        var description: String
        var route: String
        var confidence: ConfidenceRecord?
        var escalatesTo: String?
    }

    static let verdictCases: [VerdictCase] = [
        VerdictCase(description: "confident answer is accepted", route: "smol-direct",
                    confidence: ConfidenceRecord(meanLogprob: -0.3, minLogprob: -4, meanEntropy: 0.9), escalatesTo: nil),
        VerdictCase(description: "low mean logprob escalates", route: "smol-direct",
                    confidence: ConfidenceRecord(meanLogprob: -1.2, minLogprob: -4, meanEntropy: 0.9), escalatesTo: "mini-steps"),
        VerdictCase(description: "one very unlikely token escalates", route: "smol-direct",
                    confidence: ConfidenceRecord(meanLogprob: -0.3, minLogprob: -9, meanEntropy: 0.9), escalatesTo: "mini-steps"),
        VerdictCase(description: "high entropy escalates from the second step", route: "mini-steps",
                    confidence: ConfidenceRecord(meanLogprob: -0.3, minLogprob: -4, meanEntropy: 2.5), escalatesTo: "big-blade"),
        VerdictCase(description: "last step is always accepted", route: "big-blade",
                    confidence: ConfidenceRecord(meanLogprob: -5, minLogprob: -20, meanEntropy: 5), escalatesTo: nil),
        VerdictCase(description: "no confidence signals is accepted", route: "smol-direct", confidence: nil, escalatesTo: nil),
    ]

    @Test(arguments: verdictCases)
    func cascadeAcceptsOrEscalates(_ testCase: VerdictCase) throws {
        let rule = RuleSpec(name: "c", candidates: ["smol-direct", "mini-steps", "big-blade"], strategy: .cascade(Self.thresholds))
        var random = SeededGenerator(seed: 3)
        let decision = try RoutePlanner(policy: PolicyFixture.policy(rules: [rule])).plan(for: PolicyFixture.request(), using: &random)
        switch decision.cascadeVerdict(after: testCase.route, confidence: testCase.confidence) {
        case .accept:
            #expect(testCase.escalatesTo == nil)
        case .escalate(let reason, let next):
            #expect(next.route == testCase.escalatesTo)
            #expect(!reason.isEmpty)
        }
    }

    struct FailureCase: Sendable, CustomStringConvertible {
        var description: String
        var failed: String
        var failure: RouteFailure
        var next: String?
    }

    // Plan: smol-direct, mini-steps, big-blade (candidates), then big-direct (fallback).
    static let failureCases: [FailureCase] = [
        FailureCase(description: "timeout moves to the next candidate", failed: "smol-direct", failure: .timeout, next: "mini-steps"),
        FailureCase(description: "5xx moves on", failed: "mini-steps", failure: .upstreamError(status: 502), next: "big-blade"),
        FailureCase(description: "unavailable model skips its other routes", failed: "big-blade", failure: .modelUnavailable, next: nil),
        FailureCase(description: "a failing route on an available model keeps the same model", failed: "big-blade", failure: .timeout, next: "big-direct"),
        FailureCase(description: "invalid request is never retried", failed: "smol-direct", failure: .invalidRequest(status: 400), next: nil),
        FailureCase(description: "nothing after the last route", failed: "big-direct", failure: .timeout, next: nil),
        FailureCase(description: "unknown route has no successor", failed: "nope", failure: .timeout, next: nil),
    ]

    @Test(arguments: failureCases)
    func nextRouteAfterFailure(_ testCase: FailureCase) throws {
        let rule = RuleSpec(name: "f", candidates: ["smol-direct", "mini-steps", "big-blade"], fallbacks: ["big-direct"])
        var random = SeededGenerator(seed: 3)
        let decision = try RoutePlanner(policy: PolicyFixture.policy(rules: [rule])).plan(for: PolicyFixture.request(), using: &random)
        #expect(decision.nextRoute(after: testCase.failed, failure: testCase.failure)?.route == testCase.next)
    }

    @Test func fallbackStartsThePlanWhenEveryCandidateIsDown() throws {
        let rule = RuleSpec(name: "f", candidates: ["smol-direct"], fallbacks: ["mini-steps"])
        var random = SeededGenerator(seed: 3)
        let request = PolicyFixture.request(live: ["smol-direct": RouteLiveStats(isAvailable: false)])
        let decision = try RoutePlanner(policy: PolicyFixture.policy(rules: [rule])).plan(for: request, using: &random)
        #expect(decision.plan.map(\.route) == ["mini-steps"])
        #expect(decision.first.role == .primary)
        #expect(decision.reasons.contains { $0.contains("fallback mini-steps") })
    }
}
