import Routing
import Testing

@Suite struct OutcomeFileTests {
    static let goodLine = #"{"id": "q1", "prompt": "2+2?", "category": "gsm8k", "models": {"a": {"quality": 1, "cost_usd": 0.5}, "b": {"quality": 0.25, "cost_usd": null}}}"#

    @Test func parsesLinesAndFillsNullCostsFromPrices() throws {
        let text = Self.goodLine + "\n\n" + #"{"prompt": "hi", "category": "mt_bench-writing", "routellm_contaminated": true, "models": {"a": {"quality": 0.5, "cost_usd": 1}, "b": {"quality": 0.5, "cost_usd": 2}}}"#
        let outcomes = try OutcomeFile.parse(text, source: "f.jsonl", prices: ["b": 0.01, "a": 99])
        #expect(outcomes.count == 2)
        #expect(outcomes[0].models["a"] == ModelOutcome(quality: 1, costUSD: 0.5))
        #expect(outcomes[0].models["b"] == ModelOutcome(quality: 0.25, costUSD: 0.01))
        #expect(outcomes[0].benchmark == "gsm8k")
        #expect(outcomes[1].id == "line-3")
        #expect(outcomes[1].benchmark == "mt_bench")
        #expect(outcomes[1].contaminated)
    }

    struct BadCase: Sendable, CustomStringConvertible {
        var description: String
        var line: String
        var error: RoutingError
    }

    static let badCases: [BadCase] = [
        BadCase(description: "null cost without a price", line: goodLine, error: .missingPrice(file: "f.jsonl", line: 2, model: "b")),
        BadCase(description: "not JSON", line: "{nope", error: .invalidOutcomeLine(file: "f.jsonl", line: 2, reason: "not an outcome object (invalid JSON)")),
        BadCase(description: "no prompt", line: #"{"models": {"a": {"quality": 1, "cost_usd": 1}}}"#,
                error: .invalidOutcomeLine(file: "f.jsonl", line: 2, reason: "not an outcome object (missing key 'prompt')")),
        BadCase(description: "quality out of range", line: #"{"prompt": "p", "models": {"a": {"quality": 7, "cost_usd": 1}}}"#,
                error: .invalidOutcomeLine(file: "f.jsonl", line: 2, reason: "model 'a': quality 7.0 is outside [0, 1]")),
        BadCase(description: "no models", line: #"{"prompt": "p", "models": {}}"#, error: .invalidOutcomeLine(file: "f.jsonl", line: 2, reason: "no models")),
    ]

    @Test(arguments: badCases)
    func rejectsBadLinesNamingFileAndLine(_ testCase: BadCase) {
        let first = #"{"prompt": "ok", "models": {"a": {"quality": 1, "cost_usd": 1}}}"#
        #expect(throws: testCase.error) { try OutcomeFile.parse(first + "\n" + testCase.line, source: "f.jsonl") }
    }

    @Test func splitIsDeterministicDisjointAndNearTheFraction() {
        let outcomes = (0..<2000).map { PromptOutcome(id: "p\($0)", prompt: "", category: "c", models: ["a": ModelOutcome(quality: 1, costUSD: 0)]) }
        let (train, test) = OutcomeSplit.split(outcomes, trainFraction: 0.3, seed: 7)
        #expect(train.count + test.count == 2000)
        #expect(Set(train.map(\.id)).isDisjoint(with: test.map(\.id)))
        #expect(abs(Double(train.count) / 2000 - 0.3) < 0.04)
        let again = OutcomeSplit.split(outcomes.reversed(), trainFraction: 0.3, seed: 7)
        #expect(Set(again.train.map(\.id)) == Set(train.map(\.id)))
        let other = OutcomeSplit.split(outcomes, trainFraction: 0.3, seed: 8)
        #expect(Set(other.train.map(\.id)) != Set(train.map(\.id)))
    }
}
