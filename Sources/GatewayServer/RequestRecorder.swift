import Foundation
import Hummingbird
import Providers
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
        return record
    }
}
