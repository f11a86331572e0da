import Foundation

/// Builds the classifier a policy asks for: its trained model file when present and labelled with
/// the policy's domains, otherwise a model trained on the spot from the policy's keywords and examples.
///
/// Runs once at start-up or policy reload (it reads a file and may train for a fraction of a second),
/// never per request.
public enum ClassifierLoader {
    /// The classifier and how it was obtained.
    public struct Loaded: Sendable {
        /// The classifier to use.
        public var classifier: RequestClassifier
        /// `model file <path>` or `trained from the policy's seeds (<reason>)`.
        public var source: String
    }

    /// Loads `modelPath` when it exists and covers exactly the seeds' domains; otherwise trains from the seeds.
    /// - Throws: ``ClassifierTrainingError`` when there is nothing to train from.
    public static func load(modelPath: String?, domainSeeds: [ClassSeed], taskSeeds: [ClassSeed], unknownBelow: Double) throws(ClassifierTrainingError) -> Loaded {
        var reason = "no model file configured"
        if let modelPath {
            do {
                let model = try LinearClassifierModel(contentsOfFile: modelPath)
                if domainSeeds.isEmpty || Set(model.domains) == Set(domainSeeds.map(\.name)) {
                    return Loaded(classifier: RequestClassifier(model: model, unknownBelow: unknownBelow), source: "model file \(modelPath)")
                }
                reason = "\(modelPath) has domains \(model.domains.sorted()) but the policy declares \(domainSeeds.map(\.name).sorted())"
            } catch {
                reason = error.description
            }
        }
        var trainer = ClassifierTrainer()
        trainer.unknownBelow = unknownBelow
        let model = try trainer.train(domainSeeds: domainSeeds, taskSeeds: taskSeeds, examples: [])
        return Loaded(classifier: RequestClassifier(model: model, unknownBelow: unknownBelow), source: "trained from the policy's seeds (\(reason))")
    }
}
