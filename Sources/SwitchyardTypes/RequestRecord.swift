import Foundation

/// One client request as the metrics database stores it (table `requests`).
///
/// Built by the gateway when a request ends, handed to a ``RequestRecordSink``
/// (the `Store` module's `MetricsWriter` in production), never awaited on the hot path.
public struct RequestRecord: Sendable, Equatable, Codable {
    /// The request id, also returned to the client as `x-switchyard-request-id`.
    public var id: UUID
    /// When the request arrived.
    public var startedAt: Date
    /// The API key's id (not the key), when the request was authenticated.
    public var apiKeyID: UUID?
    /// The API surface: `chat.completions`, `messages`, `completions`.
    public var endpoint: String
    /// The `model` field the client sent.
    public var requestedModel: String
    /// The class the classifier gave the prompt.
    public var requestClass: RequestClassRecord?
    /// What the router decided.
    public var decision: DecisionRecord?
    /// The provider kind that answered: `openai`, `anthropic`, `local`, `worker`.
    public var provider: String?
    /// The model that produced the answer (the policy's model name).
    public var servedModel: String?
    /// The HTTP status returned to the client.
    public var status: Int
    /// A short error code (OpenAI style, e.g. `upstream_timeout`) when the request failed.
    public var errorCode: String?
    /// Whether the client asked for a stream.
    public var stream: Bool
    public var inputTokens: Int
    public var outputTokens: Int
    /// Total cost of every provider call made for this request, in USD; nil when a price is unknown.
    public var costUSD: Double?
    /// Wall time from arrival to the last byte sent.
    public var latencyMS: Double
    /// Wall time from arrival to the first content token sent (streams) or to the response (otherwise).
    public var ttftMS: Double?
    /// Confidence signals of a local model's answer.
    public var confidence: ConfidenceRecord?
    /// Prompt text or its hash, as the policy's `logging.content` allows (nil for `none`).
    public var promptContent: String?
    /// Answer text or its hash, as the policy's `logging.content` allows (nil for `none`).
    public var answerContent: String?
    /// One entry per provider attempt (cascade steps, retries, fallbacks, knowledge and judge calls).
    public var modelCalls: [ModelCallRecord]

    public init(
        id: UUID = UUID(), startedAt: Date = Date(), apiKeyID: UUID? = nil, endpoint: String = "chat.completions",
        requestedModel: String, requestClass: RequestClassRecord? = nil, decision: DecisionRecord? = nil,
        provider: String? = nil, servedModel: String? = nil, status: Int, errorCode: String? = nil,
        stream: Bool = false, inputTokens: Int = 0, outputTokens: Int = 0, costUSD: Double? = nil,
        latencyMS: Double, ttftMS: Double? = nil, confidence: ConfidenceRecord? = nil,
        promptContent: String? = nil, answerContent: String? = nil, modelCalls: [ModelCallRecord] = []
    ) {
        self.id = id; self.startedAt = startedAt; self.apiKeyID = apiKeyID; self.endpoint = endpoint
        self.requestedModel = requestedModel; self.requestClass = requestClass; self.decision = decision
        self.provider = provider; self.servedModel = servedModel; self.status = status; self.errorCode = errorCode
        self.stream = stream; self.inputTokens = inputTokens; self.outputTokens = outputTokens; self.costUSD = costUSD
        self.latencyMS = latencyMS; self.ttftMS = ttftMS; self.confidence = confidence
        self.promptContent = promptContent; self.answerContent = answerContent; self.modelCalls = modelCalls
    }
}

/// The classifier's verdict on a request, as logged.
public struct RequestClassRecord: Sendable, Equatable, Codable {
    public var domain: String
    public var task: String
    public var difficulty: String
    public var confidence: Double
    public init(domain: String, task: String, difficulty: String, confidence: Double) {
        self.domain = domain; self.task = task; self.difficulty = difficulty; self.confidence = confidence
    }
}

/// The router's decision, as logged: enough to evaluate it off-policy later.
public struct DecisionRecord: Sendable, Equatable, Codable {
    /// The route (arm) that was chosen first.
    public var route: String
    /// `direct`, `cascade`, `bandit` or `fixed`.
    public var strategy: String
    /// The probability the policy gave the chosen route (1 for deterministic choices).
    public var propensity: Double
    /// Hash of the policy file set the decision ran under.
    public var policyHash: String
    /// Version of the tuned routing state used, if any.
    public var stateVersion: Int64?
    /// The rule that matched.
    public var rule: String?
    public init(route: String, strategy: String, propensity: Double, policyHash: String, stateVersion: Int64? = nil, rule: String? = nil) {
        self.route = route; self.strategy = strategy; self.propensity = propensity
        self.policyHash = policyHash; self.stateVersion = stateVersion; self.rule = rule
    }
}

/// Per-answer confidence signals of a local model (the cascade's acceptance inputs).
public struct ConfidenceRecord: Sendable, Equatable, Codable {
    public var meanLogprob: Double
    public var minLogprob: Double
    public var meanEntropy: Double
    public init(meanLogprob: Double, minLogprob: Double, meanEntropy: Double) {
        self.meanLogprob = meanLogprob; self.minLogprob = minLogprob; self.meanEntropy = meanEntropy
    }
}

/// One provider attempt (table `model_calls`).
public struct ModelCallRecord: Sendable, Equatable, Codable {
    public var id: UUID
    /// Order within the request, from 0.
    public var sequence: Int
    /// Why the call was made: `answer`, `cascade_step`, `retry`, `fallback`, `knowledge`, `judge`.
    public var purpose: String
    public var route: String?
    public var provider: String
    public var model: String
    public var startedAt: Date
    public var status: Int?
    public var errorCode: String?
    public var inputTokens: Int
    public var outputTokens: Int
    public var costUSD: Double?
    public var latencyMS: Double
    public var ttftMS: Double?
    /// Whether this attempt's answer was the one returned to the client.
    public var accepted: Bool
    public var confidence: ConfidenceRecord?
    public init(
        id: UUID = UUID(), sequence: Int, purpose: String, route: String? = nil, provider: String, model: String,
        startedAt: Date = Date(), status: Int? = nil, errorCode: String? = nil, inputTokens: Int = 0, outputTokens: Int = 0,
        costUSD: Double? = nil, latencyMS: Double, ttftMS: Double? = nil, accepted: Bool, confidence: ConfidenceRecord? = nil
    ) {
        self.id = id; self.sequence = sequence; self.purpose = purpose; self.route = route; self.provider = provider
        self.model = model; self.startedAt = startedAt; self.status = status; self.errorCode = errorCode
        self.inputTokens = inputTokens; self.outputTokens = outputTokens; self.costUSD = costUSD
        self.latencyMS = latencyMS; self.ttftMS = ttftMS; self.accepted = accepted; self.confidence = confidence
    }
}

/// Where finished requests go. Must return at once: implementations buffer, never block on I/O.
public protocol RequestRecordSink: Sendable {
    /// Hands over a finished request. Never throws and never waits on the database.
    func record(_ record: RequestRecord)
}
