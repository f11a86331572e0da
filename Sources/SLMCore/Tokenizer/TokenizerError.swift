/// Why a tokenizer could not be built from a vocabulary.
public enum TokenizerError: Error, Equatable, Sendable {
    /// A tokenizer key of the GGUF metadata is missing or has the wrong type (the error names the key).
    case metadata(GGUFError)
    /// `tokenizer.ggml.model` names a tokenizer family we do not implement.
    case unsupportedModel(String)
    /// `tokenizer.ggml.pre` names a pre-tokenizer we do not implement.
    case unsupportedPreTokenizer(String)
    /// The token list and the token-type list differ in length.
    case tokenTypeCountMismatch(tokens: Int, types: Int)
    /// A token id stored in the metadata lies outside the vocabulary.
    case tokenIDOutOfRange(key: String, id: Int64, vocabularySize: Int)
    /// A merge rule is not two space-separated pieces.
    case malformedMerge(index: Int, rule: String)
    /// A merge rule names a piece (or a merged result) that is not in the vocabulary.
    case mergePieceNotInVocabulary(index: Int, rule: String, piece: String)
}
