/// The role of a vocabulary entry, as GGUF's `tokenizer.ggml.token_type` stores it.
public enum TokenKind: Int32, Sendable, CaseIterable {
    /// Not set by the converter; treated like `normal`.
    case undefined = 0
    /// An ordinary piece of text.
    case normal = 1
    /// The unknown-token placeholder.
    case unknown = 2
    /// A control token (`<|im_start|>`): matched only with special parsing, rendered only on request.
    case control = 3
    /// A token added by the model's authors: always matched as a whole, always rendered.
    case userDefined = 4
    /// A reserved slot with no text.
    case unused = 5
    /// A raw byte (`<0x0A>`), used by SentencePiece vocabularies.
    case byte = 6
}
