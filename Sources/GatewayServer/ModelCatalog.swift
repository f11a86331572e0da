import AsyncHTTPClient
import Logging
import Providers

/// The models the gateway can call, each with its provider or the reason it is unavailable.
///
/// Built once per policy snapshot: a hosted model whose key variable is unset is unavailable, and so is a
/// local model no provider was given for. The planner asks it which models can answer; a request that
/// names a model (or `auto` without a policy: the configured default models in order) resolves here.
struct ModelCatalog: Sendable {
    /// A model with its provider, ready to call.
    struct Available: Sendable {
        let model: GatewayModel
        let provider: any ChatProvider
    }
    private enum Slot: Sendable {
        case available(Available)
        case unavailable(GatewayModel, hint: String)
    }

    private let slots: [String: Slot]
    /// Model names in policy order.
    let names: [String]
    private let defaultModels: [String]
    private let policySource: String

    init(configuration: GatewayConfiguration, dependencies: GatewayDependencies, client: HTTPClient) {
        var slots: [String: Slot] = [:]
        for model in configuration.models {
            slots[model.name] = Self.slot(for: model, configuration: configuration, dependencies: dependencies, client: client)
        }
        self.slots = slots
        self.names = configuration.models.map(\.name)
        self.defaultModels = configuration.defaultModels.isEmpty ? names : configuration.defaultModels
        self.policySource = configuration.policySource
    }

    private static func slot(for model: GatewayModel, configuration: GatewayConfiguration, dependencies: GatewayDependencies, client: HTTPClient) -> Slot {
        switch model.kind {
        case .openai, .anthropic:
            guard let baseURL = model.baseURL else {
                return .unavailable(model, hint: "model '\(model.name)' has no base_url in \(configuration.policySource)")
            }
            let variable = model.apiKeyEnv ?? (model.kind == .openai ? "OPENAI_API_KEY" : "ANTHROPIC_API_KEY")
            guard let key = dependencies.environment[variable], !key.isEmpty else {
                return .unavailable(model, hint: "set \(variable) or configure a local model in \(configuration.policySource)")
            }
            let endpoint = HostedEndpoint(baseURL: baseURL, apiKey: key, upstreamModel: model.upstreamModel,
                                          timeout: model.timeout, retry: RetryPolicy(maxRetries: model.retries))
            let logger = dependencies.logger
            let provider: any ChatProvider = model.kind == .openai
                ? OpenAICompatibleProvider(endpoint: endpoint, client: client, logger: logger)
                : AnthropicProvider(endpoint: endpoint, client: client, logger: logger)
            return .available(Available(model: model, provider: provider))
        case .local, .worker:
            guard let provider = dependencies.localProviders[model.name] else {
                return .unavailable(model, hint: "the \(model.kind.rawValue) model '\(model.name)' is not loaded; set a hosted model's API key (e.g. OPENAI_API_KEY) in the meantime")
            }
            return .available(Available(model: model, provider: provider))
        }
    }

    /// The model to call for a request's `model` field.
    /// - Throws: ``GatewayError/unknownModel(name:)`` (404) for a name the policy does not declare,
    ///   ``GatewayError/noAvailableModel(requested:hint:)`` (503) when nothing that could answer is configured.
    func resolve(_ name: String) throws(GatewayError) -> Available {
        if name == GatewayConfiguration.automaticModelName {
            var hints: [String] = []
            for candidate in defaultModels {
                switch slots[candidate] {
                case .available(let available): return available
                case .unavailable(_, let hint): if !hints.contains(hint) { hints.append(hint) }
                case nil: continue
                }
            }
            let hint = hints.isEmpty ? "no model is configured; add one to \(policySource)" : hints.joined(separator: "; ")
            throw .noAvailableModel(requested: name, hint: hint)
        }
        switch slots[name] {
        case .available(let available): return available
        case .unavailable(_, let hint): throw .noAvailableModel(requested: name, hint: hint)
        case nil: throw .unknownModel(name: name)
        }
    }

    /// The model with this name when it can be called, nil when it is unavailable or unknown.
    func available(_ name: String) -> Available? {
        if case .available(let available) = slots[name] { return available }
        return nil
    }

    /// The hint that says why a declared model cannot be called, nil when it can (or is unknown).
    func unavailableHint(_ name: String) -> String? {
        if case .unavailable(_, let hint) = slots[name] { return hint }
        return nil
    }

    /// The declared model with this name, callable or not.
    func model(named name: String) -> GatewayModel? {
        switch slots[name] {
        case .available(let available): return available.model
        case .unavailable(let model, _): return model
        case nil: return nil
        }
    }

    /// The models that can answer now, in policy order.
    var availableModels: [Available] {
        names.compactMap { name in
            if case .available(let available) = slots[name] { return available }
            return nil
        }
    }
}
