/// Why sampling cannot start.
public enum SamplingError: Error, Equatable, Sendable, CustomStringConvertible {
    /// A sampling parameter is out of range.
    case invalidParameter(name: String, value: String, reason: String)
    /// The vocabulary size given to the sampler is not positive.
    case invalidVocabularySize(Int)

    public var description: String {
        switch self {
        case let .invalidParameter(name, value, reason): "invalid \(name) \(value): \(reason)"
        case let .invalidVocabularySize(size): "invalid vocabulary size \(size)"
        }
    }
}
