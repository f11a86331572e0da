import Classifier
import Policy

/// The prompts the load generator sends, grouped by the class key the policy's classifier gives them.
///
/// Per scenario class, only the prompts landing in its domain under the most common class key are
/// kept, so every class of traffic is one tuner cell per route and its truth is known.
public struct PromptPool: Sendable, Equatable {
    /// Per domain, the class key its prompts get (`domain/task/difficulty`).
    public var classKeys: [String: String]
    /// Per domain, the prompts kept.
    public var prompts: [String: [String]]

    /// Classifies every prompt of the scenario with the classifier the gateway trains from `policy`.
    /// - Throws: ``SimulationError/classifierUnavailable(reason:)``, or ``SimulationError/noPromptInClass(domain:classKeys:)``
    ///   when none of a class's prompts lands in its domain.
    public init(scenario: SimulationScenario, policy: PolicyDocument) throws(SimulationError) {
        let seeds = { (classes: [ClassDefinition]) in classes.map { ClassSeed(name: $0.name, keywords: $0.keywords, examples: $0.examples) } }
        let classifier: RequestClassifier
        do {
            classifier = try ClassifierLoader.load(modelPath: policy.classes.modelPath, domainSeeds: seeds(policy.classes.domains),
                                                   taskSeeds: seeds(policy.classes.tasks), unknownBelow: policy.classes.unknownBelow).classifier
        } catch {
            throw .classifierUnavailable(reason: "\(error)")
        }
        var classKeys: [String: String] = [:]
        var prompts: [String: [String]] = [:]
        for simulated in scenario.classes {
            var byKey: [String: [String]] = [:]
            for prompt in simulated.prompts {
                let verdict = classifier.classify(prompt)
                byKey["\(verdict.domain)/\(verdict.task)/\(verdict.difficulty)", default: []].append(prompt)
            }
            let own = byKey.filter { $0.key.hasPrefix(simulated.domain + "/") }
            guard let best = own.max(by: { $0.value.count < $1.value.count || ($0.value.count == $1.value.count && $0.key > $1.key) }) else {
                throw .noPromptInClass(domain: simulated.domain, classKeys: byKey.keys.sorted())
            }
            classKeys[simulated.domain] = best.key
            prompts[simulated.domain] = best.value
        }
        self.classKeys = classKeys
        self.prompts = prompts
    }
}
