import Foundation
import Testing
@testable import Classifier

/// The shipped model (`policies/classifier.swcm`) on the held-out third of the dev prompts it never saw.
@Suite struct ShippedModelTests {
    static func heldOut() throws -> [LabelledPrompt] {
        let (_, data) = try ClassifierTestFiles.data("../shared/data/prompts-dev.jsonl")
        return try LabelledPrompt.parseJSONLines(data).filter { HeldOutSplit.isHeldOut(id: $0.id) }
    }

    static func shippedClassifier() throws -> RequestClassifier {
        let (url, data) = try ClassifierTestFiles.data("policies/classifier.swcm")
        return RequestClassifier(model: try LinearClassifierModel(serialized: data, file: url.path))
    }

    @Test func shippedModelReachesNinetyPercentDomainAccuracyOnHeldOutPrompts() throws {
        let prompts = try Self.heldOut()
        let classifier = try Self.shippedClassifier()
        try #require(prompts.count >= 100, "held-out split too small: \(prompts.count)")
        let right = prompts.filter { classifier.classify($0.prompt).domain == $0.domain }.count
        let accuracy = Double(right) / Double(prompts.count)
        #expect(accuracy >= 0.90, "held-out domain accuracy \(right)/\(prompts.count)")
    }

    @Test func heldOutSplitCoversEveryDomainWithAboutAThird() throws {
        let (_, data) = try ClassifierTestFiles.data("../shared/data/prompts-dev.jsonl")
        let all = try LabelledPrompt.parseJSONLines(data)
        let heldOut = all.filter { HeldOutSplit.isHeldOut(id: $0.id) }
        #expect((0.25...0.42).contains(Double(heldOut.count) / Double(all.count)))
        for domain in ["math", "code", "medical", "legal", "finance", "general"] {
            #expect(heldOut.filter { $0.domain == domain }.count >= 12, "too few held-out \(domain) prompts")
        }
    }

    @Test func shippedModelIsSmallAndCarriesTheDefaultDomains() throws {
        let (_, data) = try ClassifierTestFiles.data("policies/classifier.swcm")
        #expect(data.count <= 2_000_000)
        let model = try LinearClassifierModel(serialized: data)
        #expect(Set(model.domains).isSuperset(of: ["math", "code", "medical", "legal", "finance", "general"]))
    }
}
