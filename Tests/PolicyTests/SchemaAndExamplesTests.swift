import Foundation
import Testing
@testable import Policy

/// `policies/schema.json` lists exactly the keys the parser accepts, and every shipped policy is valid.
@Suite struct SchemaAndExamplesTests {
    static func schema() throws -> [String: Any] {
        let data = try Data(contentsOf: try TestFiles.policies("schema.json"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Follows `$ref` into `$defs`.
    static func resolve(_ node: [String: Any], root: [String: Any]) -> [String: Any] {
        guard let ref = node["$ref"] as? String, ref.hasPrefix("#/$defs/"),
              let defs = root["$defs"] as? [String: Any], let target = defs[String(ref.dropFirst(8))] as? [String: Any] else { return node }
        return target
    }

    /// Every object in the schema that lists `properties`, by the section path ``PolicyKeys`` uses.
    static func sections(_ node: [String: Any], path: String, root: [String: Any], into result: inout [String: (keys: Set<String>, closed: Bool)]) {
        let node = resolve(node, root: root)
        if let properties = node["properties"] as? [String: Any] {
            result[path] = (Set(properties.keys), (node["additionalProperties"] as? Bool) == false)
            for (key, child) in properties {
                guard let child = child as? [String: Any] else { continue }
                let childPath = path.isEmpty ? key : "\(path).\(key)"
                sections(child, path: childPath, root: root, into: &result)
                if let items = child["items"] as? [String: Any] { sections(items, path: childPath + "[]", root: root, into: &result) }
                if let entries = child["additionalProperties"] as? [String: Any] { sections(entries, path: childPath + ".*", root: root, into: &result) }
            }
        }
    }

    @Test func schemaListsExactlyTheKeysTheParserAccepts() throws {
        let root = try Self.schema()
        var found: [String: (keys: Set<String>, closed: Bool)] = [:]
        Self.sections(root, path: "", root: root, into: &found)
        #expect(Set(found.keys) == Set(PolicyKeys.bySection.keys), "sections differ")
        for (section, keys) in PolicyKeys.bySection {
            let schemaSection = try #require(found[section], "schema has no section `\(section)`")
            #expect(schemaSection.keys == keys, "section `\(section)`: only in schema \(schemaSection.keys.subtracting(keys).sorted()), only in parser \(keys.subtracting(schemaSection.keys).sorted())")
            #expect(schemaSection.closed, "section `\(section)` must set additionalProperties: false (unknown keys are errors)")
        }
    }

    @Test func schemaEnumsMatchTheParsersWords() throws {
        let root = try Self.schema()
        let model = try #require((root["$defs"] as? [String: Any])?["model"] as? [String: Any])
        let kinds = try #require(((model["properties"] as? [String: Any])?["kind"] as? [String: Any])?["enum"] as? [String])
        #expect(Set(kinds) == Set(ModelKind.allCases.map(\.rawValue)))
        let logging = try #require((((root["properties"] as? [String: Any])?["logging"] as? [String: Any])?["properties"] as? [String: Any])?["content"] as? [String: Any])
        #expect(Set(logging["enum"] as? [String] ?? []) == Set(LoggingPolicy.Content.allCases.map(\.rawValue)))
    }

    @Test(arguments: ["default.yaml", "examples/cost-first.yaml", "examples/quality-first.yaml", "examples/privacy-first.yaml"])
    func shippedPoliciesAreValid(_ name: String) throws {
        let url = try TestFiles.policies(name)
        let policy = try PolicyLoader.load(path: url.path)
        #expect(!policy.rules.isEmpty)
        #expect(policy.hash.count == 64)
        if let model = policy.classes.modelPath {
            #expect(FileManager.default.fileExists(atPath: model), "\(name): classes.model \(model) does not exist")
        }
    }

    @Test func privacyFirstKeepsMedicalAndLegalOnLocalModels() throws {
        let policy = try PolicyLoader.load(path: try TestFiles.policies("examples/privacy-first.yaml").path)
        for domain in ["medical", "legal", "unknown"] {
            for task in policy.classes.tasks.map(\.name) + ["qa", "unknown"] {
                for difficulty in ["easy", "medium", "hard"] {
                    let rule = try #require(policy.rule(domain: domain, task: task, difficulty: difficulty))
                    #expect(rule.constraints.localOnly)
                    for route in rule.candidates + rule.fallbacks {
                        let model = try #require(policy.route(named: route).flatMap { policy.model(named: $0.model) })
                        #expect(model.isLocal, "\(domain) may reach \(model.name)")
                    }
                }
            }
        }
        #expect(policy.rule(domain: "math", task: "qa", difficulty: "easy")?.constraints.localOnly == false)
    }
}
