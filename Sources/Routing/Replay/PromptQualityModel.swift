import Classifier

/// Predicts each model's quality on a prompt: a category prior plus a ridge regression on the
/// prompt's hashed text features (the Classifier's ``FeatureExtractor``).
///
/// Prior: the model's mean quality per category, shrunk toward its benchmark's mean, itself shrunk
/// toward the overall mean (empirical-Bayes strengths from ``Shrinkage``). Text: ridge regression of
/// the residual (quality − prior) on L2-normalized binary bucket features. Unknown categories and
/// benchmarks fall back to the next level up.
public struct PromptQualityModel: Sendable {
    /// The models it predicts, sorted by name.
    public let models: [String]
    private let extractor: FeatureExtractor
    private let priors: [String: CategoryPrior]
    private let weights: [String: [Double]]

    /// Trains on outcomes.
    /// - Parameters:
    ///   - bucketBits: feature buckets are `1 << bucketBits`.
    ///   - lambda: the ridge penalty.
    /// - Throws: ``RoutingError/insufficientData(reason:)`` for no outcomes or a model missing on some prompt.
    public init(training outcomes: [PromptOutcome], bucketBits: Int = 16, lambda: Double = 3) throws(RoutingError) {
        guard let first = outcomes.first else { throw .insufficientData(reason: "the training set is empty") }
        let models = first.models.keys.sorted()
        for outcome in outcomes where Set(outcome.models.keys) != Set(models) {
            throw .insufficientData(reason: "prompt '\(outcome.id)' has models \(outcome.models.keys.sorted()), expected \(models)")
        }
        let extractor = FeatureExtractor(bucketBits: bucketBits)
        let rows = outcomes.map { Self.features(of: $0.prompt, extractor: extractor) }
        var priors: [String: CategoryPrior] = [:]
        var weights: [String: [Double]] = [:]
        let ridge = SparseRidge(dimension: 1 << bucketBits, lambda: lambda)
        for model in models {
            let prior = CategoryPrior(outcomes.map { ($0.benchmark, $0.category, $0.models[model]!.quality) })
            let residuals = outcomes.map { $0.models[model]!.quality - prior.mean(benchmark: $0.benchmark, category: $0.category) }
            priors[model] = prior
            weights[model] = ridge.fit(rows, residuals)
        }
        self.models = models; self.extractor = extractor; self.priors = priors; self.weights = weights
    }

    /// Predicted quality of every model on a prompt of this category.
    public func predict(prompt: String, benchmark: String, category: String) -> [String: Double] {
        let row = Self.features(of: prompt, extractor: extractor)
        var result: [String: Double] = [:]
        for model in models {
            result[model] = priors[model]!.mean(benchmark: benchmark, category: category) + row.dot(weights[model]!)
        }
        return result
    }

    /// Distinct buckets of the prompt, each with value 1/√count (unit length).
    static func features(of prompt: String, extractor: FeatureExtractor) -> SparseRow {
        let buckets = Set(extractor.buckets(of: prompt)).sorted()
        let value = buckets.isEmpty ? 0 : 1 / Double(buckets.count).squareRoot()
        return SparseRow(indices: buckets.map { Int32($0) }, values: Array(repeating: value, count: buckets.count))
    }
}

/// Mean quality per category shrunk toward the benchmark mean, shrunk toward the overall mean.
struct CategoryPrior: Sendable {
    private var overall: Double
    private var benchmarks: [String: Double]
    private var categories: [String: Double]

    init(_ rows: [(benchmark: String, category: String, quality: Double)]) {
        let shrinkage = Shrinkage()
        overall = rows.isEmpty ? 0 : rows.reduce(0) { $0 + $1.quality } / Double(rows.count)
        let byBenchmark = Dictionary(grouping: rows, by: \.benchmark).mapValues { Shrinkage.Group(values: $0.map(\.quality)) }
        let benchmarkStrength = shrinkage.strength(of: Array(byBenchmark.values))
        let all = overall
        benchmarks = byBenchmark.mapValues { Shrinkage.shrink(mean: $0.mean, count: $0.count, toward: all, strength: benchmarkStrength) }
        let byCategory = Dictionary(grouping: rows, by: \.category)
        let categoryStrength = shrinkage.strength(of: byCategory.values.map { Shrinkage.Group(values: $0.map(\.quality)) })
        var categories: [String: Double] = [:]
        for (category, members) in byCategory {
            let group = Shrinkage.Group(values: members.map(\.quality))
            let parent = benchmarks[members[0].benchmark] ?? all
            categories[category] = Shrinkage.shrink(mean: group.mean, count: group.count, toward: parent, strength: categoryStrength)
        }
        self.categories = categories
    }

    func mean(benchmark: String, category: String) -> Double {
        categories[category] ?? benchmarks[benchmark] ?? overall
    }
}
