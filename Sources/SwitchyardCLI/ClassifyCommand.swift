import ArgumentParser
import Classifier
import Foundation
import Policy

/// `switchyard classify`: class each prompt of a JSONL file, train the classifier, evaluate it, time it.
struct ClassifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "classify",
        abstract: "Classify prompts (domain, task, difficulty) and train or evaluate the classifier.",
        subcommands: [Run.self, Train.self, Evaluate.self, Bench.self],
        defaultSubcommand: Run.self
    )

    /// Where the classifier comes from: a policy (default: the embedded one) and optionally an explicit model file.
    struct Source: ParsableArguments {
        @Option(name: .long, help: "Policy file whose classes seed the classifier (default: the embedded default policy).")
        var policy: String?
        @Option(name: .long, help: "Trained model file (default: the policy's classes.model).")
        var model: String?

        func loadPolicy() throws -> PolicyDocument {
            do {
                return try policy.map { path throws(PolicyValidationFailure) in try PolicyLoader.load(path: path) } ?? PolicyLoader.loadDefault()
            } catch {
                throw ValidationError("the policy is not valid:\n\(error)")
            }
        }

        func loadClassifier() throws -> (RequestClassifier, PolicyDocument, String) {
            let policy = try loadPolicy()
            let loaded = try ClassifierLoader.load(
                modelPath: model ?? policy.classes.modelPath, domainSeeds: policy.classes.domains.map(\.seed),
                taskSeeds: policy.classes.tasks.map(\.seed), unknownBelow: policy.classes.unknownBelow)
            return (loaded.classifier, policy, loaded.source)
        }
    }

    /// Reads JSON lines with a `prompt` field on stdin and prints one JSON line of classes per prompt.
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "run", abstract: "Classify JSON lines with a `prompt` field read from stdin.")
        @OptionGroup var source: Source

        func run() throws {
            let (classifier, _, _) = try source.loadClassifier()
            let prompts = try parseLabelled(FileHandle.standardInput.readDataToEndOfFile(), name: "stdin")
            for prompt in prompts {
                let verdict = classifier.classify(prompt.prompt)
                print(jsonLine(["id": prompt.id, "domain": verdict.domain, "task": verdict.task, "difficulty": verdict.difficulty,
                                "confidence": rounded(verdict.confidence), "task_confidence": rounded(verdict.taskConfidence)]))
            }
        }
    }

    /// Trains a model file from labelled JSONL plus the policy's seeds, leaving the held-out split out.
    struct Train: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "train", abstract: "Train a classifier model from labelled JSONL and the policy's seeds.")
        @Option(name: .long, help: "Labelled JSONL: `prompt`, `domain`, `task`, optional `id`.") var data: String
        @Option(name: .long, help: "Model file to write.") var out: String
        @Option(name: .long, help: "Policy whose classes seed the model (default: the embedded default policy).") var policy: String?
        @Flag(name: .long, help: "Train on every line, including the held-out third (then no held-out figure is printed).") var includeHeldOut = false
        @Option(name: .long, help: "Hash buckets as a power of two.") var bucketBits = 15
        @Option(name: .long, help: "Passes over the data.") var epochs = 20
        @Option(name: .long, help: "Character n-grams as a bit set: 1 = 3-grams, 2 = 4-grams, 4 = 5-grams.") var gramSizes = 0b010
        @Option(name: .long, help: "Initial SGD step.") var learningRate: Float = 2
        @Option(name: .long, help: "Weight decay per epoch.") var l2: Float = 1e-4
        @Option(name: .long, help: "Weight of each seed-derived example relative to a labelled prompt.") var seedWeight: Float = 1
        @Option(name: .long, help: "More labelled JSONL used whole, with no held-out split (e.g. hand-written prompts); repeatable.") var extra: [String] = []
        @Option(name: .long, help: "Random bags of 3 to 8 keywords made per class from the policy's keywords.") var keywordBags = 200

        func run() throws {
            let policy = try Source.parse(self.policy.map { ["--policy", $0] } ?? []).loadPolicy()
            let prompts = try parseLabelled(try readFile(data), name: data)
            let training = prompts.filter { includeHeldOut || !HeldOutSplit.isHeldOut(id: $0.id) }
            var trainer = ClassifierTrainer()
            trainer.bucketBits = bucketBits
            trainer.epochs = epochs
            trainer.gramSizes = gramSizes
            trainer.learningRate = learningRate
            trainer.l2 = l2
            trainer.seedWeight = seedWeight
            trainer.bagsPerClass = keywordBags
            trainer.unknownBelow = policy.classes.unknownBelow
            let extraPrompts = try extra.flatMap { try parseLabelled(try readFile($0), name: $0) }
            let model = try trainer.train(domainSeeds: policy.classes.domains.map(\.seed), taskSeeds: policy.classes.tasks.map(\.seed),
                                          examples: (training + extraPrompts).map(\.example))
            let bytes = model.serialized()
            try bytes.write(to: URL(fileURLWithPath: out))
            print("trained on \(training.count) of \(prompts.count) labelled prompts, \(extraPrompts.count) extra prompts and the policy's seeds; wrote \(out) (\(bytes.count) bytes)")
            if !includeHeldOut {
                let heldOut = prompts.filter { HeldOutSplit.isHeldOut(id: $0.id) }
                print(Evaluate.report(RequestClassifier(model: model), heldOut, title: "held-out"))
            }
        }
    }

    /// Prints accuracy per domain on labelled JSONL.
    struct Evaluate: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "eval", abstract: "Domain and task accuracy on labelled JSONL.")
        @OptionGroup var source: Source
        @Option(name: .long, help: "Labelled JSONL.") var data: String
        @Flag(name: .long, help: "Only the held-out third of the file.") var heldOutOnly = false

        func run() throws {
            let (classifier, _, origin) = try source.loadClassifier()
            let prompts = try parseLabelled(try readFile(data), name: data).filter { !heldOutOnly || HeldOutSplit.isHeldOut(id: $0.id) }
            print("classifier: \(origin)")
            print(Self.report(classifier, prompts, title: heldOutOnly ? "held-out" : "all"))
        }

        static func report(_ classifier: RequestClassifier, _ prompts: [LabelledPrompt], title: String) -> String {
            var perDomain: [String: (right: Int, total: Int)] = [:]
            var taskRight = 0, taskTotal = 0, unknown = 0
            for prompt in prompts {
                let verdict = classifier.classify(prompt.prompt)
                if verdict.domain == RequestClass.unknown { unknown += 1 }
                if let domain = prompt.domain {
                    perDomain[domain, default: (0, 0)].total += 1
                    if verdict.domain == domain { perDomain[domain, default: (0, 0)].right += 1 }
                }
                if let task = prompt.task { taskTotal += 1; if verdict.task == task { taskRight += 1 } }
            }
            let right = perDomain.values.reduce(0) { $0 + $1.right }, total = perDomain.values.reduce(0) { $0 + $1.total }
            var lines = ["\(title): domain accuracy \(percent(right, total)) (\(right)/\(total)), task accuracy \(percent(taskRight, taskTotal)) (\(taskRight)/\(taskTotal)), unknown \(unknown)"]
            for (domain, counts) in perDomain.sorted(by: { $0.key < $1.key }) {
                lines.append("  \(domain): \(percent(counts.right, counts.total)) (\(counts.right)/\(counts.total))")
            }
            return lines.joined(separator: "\n")
        }
    }

    /// Times classification of a prompt of a given length; prints p50/p99 against a plain byte scan of the same prompt.
    struct Bench: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "bench", abstract: "Time one classification (p50/p99, µs) against a byte-scan anchor.")
        @OptionGroup var source: Source
        @Option(name: .long, help: "Prompt length in characters.") var chars = 2_000
        @Option(name: .long, help: "Timed classifications.") var iterations = 20_000
        @Option(name: .long, help: "Labelled JSONL to build prompts from (default: a built-in English text).") var data: String?

        func run() throws {
            let (classifier, _, origin) = try source.loadClassifier()
            let loadBefore = Self.loadAverage()
            var corpus = "A patient with chronic kidney disease asks whether ibuprofen is safe. The contract says the landlord must return the deposit within 30 days. Write a Python function that returns the median of a list of integers. "
            if let data { corpus = try parseLabelled(try readFile(data), name: data).map(\.prompt).joined(separator: " ") }
            var prompt = ""
            while prompt.count < chars { prompt += corpus }
            prompt = String(prompt.prefix(chars))
            var sink = 0
            for _ in 0..<1_000 { sink &+= classifier.classify(prompt).domain.utf8.count }
            var times: [Double] = []
            var anchor: [Double] = []
            times.reserveCapacity(iterations)
            let clock = ContinuousClock()
            for _ in 0..<iterations {
                let start = clock.now
                sink &+= classifier.classify(prompt).domain.utf8.count
                times.append(micros(clock.now - start))
                let anchorStart = clock.now
                var copy = prompt
                sink &+= copy.withUTF8 { bytes in bytes.reduce(0) { $0 &+ Int($1) } }
                anchor.append(micros(clock.now - anchorStart))
            }
            times.sort(); anchor.sort()
            func p(_ values: [Double], _ q: Double) -> Double { values[min(values.count - 1, Int(Double(values.count) * q))] }
            print("classifier: \(origin)")
            print("prompt: \(chars) characters (\(prompt.utf8.count) bytes), \(iterations) classifications")
            print(String(format: "classify:  p50 %.2f µs  p99 %.2f µs  max %.2f µs", p(times, 0.5), p(times, 0.99), times.last ?? 0))
            print(String(format: "anchor (sum of the prompt's UTF-8 bytes):  p50 %.2f µs  p99 %.2f µs", p(anchor, 0.5), p(anchor, 0.99)))
            print(String(format: "ratio classify/anchor at p50: %.1f×", p(times, 0.5) / max(p(anchor, 0.5), 0.001)))
            print("load average (1, 5, 15 min): \(loadBefore) before, \(Self.loadAverage()) after, on \(ProcessInfo.processInfo.activeProcessorCount) CPUs")
            if sink == 42 { print("") }
        }

        /// The first three fields of `/proc/loadavg`, or `unknown` where there is none.
        static func loadAverage() -> String {
            guard let text = try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8) else { return "unknown" }
            return text.split(separator: " ").prefix(3).joined(separator: " ")
        }

        private func micros(_ duration: Duration) -> Double {
            Double(duration.components.seconds) * 1e6 + Double(duration.components.attoseconds) / 1e12
        }
    }
}

extension ClassDefinition {
    /// The classifier's seed for this class.
    var seed: ClassSeed { ClassSeed(name: name, keywords: keywords, examples: examples) }
}

private func readFile(_ path: String) throws -> Data {
    guard let data = FileManager.default.contents(atPath: path) else { throw ValidationError("cannot read \(path)") }
    return data
}

private func parseLabelled(_ data: Data, name: String) throws -> [LabelledPrompt] {
    do { return try LabelledPrompt.parseJSONLines(data) } catch { throw ValidationError("\(name): \(error)") }
}

private func rounded(_ value: Double) -> Double { (value * 1_000).rounded() / 1_000 }

private func percent(_ right: Int, _ total: Int) -> String {
    total == 0 ? "n/a" : String(format: "%.1f%%", 100 * Double(right) / Double(total))
}

private func jsonLine(_ object: [String: Any]) -> String {
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8)
    return String(decoding: data, as: UTF8.self)
}
