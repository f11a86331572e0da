import Foundation

/// One prompt of an outcomes file and how every model did on it.
///
/// A line of the file: `{"id", "prompt", "category", "routellm_contaminated", "models": {NAME: {"quality", "cost_usd"}}}`;
/// other keys are ignored. `cost_usd` may be null, then a price per prompt must be given for the model.
public struct PromptOutcome: Sendable, Equatable {
    /// The prompt's id (the line number when the file has none).
    public var id: String
    /// The prompt text (features are taken from it).
    public var prompt: String
    /// The category, e.g. `mmlu-anatomy`; the benchmark is the part before the first `-`.
    public var category: String
    /// Whether the source flags the prompt as contaminated (RouteLLM drops those).
    public var contaminated: Bool
    /// Per model name, its answer's quality in [0, 1] and cost in USD.
    public var models: [String: ModelOutcome]

    /// Creates an outcome.
    public init(id: String, prompt: String, category: String, contaminated: Bool = false, models: [String: ModelOutcome]) {
        self.id = id; self.prompt = prompt; self.category = category; self.contaminated = contaminated; self.models = models
    }

    /// The benchmark the category belongs to: the part before the first `-`.
    public var benchmark: String { category.split(separator: "-", maxSplits: 1).first.map(String.init) ?? category }
}

/// One model's result on one prompt.
public struct ModelOutcome: Sendable, Equatable {
    /// Quality in [0, 1].
    public var quality: Double
    /// Cost of answering the prompt, in USD.
    public var costUSD: Double

    /// Creates a result.
    public init(quality: Double, costUSD: Double) { self.quality = quality; self.costUSD = costUSD }
}

/// Reads outcomes files (JSON Lines).
public enum OutcomeFile {
    /// Parses JSON Lines text; blank lines are skipped.
    /// - Parameters:
    ///   - text: the file's contents.
    ///   - source: the file's name, for error messages.
    ///   - prices: USD per prompt for models whose `cost_usd` is null.
    /// - Throws: ``RoutingError/invalidOutcomeLine(file:line:reason:)`` for a malformed line or a quality
    ///   outside [0, 1], ``RoutingError/missingPrice(file:line:model:)`` for a model without a cost.
    public static func parse(_ text: String, source: String, prices: [String: Double] = [:]) throws(RoutingError) -> [PromptOutcome] {
        let decoder = JSONDecoder()
        var outcomes: [PromptOutcome] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            if line.allSatisfy(\.isWhitespace) { continue }
            let row: Line
            do {
                row = try decoder.decode(Line.self, from: Data(line.utf8))
            } catch {
                throw .invalidOutcomeLine(file: source, line: lineNumber, reason: "not an outcome object (\(Self.describe(error)))")
            }
            guard !row.models.isEmpty else { throw .invalidOutcomeLine(file: source, line: lineNumber, reason: "no models") }
            var models: [String: ModelOutcome] = [:]
            for (name, result) in row.models {
                guard (0...1).contains(result.quality) else {
                    throw .invalidOutcomeLine(file: source, line: lineNumber, reason: "model '\(name)': quality \(result.quality) is outside [0, 1]")
                }
                guard let cost = result.cost_usd ?? prices[name] else { throw .missingPrice(file: source, line: lineNumber, model: name) }
                models[name] = ModelOutcome(quality: result.quality, costUSD: cost)
            }
            outcomes.append(PromptOutcome(id: row.id ?? "line-\(lineNumber)", prompt: row.prompt, category: row.category ?? "all",
                                          contaminated: row.routellm_contaminated ?? false, models: models))
        }
        return outcomes
    }

    private static func describe(_ error: Error) -> String {
        switch error {
        case DecodingError.keyNotFound(let key, _): return "missing key '\(key.stringValue)'"
        case DecodingError.typeMismatch(_, let context), DecodingError.valueNotFound(_, let context):
            return "wrong type at '\(context.codingPath.map(\.stringValue).joined(separator: "."))'"
        default: return "invalid JSON"
        }
    }

    private struct Line: Decodable {
        var id: String?
        var prompt: String
        var category: String?
        var routellm_contaminated: Bool?
        var models: [String: Result]
    }

    private struct Result: Decodable {
        var quality: Double
        var cost_usd: Double?
    }
}

/// Deterministic train/test split of one outcomes file.
public enum OutcomeSplit {
    /// Splits by a hash of the seed and each prompt's id, so the split does not depend on file order
    /// and is the same on every machine.
    /// - Parameter trainFraction: share of prompts put in the training set, in (0, 1).
    public static func split(_ outcomes: [PromptOutcome], trainFraction: Double, seed: UInt64) -> (train: [PromptOutcome], test: [PromptOutcome]) {
        var train: [PromptOutcome] = []
        var test: [PromptOutcome] = []
        for outcome in outcomes {
            if unitHash("\(seed):\(outcome.id)") < trainFraction { train.append(outcome) } else { test.append(outcome) }
        }
        return (train, test)
    }

    /// FNV-1a 64 of the UTF-8 bytes, finalized and mapped to [0, 1).
    static func unitHash(_ text: String) -> Double {
        var hash: UInt64 = 0xCBF2_9CE4_8422_2325
        for byte in text.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01B3 }
        hash ^= hash >> 33; hash &*= 0xFF51_AFD7_ED55_8CCD; hash ^= hash >> 33
        return Double(hash >> 11) * 0x1.0p-53
    }
}
