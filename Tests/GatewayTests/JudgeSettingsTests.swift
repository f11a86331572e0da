import Foundation
import GatewayServer
import Policy
import Testing

/// Judge settings from the policy's `judge` section, `serve` flags overriding it field by field.
@Suite struct JudgeSettingsTests {
    static func policy(judge: JudgePolicy?) -> PolicyDocument {
        PolicyDocument(models: [], classes: ClassCatalog(domains: [], tasks: []), routes: [], rules: [], judge: judge)
    }

    static let section = JudgePolicy(route: "mini-direct", sampleRate: 0.2, rubric: "Be strict.")

    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var judge: JudgePolicy?
        var model: String?
        var rate: Double?
        var rubric: String?
        /// Expected (model, rate, rubric, followsPolicy), or nil for no judge.
        var expected: (String, Double, String, Bool)?
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "no section, no flags", judge: nil, expected: nil),
        Case(name: "section only", judge: section, expected: ("mini-direct", 0.2, "Be strict.", true)),
        Case(name: "section without rubric", judge: JudgePolicy(route: "big"), expected: ("big", 0.05, JudgeSettings.defaultRubric, true)),
        Case(name: "flag model only", judge: nil, model: "big", expected: ("big", 0.05, JudgeSettings.defaultRubric, false)),
        Case(name: "flag rate over section", judge: section, rate: 0.5, expected: ("mini-direct", 0.5, "Be strict.", false)),
        Case(name: "flag model over section", judge: section, model: "big", expected: ("big", 0.2, "Be strict.", false)),
        Case(name: "rate flag without any judge", judge: nil, rate: 0.5, expected: nil),
    ]

    @Test(arguments: cases)
    func resolvesThePolicySectionAndTheFlags(_ c: Case) {
        let settings = JudgeSettings.resolve(policy: Self.policy(judge: c.judge), model: c.model, sampleRate: c.rate, rubric: c.rubric)
        guard let expected = c.expected else {
            #expect(settings == nil)
            return
        }
        #expect(settings?.model == expected.0)
        #expect(settings?.sampleRate == expected.1)
        #expect(settings?.rubric == expected.2)
        #expect(settings?.followsPolicy == expected.3)
    }

    @Test func settingsFromThePolicyFollowAReload() throws {
        let settings = try #require(JudgeSettings(policy: Self.policy(judge: Self.section)))
        let reloaded = settings.current(policy: Self.policy(judge: JudgePolicy(route: "big", sampleRate: 0.01)))
        #expect(reloaded.model == "big")
        #expect(reloaded.sampleRate == 0.01)
        #expect(reloaded.rubric == JudgeSettings.defaultRubric)
        #expect(settings.current(policy: Self.policy(judge: nil)).sampleRate == 0)
    }

    @Test func settingsFromFlagsIgnoreTheReloadedPolicy() {
        let settings = JudgeSettings(model: "flagged", sampleRate: 0.3)
        #expect(settings.current(policy: Self.policy(judge: Self.section)) == settings)
    }

    @Test func withNeitherFlagsNorSectionTheJudgeWaitsForAPolicyThatHasOne() {
        let settings = JudgeSettings.followingPolicy()
        #expect(settings.current(policy: Self.policy(judge: nil)).sampleRate == 0)
        let reloaded = settings.current(policy: Self.policy(judge: JudgePolicy(route: "big", sampleRate: 0.2)))
        #expect(reloaded.model == "big")
        #expect(reloaded.sampleRate == 0.2)
    }
}
