/// Knobs of an offline replay.
public struct ReplaySettings: Sendable, Equatable {
    /// Curve points beyond the first: strong-call shares 0, 1/N, ..., 1.
    public var points: Int
    /// The strong model; by default the one of highest mean training quality.
    public var strongModel: String?
    /// The weak model; by default the cheapest other one.
    public var weakModel: String?
    /// Feature buckets are `1 << bucketBits`.
    public var bucketBits: Int
    /// Ridge penalty of the quality model.
    public var lambda: Double

    /// Creates settings.
    public init(points: Int = 10, strongModel: String? = nil, weakModel: String? = nil, bucketBits: Int = 16, lambda: Double = 3) {
        self.points = points; self.strongModel = strongModel; self.weakModel = weakModel
        self.bucketBits = bucketBits; self.lambda = lambda
    }
}

/// Trains a per-prompt router on one set of outcomes and evaluates it on another, beside baselines.
///
/// The router predicts every model's quality (``PromptQualityModel``) and ranks test prompts by the
/// predicted gain of the strong model over the weak one; the point at share s sends the top s of
/// prompts to the strong model (a threshold on the predicted gain). Shares run over 0, 1/N, ..., 1.
public enum ReplayEvaluation {
    /// The full report.
    /// - Throws: ``RoutingError/insufficientData(reason:)`` for empty sets, fewer than two models or unknown model names.
    public static func run(train: [PromptOutcome], test: [PromptOutcome], settings: ReplaySettings = ReplaySettings()) throws(RoutingError) -> ReplayReport {
        guard !test.isEmpty else { throw .insufficientData(reason: "the test set is empty") }
        let model = try PromptQualityModel(training: train, bucketBits: settings.bucketBits, lambda: settings.lambda)
        guard model.models.count >= 2 else { throw .insufficientData(reason: "routing needs at least two models, found \(model.models)") }
        for outcome in test where Set(outcome.models.keys) != Set(model.models) {
            throw .insufficientData(reason: "test prompt '\(outcome.id)' has models \(outcome.models.keys.sorted()), training has \(model.models)")
        }
        let (strong, weak) = try pair(train: train, models: model.models, settings: settings)
        let gains = test.map { outcome -> Double in
            let predicted = model.predict(prompt: outcome.prompt, benchmark: outcome.benchmark, category: outcome.category)
            return predicted[strong]! - predicted[weak]!
        }
        let categoryChoice = CategoryChoice(train: train, models: model.models)
        var groups = Dictionary(grouping: test.indices, by: { test[$0].benchmark }).sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
        if groups.count > 1 { groups.append(("all", Array(test.indices))) }
        let benchmarks = groups.map { name, indices in
            evaluate(name: name, outcomes: indices.map { test[$0] }, gains: indices.map { gains[$0] }, strong: strong, weak: weak,
                     models: model.models, categoryChoice: categoryChoice, points: max(settings.points, 1))
        }
        return ReplayReport(trainPrompts: train.count, testPrompts: test.count, strongModel: strong, weakModel: weak, benchmarks: benchmarks)
    }

    /// The strong/weak pair: given names, or the best model by training quality and the cheapest other one.
    static func pair(train: [PromptOutcome], models: [String], settings: ReplaySettings) throws(RoutingError) -> (strong: String, weak: String) {
        for name in [settings.strongModel, settings.weakModel].compactMap({ $0 }) where !models.contains(name) {
            throw .insufficientData(reason: "model '\(name)' is not in the data (models: \(models.joined(separator: ", ")))")
        }
        let mean = { (name: String, field: (ModelOutcome) -> Double) in train.reduce(0) { $0 + field($1.models[name]!) } / Double(train.count) }
        let strong = settings.strongModel ?? models.max { mean($0, \.quality) < mean($1, \.quality) }!
        let others = models.filter { $0 != strong }
        let weak = settings.weakModel ?? others.min { (mean($0, \.costUSD), -mean($0, \.quality)) < (mean($1, \.costUSD), -mean($1, \.quality)) }!
        guard strong != weak else { throw .insufficientData(reason: "strong and weak model are both '\(strong)'") }
        return (strong, weak)
    }

    static func evaluate(name: String, outcomes: [PromptOutcome], gains: [Double], strong: String, weak: String, models: [String],
                         categoryChoice: CategoryChoice, points: Int) -> BenchmarkReport {
        let n = Double(outcomes.count)
        func point(_ label: String, _ choose: (Int) -> String) -> RoutedPoint {
            var quality = 0.0, cost = 0.0, strongCount = 0.0
            for (index, outcome) in outcomes.enumerated() {
                let chosen = choose(index)
                quality += outcome.models[chosen]!.quality; cost += outcome.models[chosen]!.costUSD
                if chosen == strong { strongCount += 1 }
            }
            return RoutedPoint(label: label, meanQuality: quality / n, meanCostUSD: cost / n, strongShare: strongCount / n)
        }
        let singles = models.map { model in point(model) { _ in model } }
        let strongPoint = singles.first { $0.label == strong }!, weakPoint = singles.first { $0.label == weak }!
        let gap = strongPoint.meanQuality - weakPoint.meanQuality
        let pgr = { (quality: Double) in gap == 0 ? 0 : (quality - weakPoint.meanQuality) / gap }

        func sweep(_ scores: [Double]) -> [CurvePoint] {
            let order = scores.indices.sorted { scores[$0] > scores[$1] || (scores[$0] == scores[$1] && $0 < $1) }
            return (0...points).map { k in
                let strongCount = Int((Double(k) / Double(points) * n).rounded())
                var toStrong = [Bool](repeating: false, count: outcomes.count)
                for index in order.prefix(strongCount) { toStrong[index] = true }
                let routed = point("") { toStrong[$0] ? strong : weak }
                return CurvePoint(strongShare: routed.strongShare, meanQuality: routed.meanQuality, meanCostUSD: routed.meanCostUSD,
                                  pgr: pgr(routed.meanQuality))
            }
        }
        let randomPoints = (0...points).map { k -> CurvePoint in
            let share = Double(k) / Double(points)
            let quality = weakPoint.meanQuality + share * gap
            return CurvePoint(strongShare: share, meanQuality: quality,
                              meanCostUSD: weakPoint.meanCostUSD + share * (strongPoint.meanCostUSD - weakPoint.meanCostUSD), pgr: pgr(quality))
        }
        let trueGains = outcomes.map { $0.models[strong]!.quality - $0.models[weak]!.quality }
        let summary = { (points: [CurvePoint]) in
            CurveSummary(points: points, weakQuality: weakPoint.meanQuality, strongQuality: strongPoint.meanQuality)
        }
        return BenchmarkReport(
            name: name, prompts: outcomes.count, singleModels: singles,
            router: summary(sweep(gains)), random: summary(randomPoints), oracle: summary(sweep(trueGains)),
            bestPerCategory: point("best model per category") { categoryChoice.model(for: outcomes[$0]) },
            oracleBest: point("oracle") { index in
                let results = outcomes[index].models
                return models.max { a, b in
                    (results[a]!.quality, -results[a]!.costUSD) < (results[b]!.quality, -results[b]!.costUSD)
                }!
            })
    }
}

/// The baseline that always sends a category to the model of best mean training quality there (ties to the cheaper).
struct CategoryChoice: Sendable {
    private var byCategory: [String: String]
    private var byBenchmark: [String: String]
    private var overall: String

    init(train: [PromptOutcome], models: [String]) {
        func best(_ group: [PromptOutcome]) -> String {
            models.max { a, b in
                let qa = group.reduce(0) { $0 + $1.models[a]!.quality }, qb = group.reduce(0) { $0 + $1.models[b]!.quality }
                let ca = group.reduce(0) { $0 + $1.models[a]!.costUSD }, cb = group.reduce(0) { $0 + $1.models[b]!.costUSD }
                return (qa, -ca) < (qb, -cb)
            }!
        }
        byCategory = Dictionary(grouping: train, by: \.category).mapValues(best)
        byBenchmark = Dictionary(grouping: train, by: \.benchmark).mapValues(best)
        overall = best(train)
    }

    func model(for outcome: PromptOutcome) -> String {
        byCategory[outcome.category] ?? byBenchmark[outcome.benchmark] ?? overall
    }
}
