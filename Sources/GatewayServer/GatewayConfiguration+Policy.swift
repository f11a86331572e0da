import Policy

extension GatewayConfiguration {
    /// The configuration a policy describes: its models, limits and, for `auto`, the models of its
    /// rules' candidate routes in rule order (the planner replaces this when routing lands).
    public init(policy: PolicyDocument, host: String, port: Int, policySource: String) {
        var models: [GatewayModel] = []
        var connectTimeoutMS = 0
        for spec in policy.models {
            let timeout = Duration.milliseconds(spec.timeoutMS)
            switch spec.provider {
            case .hosted(let hosted):
                connectTimeoutMS = max(connectTimeoutMS, spec.connectTimeoutMS)
                models.append(GatewayModel(
                    name: spec.name, kind: hosted.api == .openai ? .openai : .anthropic, baseURL: hosted.baseURL,
                    apiKeyEnv: hosted.apiKeyEnv, upstreamModel: hosted.upstreamModel,
                    pricePerMillionInput: hosted.pricePerMillionInput, pricePerMillionOutput: hosted.pricePerMillionOutput,
                    timeout: timeout, retries: spec.retries))
            case .local:
                models.append(GatewayModel(name: spec.name, kind: .local, timeout: timeout, retries: 0))
            case .worker(let worker):
                models.append(GatewayModel(name: spec.name, kind: .worker, baseURL: worker.urls.first, timeout: timeout, retries: spec.retries))
            }
        }
        var defaults: [String] = []
        for rule in policy.rules {
            for routeName in rule.candidates + rule.fallbacks {
                if let model = policy.route(named: routeName)?.model, !defaults.contains(model) { defaults.append(model) }
            }
        }
        self.init(
            host: host, port: port, maxBodyBytes: policy.server.maxBodyBytes,
            maxConcurrentRequests: policy.server.maxConcurrentRequests, models: models, defaultModels: defaults,
            upstreamConnectTimeout: .milliseconds(connectTimeoutMS > 0 ? connectTimeoutMS : 5_000),
            upstreamIdleTimeout: .milliseconds(policy.server.requestTimeoutMS), policyHash: policy.hash, policySource: policySource)
    }
}
