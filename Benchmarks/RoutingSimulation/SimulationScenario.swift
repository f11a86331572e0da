import Foundation
import GatewayTesting
import Routing

/// A hosted LLM of the simulation, with the truth the gateway has to learn: its prices, latency and
/// token usage (so its cost per request), and its mean quality per class domain.
public struct SimulatedLLM: Sendable, Equatable {
    /// The policy's model name; its route is `<name>-direct`.
    public var name: String
    /// USD per million prompt tokens.
    public var pricePerMillionInput: Double
    /// USD per million completion tokens.
    public var pricePerMillionOutput: Double
    /// Time the simulated server takes to answer, in milliseconds.
    public var latencyMS: Int
    /// Prompt tokens it reports per request.
    public var promptTokens: Int
    /// Completion tokens it reports per request.
    public var completionTokens: Int
    /// Mean quality in [0, 1] per class domain.
    public var quality: [String: Double]

    /// Creates a simulated LLM.
    public init(name: String, pricePerMillionInput: Double, pricePerMillionOutput: Double, latencyMS: Int,
                promptTokens: Int, completionTokens: Int, quality: [String: Double]) {
        self.name = name; self.pricePerMillionInput = pricePerMillionInput; self.pricePerMillionOutput = pricePerMillionOutput
        self.latencyMS = latencyMS; self.promptTokens = promptTokens; self.completionTokens = completionTokens; self.quality = quality
    }

    /// The policy route that calls this model alone.
    public var route: String { name + "-direct" }

    /// What one request costs: usage × the policy's prices (as the gateway computes it).
    public var costUSD: Double {
        (Double(promptTokens) * pricePerMillionInput + Double(completionTokens) * pricePerMillionOutput) / 1_000_000
    }

    /// The model as the simulated server plays it (the upstream id is the model name).
    public var simulated: SimulatedModel {
        SimulatedModel(upstreamModel: name, latency: .milliseconds(latencyMS), promptTokens: promptTokens, completionTokens: completionTokens)
    }
}

/// A class of traffic: a domain the classifier learns from keywords and examples, and prompts of it.
public struct SimulatedClass: Sendable, Equatable {
    /// The domain name (the first part of the class key).
    public var domain: String
    /// Seed keywords for the policy's `classes.domains` section.
    public var keywords: [String]
    /// Seed examples for the policy's `classes.domains` section.
    public var examples: [String]
    /// Prompts the load generator sends for this class.
    public var prompts: [String]

    /// Creates a class.
    public init(domain: String, keywords: [String], examples: [String], prompts: [String]) {
        self.domain = domain; self.keywords = keywords; self.examples = examples; self.prompts = prompts
    }
}

/// The world of a simulation: hosted LLMs with known quality, cost and latency, classes of traffic,
/// the policy's objective and its bandit exploration. Knows the oracle (the best route per class by
/// the policy's utility) and the start policy (the untuned bandit).
public struct SimulationScenario: Sendable, Equatable {
    /// The LLMs, in the bandit rule's candidate order (the first is the untuned bandit's choice).
    public var models: [SimulatedLLM]
    /// The classes of traffic, sent in equal shares.
    public var classes: [SimulatedClass]
    /// Utility lost per USD.
    public var costWeight: Double
    /// Utility lost per second.
    public var latencyWeight: Double
    /// The bandit rule's `exploration`.
    public var exploration: Double
    /// Standard deviation of the noise on each feedback score (clamped to [0, 1] afterwards).
    public var feedbackNoise: Double

    /// Creates a scenario.
    public init(models: [SimulatedLLM], classes: [SimulatedClass], costWeight: Double, latencyWeight: Double,
                exploration: Double, feedbackNoise: Double) {
        self.models = models; self.classes = classes; self.costWeight = costWeight; self.latencyWeight = latencyWeight
        self.exploration = exploration; self.feedbackNoise = feedbackNoise
    }

    /// The policy's utility function.
    public var utilityWeights: UtilityWeights { UtilityWeights(costWeight: costWeight, latencyWeight: latencyWeight) }

    /// The model behind a route name, if any.
    public func model(route: String) -> SimulatedLLM? { models.first { $0.route == route } }

    /// The true expected utility of answering `domain` with `model`.
    public func utility(domain: String, model: SimulatedLLM) -> Double {
        utilityWeights.utility(quality: model.quality[domain] ?? 0, costUSD: model.costUSD, latencyMS: Double(model.latencyMS))
    }

    /// The oracle's route for a domain: the highest true utility (ties: the earlier model).
    public func oracleModel(domain: String) -> SimulatedLLM {
        models.reduce(models[0]) { best, next in utility(domain: domain, model: next) > utility(domain: domain, model: best) ? next : best }
    }

    /// The oracle's utility for a domain.
    public func oracleUtility(domain: String) -> Double { utility(domain: domain, model: oracleModel(domain: domain)) }

    /// The expected utility for a domain when routes are drawn with these probabilities (by route name).
    public func expectedUtility(domain: String, probabilities: [String: Double]) -> Double {
        models.reduce(0) { $0 + (probabilities[$1.route] ?? 0) * utility(domain: domain, model: $1) }
    }

    /// What the untuned bandit does: the first candidate, mixed with the rule's exploration.
    public var startProbabilities: [String: Double] {
        let routes = models.map(\.route)
        return Dictionary(uniqueKeysWithValues: zip(routes, BanditChoice(exploration: exploration).probabilities(candidates: routes, tunedWeights: nil)))
    }

    /// The policy file the gateway runs: one hosted model and one route per LLM, the classes, and one
    /// bandit rule over every route.
    public func policyYAML(upstreamBaseURL: String) -> String {
        var yaml = "version: 1\nmodels:\n"
        for model in models {
            yaml += """
                  \(model.name):
                    kind: openai
                    base_url: \(upstreamBaseURL)
                    api_key_env: \(Self.apiKeyVariable)
                    model: \(model.name)
                    price_per_million_input: \(model.pricePerMillionInput)
                    price_per_million_output: \(model.pricePerMillionOutput)
                    context: 16000
                    timeout_ms: 10000
                    retries: 0

                """
        }
        yaml += "classes:\n  unknown_below: 0.2\n  domains:\n"
        for simulated in classes {
            yaml += "    \(simulated.domain):\n      keywords: \(Self.flow(simulated.keywords))\n      examples: \(Self.flow(simulated.examples))\n"
        }
        yaml += "  tasks:\n    ask:\n      keywords: [what, how, which, explain]\n      examples: [\"What is it?\", \"How does it work?\"]\n"
        yaml += "    make:\n      keywords: [write, create, draft, generate]\n      examples: [\"Write a note.\", \"Create a plan.\"]\n"
        yaml += "routes:\n"
        for model in models { yaml += "  \(model.route): { model: \(model.name) }\n" }
        yaml += """
            rules:
              - name: learn-everything
                candidates: \(Self.flow(models.map(\.route)))
                strategy: { kind: bandit, exploration: \(exploration) }
            objective:
              cost_weight: \(costWeight)
              latency_weight: \(latencyWeight)

            """
        return yaml
    }

    /// The environment variable holding the simulated server's (unused) API key.
    public static let apiKeyVariable = "SIMULATION_UPSTREAM_KEY"

    private static func flow(_ items: [String]) -> String {
        let quoted = items.map { item in
            String(decoding: (try? JSONEncoder().encode(item)) ?? Data("\"\"".utf8), as: UTF8.self)
        }
        return "[" + quoted.joined(separator: ", ") + "]"
    }
}
