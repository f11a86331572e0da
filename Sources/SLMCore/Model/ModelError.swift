/// Why a model could not be loaded or run, with the context needed to fix the call.
public enum ModelError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file's `general.architecture` is not one this core runs.
    case unsupportedArchitecture(String)
    /// A weight tensor has a type the exact path cannot dequantize.
    case unsupportedTensorType(tensor: String, type: GGMLType)
    /// Evaluating more tokens would pass the session's context size.
    case contextFull(position: Int, adding: Int, maxContext: Int)
    /// A token id outside the vocabulary.
    case tokenOutOfRange(token: Int32, vocabularySize: Int)
    /// Nothing to evaluate.
    case emptyInput
    /// A batch step got a different number of sessions and tokens.
    case batchMismatch(sessions: Int, tokens: Int)
    /// A batch step got more sessions than it was made for.
    case tooManySequences(count: Int, maxSequences: Int)

    public var description: String {
        switch self {
        case let .unsupportedArchitecture(arch): "unsupported model architecture '\(arch)' (supported: llama)"
        case let .unsupportedTensorType(tensor, type): "tensor '\(tensor)': type \(type) is not supported"
        case let .contextFull(position, adding, maxContext):
            "context full: \(position) tokens + \(adding) new exceed the session's \(maxContext)"
        case let .tokenOutOfRange(token, size): "token id \(token) outside the vocabulary of \(size)"
        case .emptyInput: "no tokens to evaluate"
        case let .batchMismatch(sessions, tokens): "batch step of \(sessions) sessions got \(tokens) tokens"
        case let .tooManySequences(count, maxSequences): "batch step of \(count) sessions exceeds its \(maxSequences)"
        }
    }
}
