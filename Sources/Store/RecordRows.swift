import Foundation
import SwitchyardTypes

/// The columns and rows of `requests` and `model_calls` for a `RequestRecord`.
enum RecordRows {
    static let requestColumns: [(name: String, type: ColumnType)] = [
        ("id", .uuid), ("started_at", .timestamptz), ("api_key_id", .uuid), ("endpoint", .text), ("requested_model", .text),
        ("class_domain", .text), ("class_task", .text), ("class_difficulty", .text), ("class_confidence", .float8),
        ("route", .text), ("strategy", .text), ("propensity", .float8), ("policy_hash", .text), ("state_version", .int8), ("rule", .text),
        ("provider", .text), ("served_model", .text), ("status", .int4), ("error_code", .text), ("stream", .bool),
        ("input_tokens", .int4), ("output_tokens", .int4), ("cost_usd", .float8), ("latency_ms", .float8), ("ttft_ms", .float8),
        ("conf_mean_logprob", .float8), ("conf_min_logprob", .float8), ("conf_mean_entropy", .float8),
        ("prompt_content", .text), ("answer_content", .text),
    ]

    static let modelCallColumns: [(name: String, type: ColumnType)] = [
        ("id", .uuid), ("request_id", .uuid), ("request_started_at", .timestamptz), ("sequence", .int4), ("purpose", .text),
        ("route", .text), ("provider", .text), ("model", .text), ("started_at", .timestamptz), ("status", .int4),
        ("error_code", .text), ("input_tokens", .int4), ("output_tokens", .int4), ("cost_usd", .float8),
        ("latency_ms", .float8), ("ttft_ms", .float8), ("accepted", .bool),
        ("conf_mean_logprob", .float8), ("conf_min_logprob", .float8), ("conf_mean_entropy", .float8),
    ]

    /// Appends the `requests` row of `record`.
    static func appendRequest(_ r: RequestRecord, to row: inout ColumnBatch) {
        row.uuid(r.id); row.timestamp(r.startedAt); row.uuid(r.apiKeyID); row.text(r.endpoint); row.text(r.requestedModel)
        row.text(r.requestClass?.domain); row.text(r.requestClass?.task); row.text(r.requestClass?.difficulty)
        row.double(r.requestClass?.confidence)
        row.text(r.decision?.route); row.text(r.decision?.strategy); row.double(r.decision?.propensity)
        row.text(r.decision?.policyHash); row.int8(r.decision?.stateVersion); row.text(r.decision?.rule)
        row.text(r.provider); row.text(r.servedModel); row.int4(r.status); row.text(r.errorCode); row.bool(r.stream)
        row.int4(r.inputTokens); row.int4(r.outputTokens); row.double(r.costUSD); row.double(r.latencyMS); row.double(r.ttftMS)
        row.double(r.confidence?.meanLogprob); row.double(r.confidence?.minLogprob); row.double(r.confidence?.meanEntropy)
        row.text(r.promptContent); row.text(r.answerContent)
        row.endRow()
    }

    /// Appends one `model_calls` row per call of `record`.
    static func appendModelCalls(of r: RequestRecord, to row: inout ColumnBatch) {
        for c in r.modelCalls {
            row.uuid(c.id); row.uuid(r.id); row.timestamp(r.startedAt); row.int4(c.sequence); row.text(c.purpose)
            row.text(c.route); row.text(c.provider); row.text(c.model); row.timestamp(c.startedAt); row.int4(c.status)
            row.text(c.errorCode); row.int4(c.inputTokens); row.int4(c.outputTokens); row.double(c.costUSD)
            row.double(c.latencyMS); row.double(c.ttftMS); row.bool(c.accepted)
            row.double(c.confidence?.meanLogprob); row.double(c.confidence?.minLogprob); row.double(c.confidence?.meanEntropy)
            row.endRow()
        }
    }
}
