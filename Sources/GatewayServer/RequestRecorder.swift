import Foundation
import Hummingbird
import Policy
import Providers
import Synchronization
import SwitchyardTypes

/// Turns finished requests into one ``RequestRecord`` each (to the sink) and into metrics.
struct RequestRecorder: Sendable {
    let sink: any RequestRecordSink
    let metrics: GatewayMetrics
    let policyHash: String

    /// Records a finished request; `knownRoutes` bounds the `route` label of the per-route metrics.
    func finish(_ record: RequestRecord, knownRoutes: Set<String> = []) {
        sink.record(record)
        metrics.recordRequest(model: record.servedModel ?? record.requestedModel, status: record.status, latencyMS: record.latencyMS,
                              ttftMS: record.ttftMS, inputTokens: record.inputTokens, outputTokens: record.outputTokens, costUSD: record.costUSD)
        RoutingMetrics.record(record, knownRoutes: knownRoutes, registry: metrics.registry)
    }

    /// Records a chat request turned away before its body was read (401, 429).
    func recordRejection(_ error: GatewayError, request: Request, context: GatewayRequestContext) {
        guard request.uri.path.hasSuffix("/chat/completions") else { return }
        finish(RequestRecord(id: context.requestID, startedAt: context.startedAt, apiKeyID: context.apiKey?.id,
                             requestedModel: "", status: Int(error.status.code), errorCode: error.code,
                             latencyMS: context.startInstant.millisecondsSince))
    }
}

/// What is known about one chat request so far; becomes its ``RequestRecord``.
struct RequestTrace: Sendable {
    var record: RequestRecord
    var providerKind: String?
    private let startInstant: ContinuousClock.Instant
    /// What the policy keeps of prompt and answer text (`logging.content`); nothing until ``noteContent(of:logging:)``.
    private(set) var contentLogging = ContentLogging(mode: .none)
    /// The answer text as the client is sent it, gathered when the policy keeps answers; nil otherwise.
    private(set) var answer: AnswerCapture?

    init(context: GatewayRequestContext, policyHash: String) {
        record = RequestRecord(id: context.requestID, startedAt: context.startedAt, apiKeyID: context.apiKey?.id,
                               requestedModel: "", status: 0, latencyMS: 0)
        startInstant = context.startInstant
        if !policyHash.isEmpty {
            record.decision = DecisionRecord(route: "", strategy: "direct", propensity: 1, policyHash: policyHash)
        }
    }

    /// Notes the prompt (system, developer and user turns as sent) as the policy's `logging.content` keeps it,
    /// and starts gathering the answer when the policy keeps answers.
    mutating func noteContent(of request: ChatCompletionRequest, logging mode: LoggingPolicy.Content) {
        contentLogging = ContentLogging(mode: mode)
        record.promptContent = contentLogging.stored(ContentLogging.promptText(of: request))
        answer = mode == .none ? nil : AnswerCapture()
    }

    /// Notes a whole (non-streamed) answer; streamed answers are gathered chunk by chunk in ``answer``.
    func noteAnswer(_ response: ChatCompletionResponse) {
        answer?.append(response)
    }

    /// Milliseconds since the request arrived.
    var elapsedMS: Double { startInstant.millisecondsSince }

    /// Notes the class and the decision (logged when the gateway runs under a policy or the planner decided).
    mutating func planned(_ plan: RoutingPlan, policyHash: String) {
        record.requestClass = plan.requestClass
        if !policyHash.isEmpty || plan.strategyName != "direct" {
            record.decision = plan.record(policyHash: policyHash)
        }
    }

    /// Notes the route and model that answered.
    mutating func served(by available: ModelCatalog.Available, confidence: ConfidenceRecord?) {
        providerKind = available.provider.kind
        record.provider = available.provider.kind
        record.servedModel = available.model.name
        record.confidence = confidence
    }

    /// Completes the record: status, tokens, the summed cost of every call and one model call per provider attempt.
    mutating func close(status: Int, errorCode: String?, usage: Usage?, ttftMS: Double?, calls: RoutingCallLog) -> RequestRecord {
        record.status = status
        record.errorCode = errorCode
        record.latencyMS = elapsedMS
        record.ttftMS = ttftMS
        if let usage {
            record.inputTokens = usage.promptTokens
            record.outputTokens = usage.completionTokens
        }
        record.modelCalls = calls.all
        record.costUSD = calls.totalCostUSD
        record.answerContent = contentLogging.stored(answer?.text)
        return record
    }
}

/// What the policy's `logging.content` keeps of a request's prompt and answer text.
struct ContentLogging: Sendable, Equatable {
    let mode: LoggingPolicy.Content

    /// The stored form of `text`: nothing (`none`), its SHA-256 as lowercase hex (`hash`), or the text (`full`).
    func stored(_ text: String?) -> String? {
        guard let text else { return nil }
        switch mode {
        case .none: return nil
        case .hash: return SHA256.hexDigest(of: text)
        case .full: return text
        }
    }

    /// The prompt as the client sent it: the text of each system, developer and user turn, in order, one
    /// turn per line (assistant and tool turns are earlier answers, not the prompt).
    static func promptText(of request: ChatCompletionRequest) -> String {
        request.messages
            .filter { ["system", "developer", "user"].contains($0.role) }
            .compactMap { $0.content?.text }
            .joined(separator: "\n")
    }
}

/// The final answer's text (first choice) as the client receives it, whole or chunk by chunk.
///
/// Shared by the handler and the stream relay of one request; chunks arrive one at a time.
final class AnswerCapture: Sendable {
    private let state = Mutex<(text: String, seen: Bool)>(("", false))

    /// Adds the first choice's content delta of `chunk`.
    func append(_ chunk: ChatCompletionChunk) {
        guard let delta = chunk.choices.first(where: { $0.index == 0 })?.delta.content else { return }
        state.withLock { $0.text += delta; $0.seen = true }
    }

    /// Takes the first choice's message text of a whole answer.
    func append(_ response: ChatCompletionResponse) {
        guard let text = response.choices.first(where: { $0.index == 0 })?.message.content?.text else { return }
        state.withLock { $0.text += text; $0.seen = true }
    }

    /// The answer so far; nil when no text arrived (an error, or an answer that only calls tools).
    var text: String? { state.withLock { $0.seen ? $0.text : nil } }
}
