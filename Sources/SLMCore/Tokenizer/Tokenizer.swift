/// Turns text into token ids and token ids back into bytes, for one model's vocabulary.
///
/// Byte-level BPE (GPT-2 style, SmolLM2) is the first implementation; a SentencePiece
/// vocabulary (Gemma, Llama 2) fits beside it behind the same protocol.
public protocol Tokenizer: Sendable {
    /// Number of entries in the vocabulary (the width of the model's logits).
    var vocabularySize: Int { get }

    /// The ids with a fixed role: beginning/end of sequence, end of turn.
    var specialTokens: SpecialTokens { get }

    /// Token ids of `text`, without any BOS/EOS added.
    ///
    /// - Parameter parseSpecial: when true, the text of a control token such as `<|im_end|>`
    ///   becomes that token's id; when false it is tokenized as ordinary text.
    func encode(_ text: String, parseSpecial: Bool) -> [Int32]

    /// Appends the bytes that `token` stands for to `bytes`.
    ///
    /// - Parameter renderSpecial: when true, a control token is rendered as its text
    ///   (`<|im_end|>`); when false it contributes no bytes. Ids outside the vocabulary add nothing.
    func appendBytes(of token: Int32, renderSpecial: Bool, to bytes: inout [UInt8])
}

extension Tokenizer {
    /// Token ids of `text`, with the BOS token prepended when the vocabulary asks for it.
    public func encode(_ text: String, parseSpecial: Bool, addingBOS: Bool) -> [Int32] {
        let ids = encode(text, parseSpecial: parseSpecial)
        guard addingBOS, specialTokens.addsBOS, let bos = specialTokens.bos else { return ids }
        return [bos] + ids
    }

    /// The bytes of `tokens`, concatenated (multi-byte characters may span several tokens).
    public func decodeBytes(_ tokens: some Sequence<Int32>, renderSpecial: Bool = false) -> [UInt8] {
        var bytes: [UInt8] = []
        for token in tokens { appendBytes(of: token, renderSpecial: renderSpecial, to: &bytes) }
        return bytes
    }

    /// The text of `tokens`; invalid UTF-8 becomes U+FFFD.
    public func decode(_ tokens: some Sequence<Int32>, renderSpecial: Bool = false) -> String {
        String(decoding: decodeBytes(tokens, renderSpecial: renderSpecial), as: UTF8.self)
    }

    /// Whether `token` ends generation (EOS, end of turn, or another end-of-generation token).
    public func isEndOfGeneration(_ token: Int32) -> Bool {
        specialTokens.endOfGeneration.contains(token)
    }
}
