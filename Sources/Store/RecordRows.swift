import Foundation
import SwitchyardTypes

/// The column lists and rows of `requests` and `model_calls` for a `RequestRecord`.
enum RecordRows {
    static let requestColumns = [
        "id", "started_at", "api_key_id", "endpoint", "requested_model",
        "class_domain", "class_task", "class_difficulty", "class_confidence",
        "route", "strategy", "propensity", "policy_hash", "state_version", "rule",
        "provider", "served_model", "status", "error_code", "stream",
        "input_tokens", "output_tokens", "cost_usd", "latency_ms", "ttft_ms",
        "conf_mean_logprob", "conf_min_logprob", "conf_mean_entropy",
        "prompt_content", "answer_content",
    ]

    static let modelCallColumns = [
        "id", "request_id", "request_started_at", "sequence", "purpose", "route", "provider", "model",
        "started_at", "status", "error_code", "input_tokens", "output_tokens", "cost_usd",
        "latency_ms", "ttft_ms", "accepted", "conf_mean_logprob", "conf_min_logprob", "conf_mean_entropy",
    ]

    /// Appends the `requests` row of `record`.
    static func appendRequest(_ r: RequestRecord, to row: inout JSONRows) {
        row.uuid(r.id); row.timestamp(r.startedAt); row.uuid(r.apiKeyID); row.text(r.endpoint); row.text(r.requestedModel)
        row.text(r.requestClass?.domain); row.text(r.requestClass?.task); row.text(r.requestClass?.difficulty)
        row.double(r.requestClass?.confidence)
        row.text(r.decision?.route); row.text(r.decision?.strategy); row.double(r.decision?.propensity)
        row.text(r.decision?.policyHash); row.integer(r.decision?.stateVersion); row.text(r.decision?.rule)
        row.text(r.provider); row.text(r.servedModel); row.integer(r.status); row.text(r.errorCode); row.bool(r.stream)
        row.integer(r.inputTokens); row.integer(r.outputTokens); row.double(r.costUSD); row.double(r.latencyMS); row.double(r.ttftMS)
        row.double(r.confidence?.meanLogprob); row.double(r.confidence?.minLogprob); row.double(r.confidence?.meanEntropy)
        row.text(r.promptContent); row.text(r.answerContent)
        row.endRow()
    }

    /// Appends one `model_calls` row per call of `record`.
    static func appendModelCalls(of r: RequestRecord, to row: inout JSONRows) {
        for c in r.modelCalls {
            row.uuid(c.id); row.uuid(r.id); row.timestamp(r.startedAt); row.integer(c.sequence); row.text(c.purpose)
            row.text(c.route); row.text(c.provider); row.text(c.model); row.timestamp(c.startedAt); row.integer(c.status)
            row.text(c.errorCode); row.integer(c.inputTokens); row.integer(c.outputTokens); row.double(c.costUSD)
            row.double(c.latencyMS); row.double(c.ttftMS); row.bool(c.accepted)
            row.double(c.confidence?.meanLogprob); row.double(c.confidence?.minLogprob); row.double(c.confidence?.meanEntropy)
            row.endRow()
        }
    }
}
