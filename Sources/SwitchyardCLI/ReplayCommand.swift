import ArgumentParser
import Foundation
import Routing

/// `switchyard replay`: trains a per-prompt router on outcomes files and reports its cost–quality curve beside baselines.
struct ReplayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Evaluate a per-prompt router offline on files of per-model outcomes.",
        discussion: """
            Outcomes are JSON Lines: {"prompt", "category", "models": {NAME: {"quality", "cost_usd"}}}.
            Give --train and --test files, or one --data file with --split and --seed.
            Prints the router's curve with PGR/APGR, CPT(50%)/CPT(80%) and AIQ per benchmark
            (the category's prefix before '-'), beside each single model, random routing,
            the best model per category and the oracle.
            """)

    @Option(help: "Outcomes to train the router on.") var train: String?
    @Option(help: "Outcomes to evaluate it on.") var test: String?
    @Option(help: "One outcomes file to split into train and test.") var data: String?
    @Option(help: "Share of --data used for training.") var split: Double = 0.5
    @Option(help: "Seed of the --data split.") var seed: UInt64 = 0
    @Option(name: .customLong("price"), help: "USD per prompt for a model whose cost_usd is null, as MODEL=USD (repeatable).")
    var prices: [String] = []
    @Option(help: "The strong model (default: best mean training quality).") var strong: String?
    @Option(help: "The weak model (default: the cheapest other one).") var weak: String?
    @Option(help: "Curve points beyond the first (strong-call shares 0, 1/N, ..., 1).") var points: Int = 10
    @Flag(help: "Keep prompts flagged routellm_contaminated (dropped by default, as RouteLLM does).") var keepContaminated = false
    @Flag(help: "Print the report as JSON.") var json = false

    func validate() throws {
        if data == nil && (train == nil || test == nil) { throw ValidationError("give --train and --test, or --data with --split") }
        if data != nil && (train != nil || test != nil) { throw ValidationError("--data cannot be combined with --train or --test") }
        if !(split > 0 && split < 1) { throw ValidationError("--split must be between 0 and 1, exclusive") }
        if points < 1 { throw ValidationError("--points must be at least 1") }
        _ = try priceTable()
    }

    func run() async throws {
        let priceTable = try priceTable()
        let (trainSet, testSet): ([PromptOutcome], [PromptOutcome])
        if let data {
            (trainSet, testSet) = OutcomeSplit.split(try load(data, priceTable), trainFraction: split, seed: seed)
        } else {
            (trainSet, testSet) = (try load(train!, priceTable), try load(test!, priceTable))
        }
        let settings = ReplaySettings(points: points, strongModel: strong, weakModel: weak)
        let report = try ReplayEvaluation.run(train: trainSet, test: testSet, settings: settings)
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try encoder.encode(report), as: UTF8.self))
        } else {
            print(ReplayTextReport.render(report))
        }
    }

    private func load(_ path: String, _ prices: [String: Double]) throws -> [PromptOutcome] {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ValidationError("cannot read \(path): \(error.localizedDescription)")
        }
        let outcomes = try OutcomeFile.parse(text, source: path, prices: prices)
        return keepContaminated ? outcomes : outcomes.filter { !$0.contaminated }
    }

    private func priceTable() throws -> [String: Double] {
        var table: [String: Double] = [:]
        for entry in prices {
            guard let equals = entry.lastIndex(of: "="), let value = Double(entry[entry.index(after: equals)...]), value >= 0 else {
                throw ValidationError("--price '\(entry)' is not MODEL=USD_PER_PROMPT")
            }
            table[String(entry[..<equals])] = value
        }
        return table
    }
}

/// The human-readable replay report.
enum ReplayTextReport {
    static func render(_ report: ReplayReport) -> String {
        var lines = ["Replay: trained on \(report.trainPrompts) prompts, tested on \(report.testPrompts)",
                     "strong: \(report.strongModel)   weak: \(report.weakModel)"]
        for benchmark in report.benchmarks {
            lines.append("")
            lines.append("== \(benchmark.name) (\(benchmark.prompts) prompts)")
            lines.append("  router curve:   strong%   quality    cost/prompt     PGR")
            for point in benchmark.router.points {
                lines.append("                 " + pad(percent(point.strongShare), 7) + "   " + pad(fixed(point.meanQuality, 4), 7)
                             + "   " + pad(usd(point.meanCostUSD), 12) + "   " + pad(fixed(point.pgr, 3), 6))
            }
            lines.append("  " + pad("method", 26) + pad("APGR", 8) + pad("CPT(50%)", 10) + pad("CPT(80%)", 10) + "AIQ")
            for (label, curve) in [("router", benchmark.router), ("random", benchmark.random), ("oracle sweep", benchmark.oracle)] {
                lines.append("  " + pad(label, 26) + pad(optional(curve.apgr, 3), 8) + pad(optionalPercent(curve.cpt50), 10)
                             + pad(optionalPercent(curve.cpt80), 10) + optional(curve.aiq, 4))
            }
            lines.append("  " + pad("fixed routing", 40) + pad("quality", 9) + pad("cost/prompt", 14) + "strong%")
            for point in benchmark.singleModels + [benchmark.bestPerCategory, benchmark.oracleBest] {
                lines.append("  " + pad(point.label, 40) + pad(fixed(point.meanQuality, 4), 9) + pad(usd(point.meanCostUSD), 14)
                             + percent(point.strongShare))
            }
        }
        return lines.joined(separator: "\n")
    }

    private static func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
    private static func fixed(_ value: Double, _ digits: Int) -> String { String(format: "%.\(digits)f", value) }
    private static func usd(_ value: Double) -> String { String(format: "$%.6f", value) }
    private static func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
    private static func optional(_ value: Double?, _ digits: Int) -> String { value.map { fixed($0, digits) } ?? "-" }
    private static func optionalPercent(_ value: Double?) -> String { value.map(percent) ?? "never" }
}
