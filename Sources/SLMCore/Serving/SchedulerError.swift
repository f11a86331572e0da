/// Why the scheduler refused or broke off a generation, with what the caller needs to act on it.
public enum SchedulerError: Error, Equatable, Sendable, CustomStringConvertible {
    /// Every slot is busy and the admission queue is full; try again after `retryAfterSeconds`.
    case overloaded(queued: Int, queueCapacity: Int, retryAfterSeconds: Int)
    /// The prompt does not leave room for one answer token in the slot's context.
    case promptTooLong(promptTokens: Int, contextLength: Int)
    /// The request has no prompt tokens.
    case emptyPrompt
    /// A sampling parameter is out of range.
    case invalidSampling(SamplingError)
    /// The model failed while running the sequence.
    case model(ModelError)
    /// The scheduler was shut down before the sequence finished.
    case shutDown

    public var description: String {
        switch self {
        case let .overloaded(queued, capacity, retryAfter):
            "the model is busy: \(queued) of \(capacity) queue places taken; retry after \(retryAfter) s"
        case let .promptTooLong(promptTokens, contextLength):
            "the prompt is \(promptTokens) tokens but the model's context is \(contextLength) tokens (prompt and answer together)"
        case .emptyPrompt: "the prompt has no tokens"
        case let .invalidSampling(error): error.description
        case let .model(error): "the model failed: \(error)"
        case .shutDown: "the model's scheduler has shut down"
        }
    }
}
