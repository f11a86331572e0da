import Foundation

/// Everything `buildApplication` needs to know: where to listen, limits, and the models it may call.
public struct GatewayConfiguration: Sendable {
    /// Address to bind.
    public var host: String
    /// Port to bind (0 picks a free one).
    public var port: Int
    /// Largest accepted request body in bytes (413 above it).
    public var maxBodyBytes: Int
    /// Requests served at once before new ones get 429.
    public var maxConcurrentRequests: Int
    /// Every model the policy declares, in file order.
    public var models: [GatewayModel]
    /// Models tried, in order, when a client asks for ``GatewayConfiguration/automaticModelName``.
    public var defaultModels: [String]
    /// Time allowed to open a connection to an upstream.
    public var upstreamConnectTimeout: Duration
    /// Longest silence accepted from an upstream once it is answering (a stalled stream fails after it).
    public var upstreamIdleTimeout: Duration
    /// How long an API key lookup is remembered.
    public var apiKeyCacheTTL: Duration
    /// Hash of the policy the configuration came from, logged with every decision.
    public var policyHash: String
    /// Where the policy came from, named in configuration hints (e.g. `policies/default.yaml`).
    public var policySource: String

    /// The model name that means "let the gateway choose".
    public static let automaticModelName = "auto"

    public init(
        host: String = "127.0.0.1", port: Int = 8080, maxBodyBytes: Int = 1 << 20, maxConcurrentRequests: Int = 256,
        models: [GatewayModel] = [], defaultModels: [String] = [], upstreamConnectTimeout: Duration = .seconds(5),
        upstreamIdleTimeout: Duration = .seconds(60), apiKeyCacheTTL: Duration = .seconds(30),
        policyHash: String = "", policySource: String = "policies/default.yaml"
    ) {
        self.host = host; self.port = port; self.maxBodyBytes = maxBodyBytes; self.maxConcurrentRequests = maxConcurrentRequests
        self.models = models; self.defaultModels = defaultModels; self.upstreamConnectTimeout = upstreamConnectTimeout
        self.upstreamIdleTimeout = upstreamIdleTimeout; self.apiKeyCacheTTL = apiKeyCacheTTL
        self.policyHash = policyHash; self.policySource = policySource
    }
}

/// One model the gateway can route to, as the policy describes it.
public struct GatewayModel: Sendable, Equatable {
    /// How the model is reached.
    public enum Kind: String, Sendable, Equatable {
        case openai, anthropic, local, worker
    }
    /// The name clients and routes use.
    public var name: String
    public var kind: Kind
    /// Base URL of a hosted API.
    public var baseURL: String?
    /// Name of the environment variable holding the hosted API's key.
    public var apiKeyEnv: String?
    /// The id the upstream knows the model by.
    public var upstreamModel: String
    /// USD per million input tokens, when known.
    public var pricePerMillionInput: Double?
    /// USD per million output tokens, when known.
    public var pricePerMillionOutput: Double?
    /// Time allowed until the upstream starts answering.
    public var timeout: Duration
    /// Retries on connection failures and 5xx answers.
    public var retries: Int

    public init(
        name: String, kind: Kind, baseURL: String? = nil, apiKeyEnv: String? = nil, upstreamModel: String? = nil,
        pricePerMillionInput: Double? = nil, pricePerMillionOutput: Double? = nil, timeout: Duration = .seconds(60), retries: Int = 2
    ) {
        self.name = name; self.kind = kind; self.baseURL = baseURL; self.apiKeyEnv = apiKeyEnv
        self.upstreamModel = upstreamModel ?? name; self.pricePerMillionInput = pricePerMillionInput
        self.pricePerMillionOutput = pricePerMillionOutput; self.timeout = timeout; self.retries = retries
    }

    /// Cost in USD of a call with these token counts, nil when a price is unknown.
    public func costUSD(inputTokens: Int, outputTokens: Int) -> Double? {
        guard let pricePerMillionInput, let pricePerMillionOutput else { return nil }
        return (Double(inputTokens) * pricePerMillionInput + Double(outputTokens) * pricePerMillionOutput) / 1_000_000
    }
}
