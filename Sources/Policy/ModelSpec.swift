import Foundation

/// One model the gateway can call (an entry of section `models`).
public struct ModelSpec: Sendable, Equatable {
    /// The name routes refer to (the key under `models`).
    public var name: String
    /// How the model is reached, with the settings of that kind.
    public var provider: ModelProvider
    /// Context window in tokens (`context`).
    public var contextWindow: Int
    /// Budget of one call, in milliseconds (`timeout_ms`).
    public var timeoutMS: Int
    /// Budget for opening a connection, in milliseconds (`connect_timeout_ms`; hosted and worker only).
    public var connectTimeoutMS: Int
    /// Retries after a failed call, with jittered backoff (`retries`).
    public var retries: Int

    /// Creates a model description.
    public init(name: String, provider: ModelProvider, contextWindow: Int, timeoutMS: Int = 60_000,
                connectTimeoutMS: Int = 5_000, retries: Int = 0) {
        self.name = name; self.provider = provider; self.contextWindow = contextWindow
        self.timeoutMS = timeoutMS; self.connectTimeoutMS = connectTimeoutMS; self.retries = retries
    }

    /// The `kind` the file gave.
    public var kind: ModelKind {
        switch provider {
        case .hosted(let hosted): return hosted.api == .openai ? .openai : .anthropic
        case .local: return .local
        case .worker: return .worker
        }
    }

    /// Whether requests to this model stay on machines we run (local core or our own workers).
    public var isLocal: Bool { kind == .local || kind == .worker }
}

/// The provider kinds a model can have (`kind`).
public enum ModelKind: String, Sendable, Equatable, CaseIterable {
    /// An OpenAI-compatible chat completions API.
    case openai
    /// The Anthropic Messages API.
    case anthropic
    /// A GGUF file run by the in-process inference core.
    case local
    /// A `switchyard worker` reached over HTTP.
    case worker
}

/// How a model is reached, with the settings only that kind has.
public enum ModelProvider: Sendable, Equatable {
    /// A hosted API (`kind: openai` or `kind: anthropic`).
    case hosted(HostedModel)
    /// A GGUF file run in-process (`kind: local`).
    case local(LocalModel)
    /// Our own workers over HTTP (`kind: worker`).
    case worker(WorkerModel)
}

/// Settings of a hosted model.
public struct HostedModel: Sendable, Equatable {
    /// Which wire API the upstream speaks.
    public enum API: String, Sendable, Equatable { case openai, anthropic }
    /// Which wire API the upstream speaks.
    public var api: API
    /// Base URL of the API, e.g. `https://api.openai.com/v1` (`base_url`).
    public var baseURL: String
    /// Name of the environment variable that holds the API key (`api_key_env`); the key itself never sits in the file.
    public var apiKeyEnv: String
    /// The upstream model id sent in requests (`model`).
    public var upstreamModel: String
    /// USD per million input tokens (`price_per_million_input`).
    public var pricePerMillionInput: Double
    /// USD per million output tokens (`price_per_million_output`).
    public var pricePerMillionOutput: Double

    /// Creates hosted-model settings.
    public init(api: API, baseURL: String, apiKeyEnv: String, upstreamModel: String,
                pricePerMillionInput: Double, pricePerMillionOutput: Double) {
        self.api = api; self.baseURL = baseURL; self.apiKeyEnv = apiKeyEnv; self.upstreamModel = upstreamModel
        self.pricePerMillionInput = pricePerMillionInput; self.pricePerMillionOutput = pricePerMillionOutput
    }

    /// Cost in USD of one call with these token counts.
    public func costUSD(inputTokens: Int, outputTokens: Int) -> Double {
        (Double(inputTokens) * pricePerMillionInput + Double(outputTokens) * pricePerMillionOutput) / 1_000_000
    }
}

/// Settings of a GGUF model run by the in-process inference core.
public struct LocalModel: Sendable, Equatable {
    /// The path as written in the file (`path`).
    public var declaredPath: String
    /// The path resolved against the folder of the policy file that declares it (absolute when the file gave one).
    public var resolvedPath: String
    /// Sequences decoded at once by this model's scheduler (`slots`).
    public var slots: Int
    /// USD per CPU-second, so local answers are never free (`price_per_cpu_second`).
    public var pricePerCPUSecond: Double
    /// How each slot's KV cache stores keys and values (`kv_cache`).
    public var kvCache: LocalKVCache

    /// Creates local-model settings.
    public init(declaredPath: String, resolvedPath: String, slots: Int, pricePerCPUSecond: Double, kvCache: LocalKVCache = .f16) {
        self.declaredPath = declaredPath; self.resolvedPath = resolvedPath; self.slots = slots
        self.pricePerCPUSecond = pricePerCPUSecond; self.kvCache = kvCache
    }
}

/// A local model's KV cache format (`kv_cache`), as the inference core's `KVCacheFormat`.
public enum LocalKVCache: String, Sendable, Equatable, CaseIterable {
    /// Keys and values as halves (the default).
    case f16
    /// 8-bit blocks: half the memory per token, less to read per decode step.
    case q8
}

/// Settings of a model served by `switchyard worker` processes.
public struct WorkerModel: Sendable, Equatable {
    /// Base URLs of the workers, tried in turn (`urls`).
    public var urls: [String]
    /// USD per CPU-second on the workers (`price_per_cpu_second`).
    public var pricePerCPUSecond: Double

    /// Creates worker-model settings.
    public init(urls: [String], pricePerCPUSecond: Double) {
        self.urls = urls; self.pricePerCPUSecond = pricePerCPUSecond
    }
}
