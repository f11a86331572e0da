import Foundation
import Testing
@testable import Policy

@Suite struct DefaultPolicyTests {
    @Test func embeddedDefaultIsByteForByteThePolicyFile() throws {
        let file = try TestFiles.text(try TestFiles.policies("default.yaml"))
        #expect(DefaultPolicy.yaml == file)
    }

    @Test func defaultPolicyLoadsWithLocalModelAndHostedModelsKeyedByEnvironment() throws {
        let url = try TestFiles.policies("default.yaml")
        let policy = try PolicyLoader.load(path: url.path)
        let local = try #require(policy.models.first { $0.kind == .local })
        guard case .local(let settings) = local.provider else { Issue.record("not local"); return }
        #expect(settings.resolvedPath.hasSuffix("/.models/SmolLM2-135M-Instruct.Q4_1.gguf"))
        #expect(!settings.resolvedPath.contains("/policies/"))
        #expect(settings.kvCache == .f16)
        let hostedKinds = Set(policy.models.filter { !$0.isLocal }.map(\.kind))
        #expect(hostedKinds == [.openai, .anthropic])
        let domains = Set(policy.classes.domains.map(\.name))
        #expect(domains.isSuperset(of: ["math", "code", "medical", "legal", "finance", "general"]))
        #expect(policy.hash.count == 64)
        #expect(policy.rules.last?.match.isCatchAll == true)
    }

    @Test func aLocalModelMayAskForTheEightBitKVCache() throws {
        let yaml = DefaultPolicy.yaml.replacingOccurrences(of: "    slots: 4\n", with: "    slots: 4\n    kv_cache: q8\n")
        #expect(yaml != DefaultPolicy.yaml)
        let policy = try PolicyLoader.load(yaml: yaml, file: "default.yaml", baseDirectory: "policies")
        let local = try #require(policy.models.first { $0.kind == .local })
        guard case .local(let settings) = local.provider else { Issue.record("not local"); return }
        #expect(settings.kvCache == .q8)
    }

    @Test func hostedRoutesAreSkippedWhileTheirKeyIsUnset() throws {
        let policy = try PolicyLoader.load(yaml: DefaultPolicy.yaml, file: "default.yaml", baseDirectory: "policies")
        let none = RouteAvailability(policy: policy, environment: [:])
        #expect(none.available == ["local-direct", "local-steps"])
        #expect(none.skipped["openai-mini"] == "OPENAI_API_KEY")
        let openai = RouteAvailability(policy: policy, environment: ["OPENAI_API_KEY": "sk-test", "ANTHROPIC_API_KEY": ""])
        let rule = try #require(policy.rule(domain: "general", task: "chat", difficulty: "easy"))
        #expect(openai.candidates(of: rule) == ["local-direct", "openai-mini"])
    }
}
