import SLMCore
import SwitchyardTypes

/// OpenAI `logprobs` objects for locally generated tokens.
enum LocalLogprobs {
    /// One entry of `logprobs.content`: `{token, logprob, bytes, top_logprobs: [{token, logprob, bytes}]}`.
    static func entry(_ token: SequenceToken) -> JSONValue? {
        guard let logprob = token.logprob else { return nil }
        return .object([
            "token": .string(String(decoding: token.bytes, as: UTF8.self)),
            "logprob": .number(Double(logprob)),
            "bytes": bytes(token.bytes),
            "top_logprobs": .array(token.topLogprobs.map { alternative in
                .object([
                    "token": .string(String(decoding: alternative.bytes, as: UTF8.self)),
                    "logprob": .number(Double(alternative.logprob)),
                    "bytes": bytes(alternative.bytes),
                ])
            }),
        ])
    }

    /// `{"content": entries}`, or nil when there are none.
    static func content(_ entries: [JSONValue]) -> JSONValue? {
        entries.isEmpty ? nil : .object(["content": .array(entries)])
    }

    private static func bytes(_ bytes: [UInt8]) -> JSONValue {
        .array(bytes.map { .number(Double($0)) })
    }
}
