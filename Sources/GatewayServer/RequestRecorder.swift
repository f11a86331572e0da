import Foundation
import Hummingbird
import Providers
import SwitchyardTypes

/// Turns finished requests into one ``RequestRecord`` each (to the sink) and into metrics.
struct RequestRecorder: Sendable {
    let sink: any RequestRecordSink
    let metrics: GatewayMetrics
    let policyHash: String

    /// Records a finished request.
    func finish(_ record: RequestRecord) {
        sink.record(record)
        metrics.recordRequest(model: record.servedModel ?? record.requestedModel, status: record.status, latencyMS: record.latencyMS,
                              ttftMS: record.ttftMS, inputTokens: record.inputTokens, outputTokens: record.outputTokens, costUSD: record.costUSD)
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
    var model: GatewayModel?
    var providerKind: String?
    private let startInstant: ContinuousClock.Instant

    init(context: GatewayRequestContext, policyHash: String) {
        record = RequestRecord(id: context.requestID, startedAt: context.startedAt, apiKeyID: context.apiKey?.id,
                               requestedModel: "", status: 0, latencyMS: 0)
        startInstant = context.startInstant
        if !policyHash.isEmpty {
            record.decision = DecisionRecord(route: "", strategy: "direct", propensity: 1, policyHash: policyHash)
        }
    }

    /// Milliseconds since the request arrived.
    var elapsedMS: Double { startInstant.millisecondsSince }

    /// Notes the model chosen to answer.
    mutating func chose(_ available: ModelCatalog.Available) {
        model = available.model
        providerKind = available.provider.kind
        record.provider = available.provider.kind
        record.servedModel = available.model.name
        record.decision?.route = available.model.name
    }

    /// Completes the record: status, tokens, cost and one model call per provider attempt.
    mutating func close(status: Int, errorCode: String?, usage: Usage?, ttftMS: Double?, attempts: [ProviderAttempt]) -> RequestRecord {
        record.status = status
        record.errorCode = errorCode
        record.latencyMS = elapsedMS
        record.ttftMS = ttftMS
        if let usage {
            record.inputTokens = usage.promptTokens
            record.outputTokens = usage.completionTokens
        }
        let succeeded = (200..<300).contains(status) && errorCode == nil
        if let model {
            record.costUSD = model.costUSD(inputTokens: record.inputTokens, outputTokens: record.outputTokens)
            record.modelCalls = attempts.enumerated().map { index, attempt in
                let isLast = index == attempts.count - 1
                return ModelCallRecord(
                    sequence: index, purpose: index == 0 ? "answer" : "retry", route: model.name, provider: providerKind ?? model.kind.rawValue,
                    model: model.name, startedAt: attempt.startedAt, status: attempt.status, errorCode: attempt.errorCode ?? (isLast && !succeeded ? errorCode : nil),
                    inputTokens: isLast ? record.inputTokens : 0, outputTokens: isLast ? record.outputTokens : 0,
                    costUSD: isLast ? record.costUSD : nil, latencyMS: isLast && succeeded ? record.latencyMS : attempt.latencyMS,
                    ttftMS: isLast ? ttftMS : nil, accepted: isLast && succeeded)
            }
        }
        return record
    }
}
