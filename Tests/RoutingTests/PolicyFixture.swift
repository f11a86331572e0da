import Policy
import Routing
import SwitchyardTypes

/// A small policy with one local and two hosted models and a rule per strategy.
enum PolicyFixture {
    static let local = ModelSpec(name: "smol", provider: .local(LocalModel(declaredPath: "m.gguf", resolvedPath: "m.gguf", slots: 2, pricePerCPUSecond: 0.0001)), contextWindow: 2048)
    static let mini = ModelSpec(name: "mini", provider: .hosted(HostedModel(api: .openai, baseURL: "http://x", apiKeyEnv: "K", upstreamModel: "mini", pricePerMillionInput: 1, pricePerMillionOutput: 2)), contextWindow: 128_000)
    static let big = ModelSpec(name: "big", provider: .hosted(HostedModel(api: .anthropic, baseURL: "http://y", apiKeyEnv: "A", upstreamModel: "big", pricePerMillionInput: 10, pricePerMillionOutput: 30)), contextWindow: 200_000)

    static func policy(rules: [RuleSpec]) -> PolicyDocument {
        PolicyDocument(
            models: [local, mini, big],
            classes: ClassCatalog(domains: [ClassDefinition(name: "general")], tasks: [ClassDefinition(name: "chat")]),
            routes: [
                RouteSpec(name: "smol-direct", model: "smol"),
                RouteSpec(name: "mini-steps", model: "mini", reasoning: .stepByStep),
                RouteSpec(name: "big-blade", model: "big", bladeModel: "smol", bridge: true),
                RouteSpec(name: "big-direct", model: "big"),
            ],
            rules: rules, hash: "fixture")
    }

    static func request(domain: String = "general", tokens: TokenEstimate = TokenEstimate(inputTokens: 1000, outputTokens: 1000),
                        live: [String: RouteLiveStats] = [:]) -> PlanningRequest {
        PlanningRequest(requestClass: RequestClassRecord(domain: domain, task: "chat", difficulty: "easy", confidence: 0.9),
                        tokens: tokens, liveStats: live)
    }
}
