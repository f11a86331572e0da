import Foundation

/// Domains and tasks a request can be classed into, with the words that seed the classifier (section `classes`).
public struct ClassCatalog: Sendable, Equatable {
    /// Domains in file order (e.g. math, code, medical, legal, finance, general).
    public var domains: [ClassDefinition]
    /// Tasks in file order (e.g. qa, reasoning, code, summarization).
    public var tasks: [ClassDefinition]
    /// Below this confidence the classifier answers `unknown` (`unknown_below`).
    public var unknownBelow: Double
    /// A trained classifier model file, resolved against the policy file's folder (`model`); nil to train from the seeds.
    public var modelPath: String?

    /// Creates a catalog.
    public init(domains: [ClassDefinition], tasks: [ClassDefinition], unknownBelow: Double = 0.35, modelPath: String? = nil) {
        self.domains = domains; self.tasks = tasks; self.unknownBelow = unknownBelow; self.modelPath = modelPath
    }

    /// The class name every request gets when the classifier is not confident.
    public static let unknown = "unknown"
    /// The difficulty levels the classifier reports.
    public static let difficulties = ["easy", "medium", "hard"]
}

/// One domain or task: its name, keywords and example prompts.
public struct ClassDefinition: Sendable, Equatable {
    /// The name rules match on.
    public var name: String
    /// Words and short phrases typical of the class.
    public var keywords: [String]
    /// Whole example prompts of the class.
    public var examples: [String]

    /// Creates a class definition.
    public init(name: String, keywords: [String] = [], examples: [String] = []) {
        self.name = name; self.keywords = keywords; self.examples = examples
    }
}
