import Foundation
import Testing
@testable import Policy

/// The policy's `judge` section: parsed into ``JudgePolicy``, every mistake named by file, line and field.
@Suite struct JudgeSectionTests {
    static func policy(judge: String) -> String {
        """
        version: 1
        models:
          mini:
            kind: openai
            base_url: http://127.0.0.1:9/v1
            api_key_env: OPENAI_API_KEY
            model: gpt-4o-mini
            price_per_million_input: 0.15
            price_per_million_output: 0.6
            context: 128000
        routes:
          mini-direct: { model: mini }
        rules:
          - name: everything
            candidates: [mini-direct]
        \(judge)
        """
    }

    /// Line of the first line of the `judge` text in ``policy(judge:)``.
    static let judgeLine = 16

    static func load(_ judge: String) throws(PolicyValidationFailure) -> PolicyDocument {
        try PolicyLoader.load(yaml: policy(judge: judge), file: "judge.yaml", baseDirectory: "/tmp")
    }

    @Test(arguments: [
        ("judge:\n  route: mini-direct", JudgePolicy(route: "mini-direct", sampleRate: 0.05, rubric: nil)),
        ("judge:\n  route: mini\n  sample_rate: 0.2", JudgePolicy(route: "mini", sampleRate: 0.2, rubric: nil)),
        ("judge:\n  route: mini-direct\n  sample_rate: 1\n  rubric: Score 1 only for exact answers.",
         JudgePolicy(route: "mini-direct", sampleRate: 1, rubric: "Score 1 only for exact answers.")),
        ("judge: { route: mini-direct, sample_rate: 0 }", JudgePolicy(route: "mini-direct", sampleRate: 0, rubric: nil)),
    ])
    func readsTheJudgeSection(_ text: String, _ expected: JudgePolicy) throws {
        #expect(try Self.load(text).judge == expected)
    }

    @Test func aPolicyWithoutAJudgeSectionGradesNothing() throws {
        #expect(try Self.load("").judge == nil)
    }

    @Test(arguments: [
        ("judge:\n  route: nowhere", 1, "judge.route", "no route or model named `nowhere`"),
        ("judge:\n  route: mini-direct\n  sample_rate: 1.5", 2, "judge.sample_rate", "1.5"),
        ("judge:\n  route: mini-direct\n  sample_rate: often", 2, "judge.sample_rate", ""),
        ("judge:\n  sample_rate: 0.1", 0, "judge.route", ""),
        ("judge:\n  route: mini-direct\n  rubrik: be strict", 2, "judge.rubrik", "rubric"),
        ("judge:\n  route: mini-direct\n  rubric: \"\"", 2, "judge.rubric", ""),
    ])
    func rejectsABadJudgeSectionNamingTheLineAndField(_ text: String, _ lineOffset: Int, _ field: String, _ message: String) throws {
        do {
            let accepted = try Self.load(text)
            Issue.record("accepted: \(String(describing: accepted.judge))")
        } catch {
            let problem = try #require(error.errors.first { $0.path == field }, "no error on \(field): \(error)")
            #expect(problem.file == "judge.yaml")
            #expect(problem.line == Self.judgeLine + lineOffset, "\(problem)")
            if !message.isEmpty { #expect(problem.description.contains(message), "\(problem)") }
        }
    }
}
