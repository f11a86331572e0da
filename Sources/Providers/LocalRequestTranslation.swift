import SLMCore
import SwitchyardTypes

/// Turns an OpenAI chat request into what the local scheduler runs: chat messages for the
/// template, sampling parameters, and whether logprobs were asked for.
enum LocalRequestTranslation {
    /// The conversation as the chat template sees it (`developer` counts as `system`).
    /// - Throws: `ProviderError` (HTTP 400) for a role the template cannot render.
    static func messages(of request: ChatCompletionRequest, provider: String) throws(ProviderError) -> [SLMCore.ChatMessage] {
        var messages: [SLMCore.ChatMessage] = []
        for message in request.messages {
            let role: ChatRole
            switch message.role {
            case "system", "developer": role = .system
            case "user": role = .user
            case "assistant": role = .assistant
            case "tool": role = .tool
            default: throw badRequest(provider, "messages: role '\(message.role)' is not supported by local models")
            }
            messages.append(SLMCore.ChatMessage(role: role, content: message.content?.text ?? ""))
        }
        return messages
    }

    /// Sampling as the request asks: `temperature` (OpenAI's default 1), `top_p`, `seed`, `stop`,
    /// `max_completion_tokens` / `max_tokens`, `top_logprobs`.
    /// - Throws: `ProviderError` (HTTP 400) naming the field out of range or not supported.
    static func sampling(of request: ChatCompletionRequest, provider: String) throws(ProviderError) -> SamplingParameters {
        if let n = request.n, n != 1 { throw badRequest(provider, "n: local models answer with one choice (n = 1)") }
        var sampling = SamplingParameters()
        sampling.temperature = Float(request.temperature ?? 1)
        sampling.topP = Float(request.topP ?? 1)
        sampling.seed = request.seed.map { UInt64(bitPattern: Int64($0)) }
        sampling.stop = request.stop?.values ?? []
        sampling.maxTokens = request.outputTokenLimit
        let (_, top) = try logprobs(of: request, provider: provider)
        sampling.topLogprobs = top
        do { try sampling.validate() } catch { throw badRequest(provider, error.description) }
        return sampling
    }

    /// Whether `logprobs` is true, and `top_logprobs` (0–20; only with `logprobs`).
    static func logprobs(of request: ChatCompletionRequest, provider: String) throws(ProviderError) -> (Bool, Int) {
        var wanted = false
        if let value = request.extra["logprobs"] {
            guard case .bool(let flag) = value else { throw badRequest(provider, "logprobs: must be true or false") }
            wanted = flag
        }
        guard let value = request.extra["top_logprobs"], value != .null else { return (wanted, 0) }
        guard case .number(let number) = value, number.rounded() == number, (0...20).contains(number) else {
            throw badRequest(provider, "top_logprobs: must be an integer from 0 to 20")
        }
        guard wanted else { throw badRequest(provider, "top_logprobs: requires logprobs to be true") }
        return (true, Int(number))
    }

    /// The 400 answer for a request a local model cannot serve, with the reason the client sees.
    static func badRequest(_ provider: String, _ message: String) -> ProviderError {
        .upstreamStatus(provider: provider, status: 400, message: message, retryAfter: nil)
    }
}
