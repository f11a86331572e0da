import Foundation
import Testing
@testable import Classifier

@Suite struct ClassifierBehaviourTests {
    static let domainSeeds = [
        ClassSeed(name: "math", keywords: ["equation", "solve", "sum", "how many", "fraction", "integral"], examples: ["Solve for x: 2x + 3 = 9.", "How many apples are left if Tom eats 3 of 10?"]),
        ClassSeed(name: "code", keywords: ["python", "function", "bug", "compile", "javascript", "return"], examples: ["Write a Python function that reverses a string.", "Why does my JavaScript loop never end?"]),
        ClassSeed(name: "medical", keywords: ["symptoms", "doctor", "treatment", "disease", "medication"], examples: ["What are the symptoms of flu?", "Is this medication safe during pregnancy?"]),
    ]
    static let taskSeeds = [
        ClassSeed(name: "qa", keywords: ["what", "is", "why"], examples: ["What is the capital of France?"]),
        ClassSeed(name: "code", keywords: ["write", "function", "implement"], examples: ["Implement quicksort."]),
    ]

    static func seededModel() throws -> LinearClassifierModel {
        try ClassifierTrainer().train(domainSeeds: domainSeeds, taskSeeds: taskSeeds, examples: [])
    }

    @Test(arguments: [
        ("Write a python function to merge two sorted lists", "code"),
        ("What is the best treatment for this disease? My doctor is unsure.", "medical"),
        ("Solve the equation and give the sum of both roots", "math"),
    ])
    func seedsAloneClassifyObviousPrompts(prompt: String, domain: String) throws {
        let verdict = RequestClassifier(model: try Self.seededModel(), unknownBelow: 0).classify(prompt)
        #expect(verdict.domain == domain)
        #expect((0...1).contains(verdict.confidence))
    }

    /// A small two-domain policy trained from its seeds alone (as the gateway tests' policy is) still separates its domains.
    @Test func twoDomainSeedsSeparateTheirDomains() throws {
        let model = try ClassifierTrainer().train(domainSeeds: [
            ClassSeed(name: "medical", keywords: ["medical", "symptoms", "diabetes", "medication", "dose", "patient", "doctor", "disease", "treatment"],
                      examples: ["What are the symptoms of diabetes?", "Which medication dose should the patient take?"]),
            ClassSeed(name: "general", keywords: ["poem", "story", "write", "friend", "autumn", "travel", "email", "recipe"],
                      examples: ["Write a short poem about autumn leaves.", "Write an email to a friend about my travel."]),
        ], taskSeeds: [
            ClassSeed(name: "qa", keywords: ["what", "which", "who", "symptoms", "question"], examples: ["What are the symptoms of flu?"]),
            ClassSeed(name: "generation", keywords: ["write", "poem", "story", "email"], examples: ["Write a short poem."]),
        ], examples: [])
        let classifier = RequestClassifier(model: model, unknownBelow: 0.2)
        let medical = classifier.classify("What are the symptoms of diabetes and which medication dose should the patient take?")
        #expect(medical.domain == "medical" && medical.task == "qa")
        let general = classifier.classify("Write a short poem about autumn leaves for my friend.")
        #expect(general.domain == "general" && general.task == "generation")
    }

    @Test func answersUnknownBelowTheThreshold() throws {
        let model = try Self.seededModel()
        let prompt = "Tell me something."
        let confident = RequestClassifier(model: model, unknownBelow: 0).classify(prompt)
        #expect(confident.domain != RequestClass.unknown)
        let strict = RequestClassifier(model: model, unknownBelow: min(1, confident.confidence + 0.01)).classify(prompt)
        #expect(strict.domain == RequestClass.unknown)
        #expect(strict.confidence == confident.confidence)
    }

    @Test func systemTextCountsTowardsTheClass() throws {
        let classifier = RequestClassifier(model: try Self.seededModel(), unknownBelow: 0)
        let bare = classifier.classify(system: nil, user: "Can you help me with this?")
        let withSystem = classifier.classify(system: "You are a doctor answering questions about symptoms, disease and treatment.", user: "Can you help me with this?")
        #expect(withSystem.domain == "medical")
        #expect(withSystem != bare)
    }

    @Test func modelFileRoundTripsExactly() throws {
        let model = try Self.seededModel()
        let reread = try LinearClassifierModel(serialized: model.serialized())
        #expect(reread == model)
        let prompt = "Why does my python function return None?"
        #expect(RequestClassifier(model: reread).classify(prompt) == RequestClassifier(model: model).classify(prompt))
    }

    @Test(arguments: [Data(), Data("SWCM".utf8), Data("not a model at all".utf8)])
    func rejectsBrokenModelBytesNamingTheFile(bytes: Data) {
        #expect(throws: ClassifierModelError.self) { try LinearClassifierModel(serialized: bytes, file: "broken.swcm") }
        do { _ = try LinearClassifierModel(serialized: bytes, file: "broken.swcm") } catch { #expect(error.description.hasPrefix("broken.swcm:")) }
    }

    @Test func trainingIsDeterministic() throws {
        #expect(try Self.seededModel() == Self.seededModel())
    }

    @Test func labelledDataAddsLabelsAfterTheSeeds() throws {
        let model = try ClassifierTrainer().train(domainSeeds: Self.domainSeeds, taskSeeds: Self.taskSeeds, examples: [
            TrainingExample(text: "Is a verbal contract binding in court?", domain: "legal", task: "qa"),
        ])
        #expect(model.domains == ["math", "code", "medical", "legal"])
        #expect(model.tasks == ["qa", "code"])
    }

    @Test func featuresIgnoreCaseAndDigitValues() {
        let extractor = FeatureExtractor(bucketBits: 15)
        #expect(extractor.buckets(of: "Pay $25 in JUNE") == extractor.buckets(of: "pay $40 in june"))
        #expect(extractor.buckets(of: "pay $25 in june") != extractor.buckets(of: "pay $25 in july"))
        #expect(extractor.buckets(of: "").isEmpty)
        #expect(extractor.buckets(of: "naïve café").allSatisfy { (0..<(1 << 15)).contains($0) })
    }

    @Test(arguments: [
        (DifficultyEstimator.Signals(bytes: 50, numbers: 0, hardWords: 0), "general", "easy"),
        (DifficultyEstimator.Signals(bytes: 50, numbers: 2, hardWords: 0), "math", "easy"),
        (DifficultyEstimator.Signals(bytes: 450, numbers: 6, hardWords: 0), "math", "medium"),
        (DifficultyEstimator.Signals(bytes: 1_600, numbers: 0, hardWords: 1), "general", "medium"),
        (DifficultyEstimator.Signals(bytes: 1_600, numbers: 0, hardWords: 2), "code", "hard"),
        (DifficultyEstimator.Signals(bytes: 100, numbers: 9, hardWords: 2), "math", "hard"),
    ])
    func difficultyFollowsThePointTable(signals: DifficultyEstimator.Signals, domain: String, level: String) {
        #expect(DifficultyEstimator.level(signals, domain: domain) == level)
    }

    @Test func classifierDifficultyMatchesTheStandaloneEstimator() throws {
        let classifier = RequestClassifier(model: try Self.seededModel(), unknownBelow: 0)
        for prompt in ["hi", "Prove the theorem rigorously: for 1, 2, 3, 4, 5 and 6 the sum is 21.", String(repeating: "Derive the algorithm. ", count: 80)] {
            let verdict = classifier.classify(prompt)
            #expect(verdict.difficulty == DifficultyEstimator.level(of: prompt, domain: verdict.domain))
        }
        #expect(classifier.classify(String(repeating: "Derive the optimal algorithm and its complexity. ", count: 40)).difficulty == "hard")
    }

    @Test func jsonLinesErrorsNameTheLine() {
        let data = Data("{\"prompt\": \"ok\", \"domain\": \"math\"}\n\nnot json\n".utf8)
        #expect(throws: LabelledPromptError(line: 3, reason: "not a JSON object")) { try LabelledPrompt.parseJSONLines(data) }
        let missing = Data("{\"text\": \"no prompt\"}\n".utf8)
        #expect(throws: LabelledPromptError(line: 1, reason: "no string field `prompt`")) { try LabelledPrompt.parseJSONLines(missing) }
    }

    @Test func loaderFallsBackToSeedsWhenTheModelFileDoesNotMatchThePolicy() throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("classifier-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let path = folder.appendingPathComponent("model.swcm").path
        try Self.seededModel().serialized().write(to: URL(fileURLWithPath: path))
        let matching = try ClassifierLoader.load(modelPath: path, domainSeeds: Self.domainSeeds, taskSeeds: Self.taskSeeds, unknownBelow: 0.3)
        #expect(matching.source == "model file \(path)")
        let extra = Self.domainSeeds + [ClassSeed(name: "legal", keywords: ["court"], examples: [])]
        let fallback = try ClassifierLoader.load(modelPath: path, domainSeeds: extra, taskSeeds: Self.taskSeeds, unknownBelow: 0.3)
        #expect(fallback.source.hasPrefix("trained from the policy's seeds"))
        #expect(fallback.classifier.model.domains.contains("legal"))
        let missing = try ClassifierLoader.load(modelPath: folder.appendingPathComponent("none.swcm").path, domainSeeds: Self.domainSeeds, taskSeeds: [], unknownBelow: 0.3)
        #expect(missing.source.contains("none.swcm"))
    }
}
