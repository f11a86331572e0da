import Foundation
import Routing
import Testing

@Suite struct ReplayTests {
    /// Synthetic outcomes: the weak model fails exactly the prompts that mention "hard".
    static func synthetic(count: Int, offset: Int = 0) -> [PromptOutcome] {
        (0..<count).map { i in
            let hard = i % 3 == 0
            let topic = ["apples", "trains", "primes", "poems"][i % 4]
            return PromptOutcome(id: "s\(i + offset)", prompt: (hard ? "a hard question about " : "an easy question about ") + topic,
                                 category: i % 2 == 0 ? "bench-a" : "other",
                                 models: ["strong": ModelOutcome(quality: 1, costUSD: 0.01), "weak": ModelOutcome(quality: hard ? 0 : 1, costUSD: 0.001)])
        }
    }

    @Test func routerLearnsASeparableSignalAndBaselinesAreConsistent() throws {
        let report = try ReplayEvaluation.run(train: Self.synthetic(count: 300), test: Self.synthetic(count: 150, offset: 1000),
                                              settings: ReplaySettings(points: 6, bucketBits: 12, lambda: 1))
        #expect(report.strongModel == "strong" && report.weakModel == "weak")
        #expect(report.benchmarks.map(\.name) == ["bench", "other", "all"])
        let all = try #require(report.benchmark("all"))
        #expect(all.router.points.count == 7)
        #expect(all.router.points.first?.strongShare == 0 && all.router.points.last?.strongShare == 1)
        #expect(try #require(all.router.apgr) > 0.8)
        #expect(abs(try #require(all.random.apgr) - 0.5) < 1e-9)
        #expect(try #require(all.router.cpt80) < 0.5)
        #expect(all.oracleBest.meanQuality == 1)
        #expect(abs(all.oracleBest.strongShare - 1.0 / 3) < 0.01)
        #expect(all.singleModels.map(\.label) == ["strong", "weak"])
        let routerAIQ = try #require(all.router.aiq), randomAIQ = try #require(all.random.aiq)
        #expect(routerAIQ > randomAIQ)
    }

    @Test func rejectsUnknownModelNamesAndEmptySets() {
        let data = Self.synthetic(count: 30)
        #expect(throws: RoutingError.insufficientData(reason: "model 'gpt' is not in the data (models: strong, weak)")) {
            try ReplayEvaluation.run(train: data, test: data, settings: ReplaySettings(strongModel: "gpt", bucketBits: 10))
        }
        #expect(throws: RoutingError.insufficientData(reason: "the test set is empty")) {
            try ReplayEvaluation.run(train: data, test: [])
        }
    }

    /// The acceptance check: on RouteLLM's GPT-4 vs Mixtral outcomes, split 50/50 with seed 0,
    /// the router beats random routing (APGR > 0.5) on MMLU, GSM8K and MT-Bench.
    @Test func beatsRandomOnEachRouteLLMBenchmark() throws {
        let path = try SharedData.routingFile("routellm_gpt4_vs_mixtral.jsonl")
        let text = try String(contentsOf: path, encoding: .utf8)
        let outcomes = try OutcomeFile.parse(text, source: path.lastPathComponent,
                                             prices: ["gpt-4-1106-preview": 0.00741, "mistralai/Mixtral-8x7B-Instruct-v0.1": 0.000072])
            .filter { !$0.contaminated }
        #expect(outcomes.count == 15_416)
        let (train, test) = OutcomeSplit.split(outcomes, trainFraction: 0.5, seed: 0)
        let report = try ReplayEvaluation.run(train: train, test: test)
        #expect(report.strongModel == "gpt-4-1106-preview")
        for name in ["mmlu", "gsm8k", "mt_bench"] {
            let benchmark = try #require(report.benchmark(name), "benchmark \(name) missing from the report")
            let apgr = try #require(benchmark.router.apgr)
            #expect(apgr > 0.5, "APGR on \(name) is \(apgr)")
            let oracle = try #require(benchmark.oracle.apgr)
            #expect(apgr < oracle)
        }
    }
}

/// Finds files under `../shared/` next to the package root (the folder holding Package.swift).
enum SharedData {
    struct Missing: Error, CustomStringConvertible {
        var description: String
    }

    static func routingFile(_ name: String, filePath: String = #filePath) throws -> URL {
        var folder = URL(fileURLWithPath: filePath).deletingLastPathComponent()
        while folder.path != "/" {
            if FileManager.default.fileExists(atPath: folder.appendingPathComponent("Package.swift").path) {
                let file = folder.deletingLastPathComponent().appendingPathComponent("shared/data/routing/\(name)")
                guard FileManager.default.fileExists(atPath: file.path) else {
                    throw Missing(description: "reference data \(file.path) is missing (expected ../shared/data/routing/ beside the package root)")
                }
                return file
            }
            folder.deleteLastPathComponent()
        }
        throw Missing(description: "no Package.swift above \(filePath)")
    }
}
