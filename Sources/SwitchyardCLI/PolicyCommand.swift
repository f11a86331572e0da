import ArgumentParser
import Classifier
import Foundation
import Policy
import Routing
import SwitchyardTypes

/// `switchyard policy`: check a policy file, or explain how it would route a prompt.
struct PolicyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "policy",
        abstract: "Check policy files and explain routing decisions.",
        subcommands: [Check.self, Explain.self]
    )

    /// Validates a policy file: `FILE:LINE: FIELD: message` per problem and exit 1, or a summary and exit 0.
    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "check", abstract: "Validate a policy file; print every problem as FILE:LINE: FIELD: message.")
        @Argument(help: "The policy file.") var file: String

        func run() throws {
            let policy: PolicyDocument
            do {
                policy = try PolicyLoader.load(path: file)
            } catch {
                for problem in error.errors { printError(problem.description) }
                printError("\(file): \(error.errors.count) problem\(error.errors.count == 1 ? "" : "s")")
                throw ExitCode(1)
            }
            let availability = RouteAvailability(policy: policy, environment: ProcessInfo.processInfo.environment)
            print("\(file): OK (hash \(policy.hash.prefix(12)))")
            print("  models: \(policy.models.map { "\($0.name) (\($0.kind.rawValue))" }.joined(separator: ", "))")
            print("  domains: \(policy.classes.domains.map(\.name).joined(separator: ", ")); tasks: \(policy.classes.tasks.map(\.name).joined(separator: ", "))")
            print("  routes: \(policy.routes.count), rules: \(policy.rules.map(\.name).joined(separator: ", "))")
            for (route, variable) in availability.skipped.sorted(by: { $0.key < $1.key }) {
                print("  note: route `\(route)` is skipped until $\(variable) is set")
            }
            if let model = policy.classes.modelPath, !FileManager.default.fileExists(atPath: model) {
                print("  note: classifier model \(model) not found; the classifier will be trained from the policy's keywords and examples")
            }
        }
    }

    /// Shows how a prompt would be classed and which rule and routes would serve it.
    struct Explain: ParsableCommand {
        static let configuration = CommandConfiguration(commandName: "explain", abstract: "Show the class, the matching rule and the candidate routes for a prompt.")
        @Option(name: .long, help: "The policy file (default: the embedded default policy).") var policy: String?
        @Option(name: .long, help: "The user prompt.") var prompt: String
        @Option(name: .long, help: "An optional system prompt.") var system: String?
        @Option(name: .long, help: "Classifier model file (default: the policy's classes.model).") var model: String?
        @Option(name: .long, help: "Expected answer length in tokens, for the cost estimates.") var outputTokens = 256

        func run() throws {
            let document: PolicyDocument
            do {
                if let policy { document = try PolicyLoader.load(path: policy) } else { document = try PolicyLoader.loadDefault() }
            } catch {
                for problem in error.errors { printError(problem.description) }
                throw ExitCode(1)
            }
            let loaded = try ClassifierLoader.load(
                modelPath: model ?? document.classes.modelPath,
                domainSeeds: document.classes.domains.map { ClassSeed(name: $0.name, keywords: $0.keywords, examples: $0.examples) },
                taskSeeds: document.classes.tasks.map { ClassSeed(name: $0.name, keywords: $0.keywords, examples: $0.examples) },
                unknownBelow: document.classes.unknownBelow)
            let verdict = loaded.classifier.classify(system: system, user: prompt)
            print("policy: \(document.sourceFiles.first ?? "-") (hash \(document.hash.prefix(12)))")
            print("classifier: \(loaded.source)")
            print(String(format: "class: domain=%@ (%.2f) task=%@ (%.2f) difficulty=%@", verdict.domain, verdict.confidence, verdict.task, verdict.taskConfidence, verdict.difficulty))
            guard let rule = document.rule(domain: verdict.domain, task: verdict.task, difficulty: verdict.difficulty) else {
                print("rule: none matches; the request would be refused")
                throw ExitCode(1)
            }
            print("rule: \(rule.name) (\(describe(rule.match)))")
            print("strategy: \(describe(rule.strategy))")
            print("constraints: \(describe(rule.constraints))")
            let availability = RouteAvailability(policy: document, environment: ProcessInfo.processInfo.environment)
            for (label, names) in [("candidate", rule.candidates), ("fallback", rule.fallbacks)] {
                for name in names {
                    guard let route = document.route(named: name), let model = document.model(named: route.model) else { continue }
                    let state = availability.skipped[name].map { "skipped: $\($0) is not set" } ?? "available"
                    print("  \(label) \(name): model \(model.name) (\(model.kind.rawValue)), reasoning \(route.reasoning.rawValue) — \(state)")
                }
            }
            var liveStats: [String: RouteLiveStats] = [:]
            for route in availability.skipped.keys { liveStats[route] = RouteLiveStats(isAvailable: false) }
            let request = PlanningRequest(
                requestClass: verdict.record,
                tokens: TokenEstimate(inputTokens: ((system ?? "").utf8.count + prompt.utf8.count) / 4 + 1, outputTokens: outputTokens),
                liveStats: liveStats)
            var random = SystemRandomNumberGenerator()
            do {
                let decision = try RoutePlanner(policy: document).plan(for: request, using: &random)
                print(String(format: "decision: %@ (strategy %@, propensity %.2f, no tuned state)", decision.first.route, decision.strategy.kind, decision.propensity))
                for step in decision.plan {
                    print(String(format: "  %@ %@ → %@ (est. $%.6f)", step.role.rawValue, step.route, step.model, step.estimatedCostUSD))
                }
                for reason in decision.reasons { print("  why: \(reason)") }
            } catch {
                print("decision: none — \(error)")
                throw ExitCode(1)
            }
        }

        private func describe(_ match: RuleMatch) -> String {
            func list(_ names: [String]?) -> String { names?.joined(separator: "|") ?? "*" }
            return "domain=\(list(match.domains)) task=\(list(match.tasks)) difficulty=\(list(match.difficulties))"
        }

        private func describe(_ strategy: RoutingStrategy) -> String {
            switch strategy {
            case .fixed: return "fixed"
            case .bandit(let settings): return "bandit, exploration \(settings.exploration)"
            case .cascade(let accept):
                var parts: [String] = []
                if let v = accept.minMeanLogprob { parts.append("mean logprob ≥ \(v)") }
                if let v = accept.minTokenLogprob { parts.append("min token logprob ≥ \(v)") }
                if let v = accept.maxMeanEntropy { parts.append("mean entropy ≤ \(v)") }
                return "cascade, accept when \(parts.joined(separator: ", "))"
            }
        }

        private func describe(_ constraints: RuleConstraints) -> String {
            var parts: [String] = []
            if let v = constraints.maxCostUSD { parts.append("max cost $\(v)") }
            if let v = constraints.latencySLOMS { parts.append("latency SLO \(v) ms") }
            if constraints.localOnly { parts.append("local only") }
            return parts.isEmpty ? "none" : parts.joined(separator: ", ")
        }
    }
}

/// Writes a line to standard error.
private func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
