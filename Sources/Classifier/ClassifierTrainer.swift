import Foundation

/// A prompt with the labels it should get (either may be missing, e.g. for domain-only seeds).
public struct TrainingExample: Sendable, Equatable {
    /// The prompt text (system and user turns joined).
    public var text: String
    /// The domain label, if known.
    public var domain: String?
    /// The task label, if known.
    public var task: String?
    /// How much the example counts relative to others.
    public var weight: Float

    /// Creates an example.
    public init(text: String, domain: String?, task: String?, weight: Float = 1) {
        self.text = text; self.domain = domain; self.task = task; self.weight = weight
    }
}

/// A class with the keywords and example prompts that seed the classifier (from the policy's `classes`).
public struct ClassSeed: Sendable, Equatable {
    /// The class name.
    public var name: String
    /// Words and short phrases typical of the class.
    public var keywords: [String]
    /// Whole example prompts.
    public var examples: [String]

    /// Creates a seed.
    public init(name: String, keywords: [String], examples: [String]) {
        self.name = name; self.keywords = keywords; self.examples = examples
    }
}

/// Problems that stop training.
public enum ClassifierTrainingError: Error, Equatable, CustomStringConvertible {
    /// No domain label at all.
    case noDomains
    /// More than 32 domain and task labels together (the row width the classifier supports).
    case tooManyLabels(count: Int)

    /// What went wrong.
    public var description: String {
        switch self {
        case .noDomains: return "no domain labels: give the policy's classes or labelled data"
        case .tooManyLabels(let count): return "\(count) domain and task labels; at most 32 are supported"
        }
    }
}

/// Trains the two linear heads (domain, task) by multinomial logistic regression with SGD over
/// hashed features, from class seeds (each keyword and example is a short labelled document) and
/// labelled prompts. Deterministic for a given input and `shuffleSeed`.
public struct ClassifierTrainer: Sendable {
    /// Buckets are `1 << bucketBits`.
    public var bucketBits = 15
    /// Character n-grams used (see ``FeatureExtractor/gramSizes``).
    public var gramSizes = 0b010
    /// Passes over the data.
    public var epochs = 20
    /// Initial SGD step, divided by (1 + epoch · decay).
    public var learningRate: Float = 2
    /// Step decay per epoch.
    public var decay: Float = 0.3
    /// Weight decay applied to all weights after each epoch.
    public var l2: Float = 1e-4
    /// Weight of every seed-derived example relative to labelled prompts.
    public var seedWeight: Float = 1
    /// Random keyword bags made per class (see ``examples(domainSeeds:taskSeeds:)``).
    public var bagsPerClass = 200
    /// Seed of the example shuffle.
    public var shuffleSeed: UInt64 = 0x5EED
    /// Threshold stored with the model.
    public var unknownBelow: Double = 0.35

    /// Creates a trainer with the default settings.
    public init() {}

    /// Turns class seeds into training examples: every keyword, every example, and `bagsPerClass`
    /// bags of 3 to 8 keywords drawn at random, so a keyword also counts inside prompt-length text.
    public func examples(domainSeeds: [ClassSeed], taskSeeds: [ClassSeed]) -> [TrainingExample] {
        var examples: [TrainingExample] = []
        var random = SplitMix64(seed: shuffleSeed ^ 0xBA65)
        for (seeds, isDomain) in [(domainSeeds, true), (taskSeeds, false)] {
            for seed in seeds {
                var texts = seed.keywords + seed.examples
                texts += Self.bags(of: seed.keywords, count: seed.keywords.count < 3 ? 0 : bagsPerClass, random: &random)
                for text in texts {
                    examples.append(TrainingExample(text: text, domain: isDomain ? seed.name : nil, task: isDomain ? nil : seed.name, weight: seedWeight))
                }
            }
        }
        return examples
    }

    /// `count` texts of 3 to 8 words drawn from `words` (with repeats across texts, none within one).
    static func bags(of words: [String], count: Int, random: inout SplitMix64) -> [String] {
        guard words.count >= 3 else { return [] }
        return (0..<count).map { _ in
            var pool = words
            let size = min(pool.count, 3 + Int(random.next() % 6))
            for i in 0..<size { pool.swapAt(i, i + Int(random.next() % UInt64(pool.count - i))) }
            return pool[0..<size].joined(separator: " ")
        }
    }

    /// Trains a model.
    /// - Parameters:
    ///   - domainSeeds: Domains in the order the model should list them, with their seeds.
    ///   - taskSeeds: Tasks likewise.
    ///   - examples: Labelled prompts; labels not among the seeds are added after them.
    /// - Throws: ``ClassifierTrainingError``.
    public func train(domainSeeds: [ClassSeed], taskSeeds: [ClassSeed], examples labelled: [TrainingExample]) throws(ClassifierTrainingError) -> LinearClassifierModel {
        let all = examples(domainSeeds: domainSeeds, taskSeeds: taskSeeds) + labelled
        var domains = domainSeeds.map(\.name)
        var tasks = taskSeeds.map(\.name)
        for example in labelled {
            if let domain = example.domain, !domains.contains(domain) { domains.append(domain) }
            if let task = example.task, !tasks.contains(task) { tasks.append(task) }
        }
        guard !domains.isEmpty else { throw .noDomains }
        guard domains.count + tasks.count <= 32 else { throw .tooManyLabels(count: domains.count + tasks.count) }

        let extractor = FeatureExtractor(bucketBits: bucketBits, gramSizes: gramSizes)
        let width = max(1, (domains.count + tasks.count + 15) / 16) * 16
        let domainIndex = Dictionary(uniqueKeysWithValues: domains.enumerated().map { ($1, $0) })
        let taskIndex = Dictionary(uniqueKeysWithValues: tasks.enumerated().map { ($1, domains.count + $0) })
        struct Prepared { let buckets: [Int]; let domain: Int?; let task: Int?; let weight: Float }
        let prepared = all.map { example in
            Prepared(buckets: extractor.buckets(of: example.text), domain: example.domain.flatMap { domainIndex[$0] },
                     task: example.task.flatMap { taskIndex[$0] }, weight: example.weight)
        }.filter { !$0.buckets.isEmpty }

        var weights = [Float](repeating: 0, count: (1 << bucketBits) * width)
        var biases = [Float](repeating: 0, count: width)
        var order = Array(prepared.indices)
        var random = SplitMix64(seed: shuffleSeed)
        var logits = [Float](repeating: 0, count: width)
        var gradient = [Float](repeating: 0, count: width)
        let heads = [0..<domains.count, domains.count..<(domains.count + tasks.count)]
        for epoch in 0..<epochs {
            for i in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(i, Int(random.next() % UInt64(i + 1))) }
            let rate = learningRate / (1 + Float(epoch) * decay)
            for index in order {
                let example = prepared[index]
                let scale = 1 / Float(example.buckets.count).squareRoot()
                for c in 0..<width { logits[c] = biases[c]; gradient[c] = 0 }
                for bucket in example.buckets {
                    let row = bucket * width
                    for c in 0..<width { logits[c] += weights[row + c] * scale }
                }
                for (head, label) in zip(heads, [example.domain, example.task]) {
                    guard let label, !head.isEmpty else { continue }
                    let top = head.map { logits[$0] }.max()!
                    let sum = head.reduce(Float(0)) { $0 + expf(logits[$1] - top) }
                    for c in head { gradient[c] = (expf(logits[c] - top) / sum - (c == label ? 1 : 0)) * example.weight }
                }
                for c in 0..<width { biases[c] -= rate * 0.1 * gradient[c] }
                for bucket in example.buckets {
                    let row = bucket * width
                    for c in 0..<width where gradient[c] != 0 { weights[row + c] -= rate * gradient[c] * scale }
                }
            }
            let shrink = 1 - l2 * rate
            for i in weights.indices { weights[i] *= shrink }
        }
        return LinearClassifierModel(domains: domains, tasks: tasks, extractor: extractor, unknownBelow: unknownBelow,
                                     floatWeights: weights, biases: biases)
    }
}

/// A small deterministic generator for shuffling (SplitMix64).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
